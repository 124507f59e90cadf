/**
 * Tier 3 notifications (T3.14, README scenario 7, T3.15, T3.16): what each user's notifier
 * WebSocket delivers, in which order, how fast, and to whom. Each user watches with their own
 * token, so tenant scoping is the target's, never the suite's filtering.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { AttuneClient, Execution, ExecutionStatus } from '../../world/clients/attune';
import { Notification, NotificationCapture } from '../../world/capture/notifications';
import { describe, eventually, holdsFor } from '../../world/wait';
import { finished, statusesOf } from './context';

interface User { id: number; login: string; client: AttuneClient; owns: Record<string, string | number> }
const user = (world: AcceptanceWorld, name: string) => world.recall<User>(`attune.user.${name}`);

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
