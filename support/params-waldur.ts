/** Parameter types of the Waldur federation steps. */
import { defineParameterType } from '@cucumber/cucumber';
import { COMPONENT_MAPPINGS, ComponentMapping } from '../world/clients/waldur-agent';
import type { Side } from '../world/clients/waldur';

/** "passthrough" or "conversion": how A's components map onto B's (the plan's Step 3). */
defineParameterType({
  name: 'mapping',
  regexp: /passthrough|conversion/,
  transformer: (name: string): ComponentMapping => COMPONENT_MAPPINGS[name as keyof typeof COMPONENT_MAPPINGS],
});

/** "Waldur A" (the source) or "Waldur B" (the target). */
defineParameterType({
  name: 'waldur',
  regexp: /Waldur [AB]/,
  transformer: (text: string): Side => (text.endsWith('A') ? 'a' : 'b'),
});

/** An order state as the API spells it. */
defineParameterType({
  name: 'orderState',
  regexp: /pending-consumer|pending-provider|executing|done|erred|canceled|rejected/,
  transformer: (s: string) => s,
});

/** Which side of the agent's STOMP connections: source (Waldur A) or target (Waldur B). */
defineParameterType({
  name: 'stompRole',
  regexp: /source|target/,
  transformer: (s: string) => s as 'source' | 'target',
});

const OBJECT_TYPES: Record<string, string> = {
  orders: 'order',
  'user roles': 'user_role',
  resources: 'resource',
  'service accounts': 'service_account',
  'course accounts': 'course_account',
  'offering users': 'offering_user',
};

/** A list of observable object types in words: "orders, user roles and resources". */
defineParameterType({
  name: 'objectTypes',
  regexp: new RegExp(`(?:${Object.keys(OBJECT_TYPES).join('|')})(?:(?:, | and )(?:${Object.keys(OBJECT_TYPES).join('|')}))*`),
  transformer: (text: string): string[] => text.split(/, | and /).map((w) => OBJECT_TYPES[w]),
});

/** Seed 001's two offerings on the Waldur under test: "offering A" (the agent's) and "offering B" (its backend). */
defineParameterType({
  name: 'syncOffering',
  regexp: /offering [AB]/,
  transformer: (text: string): 'A' | 'B' => (text.endsWith('A') ? 'A' : 'B'),
});

/** Seed 001's subscribers: user_a (offering manager) and user_b (ISD identity manager). */
defineParameterType({
  name: 'syncUser',
  regexp: /user_a|user_b/,
  transformer: (text: string) => text as 'user_a' | 'user_b',
});

/** How the agent's offering is configured for run_periodic_username_reconciliation (seed 001 Suite 3). */
export const AGENT_GATINGS = {
  'for username reconciliation': { stomp: true, membershipSync: true, reconciliation: true },
  'without STOMP and without a membership sync backend': { stomp: false, membershipSync: false, reconciliation: true },
  'with username reconciliation switched off': { stomp: true, membershipSync: true, reconciliation: false },
} as const;
defineParameterType({
  name: 'agentGating',
  regexp: new RegExp(Object.keys(AGENT_GATINGS).join('|')),
  transformer: (text: string) => AGENT_GATINGS[text as keyof typeof AGENT_GATINGS],
});
