/**
 * Tier 3 notifications (T3.14, README scenario 7, T3.15, T3.16): what each user's notifier
 * WebSocket delivers, in which order, how fast, and to whom. Each user watches with their own
 * token, so tenant scoping is the target's, never the suite's filtering.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Execution, ExecutionStatus, Rule, Trigger } from '../../world/clients/attune';
import { createRuleReply } from '../../world/clients/attune-tier3';
import { Notification, NotificationCapture } from '../../world/capture/notifications';
import { describe, eventually, holdsFor } from '../../world/wait';
import { createWebhookTrigger, finished, refName, statusesOf, trackUndo } from './context';
import { user } from './tenants';

/** `name`'s own notifier connection (built once per scenario, closed by the After hook). */
export function watcher(world: AcceptanceWorld, name: string): NotificationCapture {
  const u = user(world, name);
  return world.lazy(`notifications.${name}`, () => new NotificationCapture(world.target('attune').notifierUrl, () => u.client.accessToken()));
}

Given('{attune-user} watches {word} notifications', async function (this: AcceptanceWorld, name: string, kind: string) {
  const filter = kind === 'all' ? 'all' : `entity_type:${kind}`;
  await watcher(this, name).subscribe(filter);
  // the welcome proves the connection is established and authenticated
  expect(watcher(this, name).buffer.filter((n) => n.type === 'welcome'), `welcome from the notifier to ${name}`).to.have.lengthOf(1);
});

When('{attune-user} runs her echo action with message {string}', async function (this: AcceptanceWorld, name: string, message: string) {
  const u = user(this, name);
  const reply = await u.client.execute(String(u.owns.action), { message });
  expect(reply.status, `${name} running her echo action answered ${describe(reply.body)}`).to.equal(201);
  this.remember('attune.execution', reply.body.data);
  this.remember('attune.execution.final', await finished(u.client, reply.body.data.id));
});

const about = (world: AcceptanceWorld, name: string) => {
  const { id } = world.recall<Execution>('attune.execution');
  return watcher(world, name).about('execution', id);
};

Then(
  '{attune-user} is notified of the statuses {execution-statuses}, in that order',
  async function (this: AcceptanceWorld, name: string, expected: ExecutionStatus[]) {
    const { id } = this.recall<Execution>('attune.execution');
    const seen = await eventually(() => statusesOf(about(this, name)), (s) => s.includes(expected[expected.length - 1]), {
      within: 5000, every: 100, what: `${name}'s notifications of execution ${id} up to ${expected[expected.length - 1]}`,
    });
    let i = 0;
    for (const s of seen) if (s === expected[i]) i += 1;
    expect(i, `statuses announced to ${name} for execution ${id}: ${seen.join(' -> ')} (expected ${expected.join(' -> ')} among them, in order)`).to.equal(expected.length);
    const channels = about(this, name).map((n) => n.notification_type);
    expect(channels[0], `the first notification of execution ${id}`).to.equal('execution_created');
  },
);

Then('every status change of that execution reached {attune-user} exactly once', function (this: AcceptanceWorld, name: string) {
  const seen = about(this, name).map((n) => `${n.notification_type}:${n.payload?.status}`);
  expect(seen.filter((s, i) => seen.indexOf(s) !== i), `notifications repeated to ${name}: ${seen.join(', ')}`).to.deep.equal([]);
  const statuses = about(this, name).map((n) => n.payload?.status);
  expect(statuses, `statuses announced to ${name}`).to.deep.equal(['requested', 'scheduling', 'scheduled', 'running', 'completed']);
});

Then('each notification names that execution and carries it whole', function (this: AcceptanceWorld) {
  const final = this.recall<Execution>('attune.execution.final');
  const seen = about(this, 'Alice');
  expect(seen, 'notifications of the execution').to.not.be.empty;
  for (const n of seen) {
    expect([n.entity_type, n.entity_id, n.payload?.id], `entity of ${describe(n)}`).to.deep.equal(['execution', final.id, final.id]);
    for (const k of ['action_ref', 'parent', 'enforcement', 'created'] as const) {
      expect(n.payload?.[k], `${k} in ${n.notification_type} (${describe(n.payload)}) against the execution the API reports`).to.deep.equal(final[k]);
    }
    for (const k of ['status', 'updated']) expect(n.payload, `${n.notification_type} payload`).to.have.property(k);
  }
  const last = seen[seen.length - 1];
  expect([last.payload?.status, last.payload?.updated], 'the last notification against the finished execution').to.deep.equal([final.status, final.updated]);
});

