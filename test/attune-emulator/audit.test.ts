// The execution audit trail (T3.28): the lifecycle entries of one execution, read by execution,
// each by its component; append-only over the API (405) and in the database (trigger).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Client } from 'pg';
import { eventually, terminal, unique, useAttune } from './helpers';

const ctx = useAttune();

describe('audit trail', () => {
  it('records created, scheduled, started and completed, and refuses to change them', async () => {
    const { api, attune } = ctx;
    const pack = unique();
    await api.create('/api/v1/packs', { ref: pack, label: 'x', version: '1' });
    await api.create('/api/v1/actions', { ref: `${pack}.a`, pack_ref: pack, label: 'a', entrypoint: 'true', runtime_ref: 'core.shell' });
    const exec = await api.create('/api/v1/executions/execute', { action_ref: `${pack}.a` });
    await terminal(api, exec.id);
    const items = await eventually(async () => {
      const r = await api.call('GET', `/api/v1/audit-events?resource_type=execution&resource_id=${exec.id}`);
      return r.body.items?.length === 4 ? r.body.items : undefined;
    }, 5000, 'four audit entries');
    assert.deepEqual(items.map((e: any) => e.event_type), ['execution.created', 'execution.scheduled', 'execution.started', 'execution.completed']);
    assert.equal(items[0].actor_login, 'admin@attune.local');
    assert.match(items[1].actor_login, /^executor@/);
    assert.match(items[2].actor_login, /^worker@/);
    assert.equal(items[3].actor_login, items[2].actor_login);
    assert.equal((await api.call('PUT', `/api/v1/audit-events/${items[0].id}`, { actor_login: 'x' })).status, 405);
    assert.equal((await api.call('DELETE', `/api/v1/audit-events/${items[0].id}`)).status, 405);
    assert.equal((await api.call('GET', '/api/v1/audit-events?resource_id=abc')).status, 400);
    const db = new Client({ connectionString: attune.databaseUrl });
    await db.connect();
    try {
      await assert.rejects(db.query("UPDATE audit_event SET actor_login = 'x' WHERE id = $1", [items[0].id]), /append-only/);
      await assert.rejects(db.query('DELETE FROM audit_event WHERE id = $1', [items[0].id]), /append-only/);
    } finally {
      await db.end();
    }
  });
});
