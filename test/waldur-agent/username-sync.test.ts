// The reference agent's sync_offering_user_usernames and run_periodic_username_reconciliation (REPORT §5)
// against the embedded Waldur: B's username copied to A once, nothing written the second time, the gates.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startWaldur } from '../../emulators/waldur';
import { AgentRun } from '../../emulators/waldur/agent';
import { parseAgentConfig } from '../../emulators/waldur/agent/config';
import { Json, WaldurApi } from '../../emulators/waldur/agent/api';
import { stringify } from 'yaml';

let waldur: Awaited<ReturnType<typeof startWaldur>>;
let a: WaldurApi;
const offerings: Record<'A' | 'B', Json> = {} as Record<'A' | 'B', Json>;
let subject: Json;

async function offering(name: string): Promise<Json> {
  const [customer] = await a.list('/api/customers/');
  const [category] = await a.list('/api/marketplace-categories/');
  const o = await a.post('/api/marketplace-provider-offerings/', { name, type: 'Marketplace.Slurm', customer: customer.url, category: category.url, components: [{ type: 'cpu', name: 'CPU', billing_type: 'limit' }], plans: [{ name: 'Default' }] });
  await a.post(`/api/marketplace-provider-offerings/${o.uuid}/activate/`);
  await fetch(`${waldur.a.adminUrl}offerings/${o.uuid}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ plugin_options: { service_provider_can_create_offering_user: true } }) });
  return { ...o, customer_uuid: customer.uuid };
}

function run(gates: { stomp_enabled?: boolean; membership_sync_backend?: string; username_reconciliation_enabled?: boolean }): AgentRun {
  const yaml = stringify({
    offerings: [{
      name: 'sync', waldur_api_url: `${waldur.a.url}api/`, waldur_api_token: waldur.a.token, waldur_offering_uuid: offerings.A.uuid, backend_type: 'waldur', ...gates,
      backend_settings: { target_api_url: waldur.a.url, target_api_token: waldur.a.token, target_offering_uuid: offerings.B.uuid, target_customer_uuid: offerings.B.customer_uuid },
    }],
  });
  return new AgentRun('t', 'order_process', parseAgentConfig(yaml));
}

async function offeringUser(which: 'A' | 'B'): Promise<Json> {
  const [ou] = await a.list('/api/marketplace-offering-users/', { offering_uuid: offerings[which].uuid, user_uuid: subject.uuid });
  return ou;
}

async function writesOnA(since: string): Promise<number> {
  const ou = await offeringUser('A');
  const log = (await (await fetch(`${waldur.a.adminUrl}requests?contains=${ou.uuid}&since=${encodeURIComponent(since)}`)).json()) as Json[];
  return log.filter((r) => r.method === 'PATCH').length;
}

before(async () => {
  waldur = await startWaldur({ broker: null, targetStomp: false });
  a = new WaldurApi(waldur.a.url, waldur.a.token);
  offerings.A = await offering('sync A');
  offerings.B = await offering('sync B');
  subject = await a.post('/api/users/', { username: 'sync-subject', email: 'sync-subject@example.org' });
  await a.post('/api/marketplace-offering-users/', { user: subject.url, offering_uuid: offerings.A.uuid, username: 'placeholder' });
  const onB = await a.post('/api/marketplace-offering-users/', { user: subject.url, offering_uuid: offerings.B.uuid });
  await a.patch(`/api/marketplace-offering-users/${onB.uuid}/`, { username: 'from-b' });
});
after(() => waldur.stop());

test('the periodic reconciliation skips offerings that do not qualify, with the reason', async () => {
  const since = new Date().toISOString();
  for (const [gates, reason] of [
    [{ stomp_enabled: true, membership_sync_backend: 'waldur', username_reconciliation_enabled: false }, 'username_reconciliation_enabled is off'],
    [{ membership_sync_backend: 'waldur', username_reconciliation_enabled: true }, 'stomp_enabled is off'],
    [{ stomp_enabled: true, username_reconciliation_enabled: true }, 'no membership_sync_backend'],
  ] as const) {
    const [report] = await run(gates).reconcileUsernames();
    assert.deepEqual({ skipped: report.skipped, changed: report.changed }, { skipped: reason, changed: false });
  }
  assert.equal((await offeringUser('A')).username, 'placeholder');
  assert.equal(await writesOnA(since), 0);
});

test('sync copies B username to A with one PATCH, and the second run writes nothing', async () => {
  const agent = run({ stomp_enabled: true, membership_sync_backend: 'waldur', username_reconciliation_enabled: true });
  const first = new Date().toISOString();
  const [report] = await agent.reconcileUsernames();
  assert.deepEqual({ skipped: report.skipped, changed: report.changed, to: report.patched.map((p) => p.to) }, { skipped: null, changed: true, to: ['from-b'] });
  assert.deepEqual([(await offeringUser('A')).username, (await offeringUser('A')).state], ['from-b', 'OK']);
  assert.equal(await writesOnA(first), 1);
  const second = new Date().toISOString();
  const [again] = await agent.syncUsernames();
  assert.deepEqual({ changed: again.changed, patched: again.patched }, { changed: false, patched: [] });
  assert.equal(await writesOnA(second), 0);
});