Then('each notification left the target within {duration} of the change it announces', function (this: AcceptanceWorld, limit: number) {
  // Both instants are the target's: the row's `updated` (set by the status change) and the message's `timestamp`.
  const delays = about(this, 'Alice').map((n) => ({ what: `${n.notification_type}:${n.payload?.status}`, ms: new Date(n.timestamp!).getTime() - new Date(n.payload!.updated).getTime() }));
  this.attach(`notification latency (ms): ${delays.map((d) => `${d.what}=${d.ms}`).join(', ')}`, 'text/plain');
  expect(delays.filter((d) => !(d.ms >= 0 && d.ms < limit)), `notifications later than ${limit} ms after the change`).to.deep.equal([]);
});

Then('{attune-user} is not notified about that execution', async function (this: AcceptanceWorld, name: string) {
  const { id } = this.recall<Execution>('attune.execution');
  // The owner saw the whole lifecycle already; allow the other socket the same moment plus a margin.
  await holdsFor(() => about(this, name), (seen) => seen.length === 0, 1000, { every: 100, what: `${name} receiving nothing about execution ${id}` });
  expect(watcher(this, name).buffer.filter((n: Notification) => n.type === 'notification' && n.payload?.id === id), `${name}'s notifications about execution ${id}`).to.deep.equal([]);
});

// ---- inquiries (T3.15) ---------------------------------------------------------------------------

interface Inquiry { id: number; execution: number; prompt: string; status: string; response: unknown; timeout_at: string | null; created: string; updated: string }

/** The notification `name` got on `channel` about the inquiry of the execution in focus. */
async function inquiryNotice(world: AcceptanceWorld, name: string, channel: string): Promise<Notification> {
  const { id } = world.recall<Execution>('attune.execution');
  return watcher(world, name).waitFor((n) => n.notification_type === channel && n.payload?.execution === id, {
    within: 5000, what: `${channel} about an inquiry of execution ${id}, to ${name}`,
  });
}

When(
  '{attune-user} runs the system action {string} with the prompt {string}',
  async function (this: AcceptanceWorld, name: string, ref: string, prompt: string) {
    const reply = await user(this, name).client.execute(ref, { prompt, response_schema: { approved: { type: 'boolean' } } });
    expect(reply.status, `${name} running ${ref} answered ${describe(reply.body)}`).to.equal(201);
    this.remember('attune.execution', reply.body.data);
  },
);

Then(
  '{attune-user} is notified that an inquiry is pending for that execution, and it asks {string}',
  async function (this: AcceptanceWorld, name: string, prompt: string) {
    const n = await inquiryNotice(this, name, 'inquiry_created');
    expect([n.entity_type, n.payload?.id, n.payload?.status], `inquiry_created message ${describe(n)}`).to.deep.equal(['inquiry', n.entity_id, 'pending']);
    // What a UI does with the message: read the inquiry it names, and show its prompt.
    const reply = await user(this, name).client.getInquiry(n.entity_id!);
    expect(reply.status, `${name} reading inquiry ${n.entity_id}: ${describe(reply.body)}`).to.equal(200);
    const inquiry: Inquiry = reply.body.data;
    expect([inquiry.execution, inquiry.prompt, inquiry.status], `inquiry ${inquiry.id}`).to.deep.equal([n.payload?.execution, prompt, 'pending']);
    expect([n.payload?.timeout_at ?? null, n.payload?.created], `timeout and creation in the message against inquiry ${inquiry.id}`).to.deep.equal([inquiry.timeout_at, inquiry.created]);
    this.remember('attune.inquiry', inquiry);
  },
);

When('{attune-user} responds to that inquiry with {word} {json-value}', async function (this: AcceptanceWorld, name: string, field: string, value: unknown) {
  const { id } = this.recall<Inquiry>('attune.inquiry');
  const response = this.remember('attune.response', { [field]: value });
  const reply = await user(this, name).client.respondInquiry(id, response);
  expect(reply.status, `${name} responding to inquiry ${id}: ${describe(reply.body)}`).to.equal(200);
});

