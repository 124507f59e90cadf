// Startup time, the database through `pg`, the notifier WebSocket, and a clean stop().
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from 'pg';
import { WebSocket } from 'ws';
import { startAttune } from '../../emulators/attune';
import { ADMIN, Api, Attune, eventually, terminal, unique } from './helpers';

let attune: Attune;
let api: Api;

before(async () => {
  attune = await startAttune({ admin: ADMIN });
  api = await new Api(attune).login();
});
after(async () => {
  await attune.stop();
});

describe('lifecycle', () => {
  it('serves the attune schema to a pg client', async () => {
    const { action } = await (async () => {
      const pack = unique();
      await api.create('/api/v1/packs', { ref: pack, label: 'x', version: '1' });
      await api.create('/api/v1/actions', { ref: `${pack}.a`, pack_ref: pack, label: 'a', entrypoint: 'echo db', runtime_ref: 'core.shell' });
      return { action: `${pack}.a` };
    })();
    const exec = await api.create('/api/v1/executions/execute', { action_ref: action });
    await terminal(api, exec.id);
    const client = new Client({ connectionString: attune.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT status::text AS status, result FROM execution WHERE id = $1', [exec.id]);
      assert.equal(rows[0].status, 'completed');
      assert.equal(rows[0].result.stdout, 'db\n');
      const { rows: enumRows } = await client.query(`SELECT unnest(enum_range(NULL::attune.execution_status_enum))::text AS s`);
      // Upstream's ten statuses, plus the plan's succeeded_with_errors (T2.2's on_failure: continue, @upstream-gap).
      assert.deepEqual(enumRows.map((r) => r.s), ['requested', 'scheduling', 'scheduled', 'running', 'completed', 'succeeded_with_errors', 'failed', 'canceling', 'cancelled', 'timeout', 'abandoned']);
    } finally {
      await client.end();
    }
  });

  it('notifies subscribers of execution status changes over the authenticated WebSocket', async () => {
    const denied = new WebSocket(attune.notifierUrl);
    denied.on('error', () => undefined);
    const status = await new Promise<number>((resolve) => denied.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
    assert.equal(status, 401);
    denied.terminate();

    const ws = new WebSocket(attune.notifierUrl, ['attune.v1', `attune.jwt.${api.token}`]);
    const messages: any[] = [];
    ws.on('message', (d) => messages.push(JSON.parse(String(d))));
    await eventually(async () => messages.find((m) => m.type === 'welcome'), 3000, 'welcome');
    assert.equal(ws.protocol, 'attune.v1');
    ws.send(JSON.stringify({ type: 'subscribe', filter: 'entity_type:execution' }));
    ws.send(JSON.stringify({ type: 'subscribe', filter: 'bogus' }));
    await eventually(async () => messages.find((m) => m.type === 'error'), 3000, 'an error for the bad filter');
    const exec = await api.create('/api/v1/executions/execute', { action_ref: 'core.noop' });
    const done = await eventually(async () =>
      messages.find((m) => m.type === 'notification' && m.notification_type === 'execution_status_changed' && m.entity_id === exec.id && m.payload.status === 'completed'),
      5000, 'the completed notification');
    assert.equal(done.entity_type, 'execution');
    assert.equal(done.payload.action_ref, 'core.noop');
    const seen = messages.filter((m) => m.entity_id === exec.id && m.notification_type === 'execution_status_changed').map((m) => m.payload.status);
    assert.deepEqual(seen, ['scheduling', 'scheduled', 'running', 'completed']);
    ws.close();
  });

  it('stop() leaves nothing running: a process that starts and stops it exits by itself', () => {
    const script = `
      const { startAttune } = require(${JSON.stringify(path.resolve(__dirname, '../../emulators/attune'))});
      (async () => {
        const a = await startAttune({ admin: { login: 'x@y.z', password: 'Password123!' } });
        const login = await (await fetch(a.apiUrl + '/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ login: 'x@y.z', password: 'Password123!' }) })).json();
        const h = { 'content-type': 'application/json', authorization: 'Bearer ' + login.data.access_token };
        await fetch(a.apiUrl + '/api/v1/packs', { method: 'POST', headers: h, body: JSON.stringify({ ref: 'idle', label: 'x', version: '1' }) });
        await fetch(a.apiUrl + '/api/v1/rules', { method: 'POST', headers: h, body: JSON.stringify({ ref: 'idle.r', pack_ref: 'idle', label: 'r', action_ref: 'core.sleep', trigger_ref: 'core.intervaltimer', trigger_params: { interval: 1 }, action_params: { seconds: 30 } }) });
        await fetch(a.apiUrl + '/api/v1/executions/execute', { method: 'POST', headers: h, body: JSON.stringify({ action_ref: 'core.sleep', parameters: { seconds: 30 } }) });
        await a.stop();
      })();`;
    const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: path.resolve(__dirname, '../..'), timeout: 60_000, encoding: 'utf8' });
    assert.equal(r.status, 0, `exit ${r.status} signal ${r.signal} stderr ${r.stderr}`);
    assert.equal(r.stdout, '', 'no stdout noise');
  });
});
