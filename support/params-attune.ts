/** Parameter types of the Attune steps: the plan's words, mapped to what the suite needs. */
import { defineParameterType } from '@cucumber/cucumber';
import { ExecutionStatus, PLAN_STATUS } from '../world/clients/attune';

/** The fixture pack's actions (features/attune/fixtures/e2e_fixture/actions), by their plan names. */
export const FIXTURE_ACTIONS: Record<string, string> = {
  'echo action': 'echo',
  'marker action': 'marker',
  'key reader action': 'read_key',
  'failing action': 'fail',
  'item workflow': 'process_items',
};

const STATUS_WORDS = Object.keys(PLAN_STATUS).sort((a, b) => b.length - a.length).join('|');

/** "the echo action" -> the action's name inside the fixture pack ("echo"). */
defineParameterType({
  name: 'fixture-action',
  regexp: new RegExp(Object.keys(FIXTURE_ACTIONS).join('|')),
  transformer: (s: string) => FIXTURE_ACTIONS[s],
});

/** A plan status word -> upstream's ("succeeded" -> "completed", "canceled" -> "cancelled"). */
defineParameterType({
  name: 'execution-status',
  regexp: new RegExp(STATUS_WORDS),
  transformer: (s: string): ExecutionStatus => PLAN_STATUS[s],
});

/** "requested, scheduled, running and succeeded" -> the upstream statuses in that order. */
defineParameterType({
  name: 'execution-statuses',
  regexp: new RegExp(`(?:${STATUS_WORDS})(?:(?:, | and )(?:${STATUS_WORDS}))+`),
  transformer: (s: string): ExecutionStatus[] => s.split(/, | and /).map((w) => PLAN_STATUS[w]),
});

/** A JSON scalar written as in the plan: "text", 42, true, null. */
defineParameterType({
  name: 'json-value',
  regexp: /"[^"]*"|null|true|false|-?\d+(?:\.\d+)?/,
  transformer: (s: string): unknown => JSON.parse(s),
});

/** A key in the key-value store ("datastore"), plain or encrypted. */
defineParameterType({
  name: 'key-kind',
  regexp: /encrypted key|key/,
  transformer: (s: string) => ({ encrypted: s === 'encrypted key' }),
});

/** The two identities of the isolation scenarios (the plan's tenants A and B). */
defineParameterType({
  name: 'attune-user',
  regexp: /Alice|Bob/,
  transformer: (s: string) => s,
});

/** Things an identity owns, singular or plural. */
export type OwnedKind = 'pack' | 'action' | 'workflow' | 'trigger' | 'rule' | 'execution' | 'event' | 'enforcement' | 'key';
defineParameterType({
  name: 'owned-kind',
  regexp: /(pack|action|workflow|trigger|rule|execution|event|enforcement|key)s?/,
  transformer: (s: string) => s as OwnedKind,
});

/** The permission sets of T3.10, by the plan's role names (upstream refs core.<role>). */
defineParameterType({
  name: 'role',
  regexp: /admin|editor|executor|viewer/,
  transformer: (s: string) => s,
});

/** What a user of T3.10 tries to do with an action. */
defineParameterType({
  name: 'rbac-operation',
  regexp: /view the actions|create an action with an invalid definition|create an action|update an action|delete an action|run an action/,
  transformer: (s: string) => s,
});

/** How the target answers an attempt: allowed, forbidden (403) or invalid (422). */
defineParameterType({
  name: 'rbac-outcome',
  regexp: /allowed|forbidden|invalid/,
  transformer: (s: string) => s as 'allowed' | 'forbidden' | 'invalid',
});

/** How an inquiry left `pending`, as the plan says it -> upstream's inquiry status. */
defineParameterType({
  name: 'inquiry-outcome',
  regexp: /responded|timed out/,
  transformer: (s: string) => (s === 'timed out' ? 'timeout' : s),
});

/** The language of a pack's action (T2.12 Python, T2.13 Node.js). */
defineParameterType({
  name: 'language',
  regexp: /Python|Node\.js/,
  transformer: (s: string) => s,
});