Then('{attune-user} is notified that the inquiry was responded to', async function (this: AcceptanceWorld, name: string) {
  const { id } = this.recall<Inquiry>('attune.inquiry');
  const n = await inquiryNotice(this, name, 'inquiry_responded');
  expect([n.entity_type, n.entity_id, n.payload?.status], `inquiry_responded message ${describe(n)}`).to.deep.equal(['inquiry', id, 'responded']);
  const now: Inquiry = (await user(this, name).client.getInquiry(id)).body.data;
  expect([now.status, now.response, now.updated], `inquiry ${id} as the API shows it, against the message`).to.deep.equal(['responded', this.recall('attune.response'), n.payload?.updated]);
});

/** ms between the change a message announces (`instant` of its payload) and the message's own timestamp. */
function latencies(seen: Notification[], instant: (n: Notification) => string | undefined) {
  return seen.map((n) => ({ what: `${n.notification_type}:${n.entity_id}`, ms: new Date(n.timestamp!).getTime() - new Date(instant(n) ?? NaN).getTime() }));
}

Then('each inquiry notification left the target within {duration} of the change it announces', function (this: AcceptanceWorld, limit: number) {
  const { id } = this.recall<Inquiry>('attune.inquiry');
  const seen = watcher(this, 'Alice').about('inquiry', id);
  expect(seen.map((n) => n.notification_type), `inquiry notifications of inquiry ${id}`).to.deep.equal(['inquiry_created', 'inquiry_responded']);
  const delays = latencies(seen, (n) => (n.notification_type === 'inquiry_created' ? n.payload?.created : n.payload?.updated));
  this.attach(`inquiry notification latency (ms): ${delays.map((d) => `${d.what}=${d.ms}`).join(', ')}`, 'text/plain');
  expect(delays.filter((d) => !(d.ms >= 0 && d.ms < limit)), `inquiry notifications later than ${limit} ms after the change`).to.deep.equal([]);
});

Then('the execution that asked has succeeded with the response', async function (this: AcceptanceWorld) {
  const done = await finished(this.attune, this.recall<Execution>('attune.execution').id);
  expect([done.status, done.result?.response], `execution ${done.id} (result ${describe(done.result)})`).to.deep.equal(['completed', this.recall('attune.response')]);
});

Then('{attune-user} is not notified about that inquiry', async function (this: AcceptanceWorld, name: string) {
  const inquiry = this.recall<Inquiry>('attune.inquiry');
  const leaked = () => watcher(this, name).buffer.filter((n) => n.type === 'notification' && ((n.entity_type === 'inquiry' && n.entity_id === inquiry.id) || n.payload?.id === inquiry.execution));
  await holdsFor(async () => leaked(), (l) => l.length === 0, 500, { every: 100, what: `${name} receiving nothing about inquiry ${inquiry.id} or execution ${inquiry.execution}` });
});

// ---- rule trigger notifications (T3.16) ----------------------------------------------------------

interface NamedRules { loud: Rule; silent: Rule }

Given(
  '{attune-user} has a webhook trigger with a rule that asks to be notified and one that does not',
  async function (this: AcceptanceWorld, name: string) {
    const u = user(this, name);
    const pack = String(u.owns.pack);
    const trigger = await createWebhookTrigger(this, u.client, pack);
    const rules: Partial<NamedRules> = {};
    for (const [kind, notify] of [['loud', true], ['silent', false]] as const) {
      const ref = `${pack}.${refName(this, kind)}`;
      const reply = await createRuleReply(u.client, { ref, packRef: pack, actionRef: 'core.noop', triggerRef: trigger.ref, notifyOnTrigger: notify });
      expect(reply.status, `${name} creating rule ${ref}: ${describe(reply.body)}`).to.equal(201);
      trackUndo(this, `rule ${ref}`, () => u.client.deleteRule(ref));
      rules[kind] = reply.body.data;
    }
    this.remember('attune.notify-rules', rules as NamedRules);
  },
);

const ruleNotices = (world: AcceptanceWorld, name: string, rule: Rule) =>
  watcher(world, name).buffer.filter((n) => n.type === 'notification' && n.entity_type === 'rule' && n.entity_id === rule.id);

Then(
  '{attune-user} is notified once that the notifying rule fired, with that event and its payload',
  async function (this: AcceptanceWorld, name: string) {
    const { loud, silent } = this.recall<NamedRules>('attune.notify-rules');
    const [{ id: event }] = this.recall<{ id: number }[]>('attune.events');
    const first = await watcher(this, name).waitFor((n) => n.entity_type === 'rule' && n.entity_id === loud.id, { within: 5000, what: `a rule_triggered message about rule ${loud.ref}` });
    expect(first.notification_type, `message ${describe(first)}`).to.equal('rule_triggered');
    expect(first.payload, `what the message says about the firing`).to.deep.include({
      rule_ref: loud.ref, trigger_ref: loud.trigger_ref, event, event_payload: this.recall('attune.payload'), trigger_count: 1,
    });
    // both rules did fire for that event: the silent one's silence is its choice, not a miss
    const fired = await eventually(() => this.attune.listEnforcements({ event }), (l) => l.length === 2, { within: 5000, what: `the enforcements of event ${event}` });
    expect(fired.map((e) => e.rule).sort(), `rules with an enforcement for event ${event}`).to.deep.equal([loud.id, silent.id].sort());
    expect(first.payload?.enforcement, 'the enforcement the message names').to.equal(fired.find((e) => e.rule === loud.id)!.id);
    // one firing, one message: nothing more comes once the rule's window has passed
    await holdsFor(async () => ruleNotices(this, name, loud).length, (c) => c === 1, 1500, { every: 100, what: `exactly one message about rule ${loud.ref}` });
  },
);

Then('nothing is announced about the silent rule', function (this: AcceptanceWorld) {
  const { silent } = this.recall<NamedRules>('attune.notify-rules');
  expect(ruleNotices(this, 'Alice', silent).map(describe), `messages about rule ${silent.ref}, which did not ask for any`).to.deep.equal([]);
});

Then('{attune-user} is not notified about either rule', function (this: AcceptanceWorld, name: string) {
  const { loud, silent } = this.recall<NamedRules>('attune.notify-rules');
  const leaked = watcher(this, name).buffer.filter((n) => n.type === 'notification' && n.entity_type === 'rule' && [loud.id, silent.id].includes(n.entity_id!));
  expect(leaked.map(describe), `rule messages ${name} received about another user's rules`).to.deep.equal([]);
});

When('the webhook receives {int} calls in quick succession', async function (this: AcceptanceWorld, calls: number) {
  const trigger = this.recall<Trigger>('attune.trigger');
  this.remember('attune.burst-started', Date.now());
  const events: number[] = [];
  for (let i = 0; i < calls; i++) {
    const reply = await this.attune.fireWebhook(trigger.webhook_key!, { n: i });
    expect(reply.status, `webhook call ${i + 1}: ${describe(reply.body)}`).to.equal(200);
    events.push(reply.body.data.event_id);
  }
  this.remember('attune.burst-events', events);
});

Then(
  "{attune-user}'s notifications about the notifying rule are at least a second apart and account for all {int} firings",
  async function (this: AcceptanceWorld, name: string, firings: number) {
    const { loud } = this.recall<NamedRules>('attune.notify-rules');
    const events = this.recall<number[]>('attune.burst-events');
    const total = (seen: Notification[]) => seen.reduce((sum, n) => sum + Number(n.payload?.trigger_count ?? 0), 0);
    const started = this.recall<number>('attune.burst-started');
    const seen = await eventually(async () => ruleNotices(this, name, loud).filter((n) => n.receivedAt >= started), (s) => total(s) >= firings, {
      within: 5000, every: 100, what: `messages about rule ${loud.ref} accounting for ${firings} firings`,
    });
    // every message about the rule, the earlier ones too, keeps the one-a-second pace
    const at = ruleNotices(this, name, loud).map((n) => new Date(n.timestamp!).getTime());
    const gaps = at.slice(1).map((t, i) => t - at[i]);
    this.attach(`${seen.length} messages for ${firings} firings; gaps (ms, target's timestamps): ${gaps.join(', ')}`, 'text/plain');
    expect(total(seen), `firings the messages account for (${seen.map((n) => n.payload?.trigger_count).join(' + ')})`).to.equal(firings);
    expect(gaps.filter((g) => g < 950), `gaps under a second between messages about rule ${loud.ref}`).to.deep.equal([]);
    expect(seen.map((n) => n.payload?.event).filter((e) => !events.includes(e)), 'events named that are not the burst\'s').to.deep.equal([]);
  },
);
