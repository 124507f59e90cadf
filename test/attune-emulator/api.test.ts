// The emulator over HTTP: auth, error shapes, webhook -> event -> enforcement -> execution,
// failures, the key store, tenants and with_items workflows.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Client } from 'pg';
import { ADMIN, Api, eventually, terminal, unique, useAttune } from './helpers';

const ctx = useAttune();

/** A fresh pack with an inline shell action; returns their refs. */
async function packWithAction(client: Api, entrypoint: string, extra: Record<string, unknown> = {}) {
  const pack = unique();
  await client.create('/api/v1/packs', { ref: pack, label: 'Test pack', version: '1.0.0' });
  await client.create('/api/v1/actions', { ref: `${pack}.act`, pack_ref: pack, label: 'Act', entrypoint, runtime_ref: 'core.shell', ...extra });
  return { pack, action: `${pack}.act` };
}

describe('auth', () => {
  it('logs in, reads /auth/me and refreshes tokens', async () => {
    const login = await ctx.api.call('POST', '/auth/login', ADMIN);
    assert.equal(login.status, 200);
    const data = login.body.data;
    assert.equal(data.token_type, 'Bearer');
    assert.equal(data.expires_in, 3600);
    assert.equal(data.user.login, ADMIN.login);
    const me = await ctx.api.call('GET', '/auth/me');
    assert.equal(me.body.data.login, ADMIN.login);
    assert.equal(typeof me.body.data.id, 'number');
    const refreshed = await ctx.api.call('POST', '/auth/refresh', { refresh_token: data.refresh_token });
    assert.equal(refreshed.status, 200);
    assert.equal(typeof refreshed.body.data.access_token, 'string');
    assert.equal(refreshed.body.data.user, undefined);
    assert.equal((await ctx.api.call('POST', '/auth/refresh', { refresh_token: data.access_token })).status, 401);
  });

  it('refuses bad credentials and missing or forged tokens with the upstream shapes', async () => {
    const bad = await ctx.api.call('POST', '/auth/login', { login: ADMIN.login, password: 'wrong-password' });
    assert.equal(bad.status, 401);
    assert.equal(bad.body.code, 'UNAUTHORIZED');
    const missing = await ctx.api.call('GET', '/api/v1/packs', undefined, '');
    assert.deepEqual(missing, { status: 401, body: { error: { code: 401, message: 'Missing authentication token' } } });
    const forged = await ctx.api.call('GET', '/api/v1/packs', undefined, `${ctx.api.token}x`);
    assert.equal(forged.body.error.message, 'Invalid authentication token');
  });

  it('registers users (200), refuses duplicates (409) and short passwords (422)', async () => {
    const login = unique('user');
    const reg = await ctx.api.call('POST', '/auth/register', { login, password: 'Password123!' });
    assert.equal(reg.status, 200);
    assert.equal(reg.body.data.user.login, login);
    assert.equal((await ctx.api.call('POST', '/auth/register', { login, password: 'Password123!' })).status, 409);
    assert.equal((await ctx.api.call('POST', '/auth/register', { login: unique('user'), password: 'short' })).status, 422);
  });
});

describe('request validation', () => {
  it('answers malformed JSON with 400, wrong types with 422, unknown refs with 404, duplicates with 409', async () => {
    const malformed = await ctx.api.call('POST', '/api/v1/packs', '{"ref": ');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.code, 'BAD_REQUEST');
    const wrongType = await ctx.api.call('POST', '/api/v1/packs', { ref: 42, label: 'x', version: '1' });
    assert.equal(wrongType.status, 422);
    assert.equal(typeof wrongType.body.error, 'string');
    assert.equal((await ctx.api.call('POST', '/api/v1/packs', [1, 2])).status, 422);
    assert.equal((await ctx.api.call('GET', '/api/v1/packs/no-such-pack')).status, 404);
    assert.equal((await ctx.api.call('GET', '/api/v1/executions/abc')).status, 404);
    const ref = unique();
    await ctx.api.create('/api/v1/packs', { ref, label: 'x', version: '1' });
    const dup = await ctx.api.call('POST', '/api/v1/packs', { ref, label: 'x', version: '1' });
    assert.equal(dup.status, 409);
    assert.equal(dup.body.code, 'CONFLICT');
    const del = await ctx.api.call('DELETE', `/api/v1/packs/${ref}`);
    assert.deepEqual(del.body, { success: true, message: `Pack '${ref}' deleted successfully` });
  });
});

describe('webhook trigger -> rule -> execution', () => {
  it('runs the action with the templated payload and records event, enforcement and output', async () => {
    const { pack, action } = await packWithAction(ctx.api, 'echo "$message"; cat >&2');
    await ctx.api.create('/api/v1/triggers', { ref: `${pack}.hook`, pack_ref: pack, label: 'Hook' });
    const trigger = await ctx.api.create(`/api/v1/triggers/${pack}.hook/webhooks/enable`, undefined, 200);
    assert.equal(trigger.webhook_enabled, true);
    assert.match(trigger.webhook_key, /^wh_[0-9a-f]{32}$/);
    await ctx.api.create('/api/v1/rules', {
      ref: `${pack}.rule`, pack_ref: pack, label: 'Rule', action_ref: action, trigger_ref: `${pack}.hook`,
      action_params: { message: '{{ event.payload.message }}', level: '{{ event.payload.level }}' },
    });
    const fired = await ctx.api.call('POST', `/api/v1/webhooks/${trigger.webhook_key}`, { payload: { message: 'hello', level: 'info' } }, '');
    assert.equal(fired.status, 200);
    assert.equal(fired.body.data.trigger_ref, `${pack}.hook`);
    const event = (await ctx.api.call('GET', `/api/v1/events/${fired.body.data.event_id}`)).body.data;
    assert.deepEqual(event.payload, { message: 'hello', level: 'info' });
    const list = await eventually(async () => {
      const r = await ctx.api.call('GET', `/api/v1/executions?action_ref=${action}`);
      return r.body.items.length ? r.body : undefined;
    });
    const done = await terminal(ctx.api, list.items[0].id);
    assert.equal(done.status, 'completed');
    assert.equal(done.result.stdout, 'hello\n');
    assert.equal(done.result.exit_code, 0);
    assert.equal(done.result.stderr, undefined, 'stderr is never inline in the result');
    assert.deepEqual(JSON.parse(await stderrOf(done.id)), { message: 'hello', level: 'info' }, 'parameters arrive on stdin as JSON');
    const enforcements = (await ctx.api.call('GET', `/api/v1/enforcements?event=${event.id}`)).body.items;
    assert.equal(enforcements.length, 1);
    assert.equal(enforcements[0].status, 'processed');
    assert.equal((await ctx.api.call('GET', `/api/v1/events?trigger=${trigger.id}`)).body.items.length, 1);
  });

  it('rejects unknown keys (404) and bodies without a payload (400)', async () => {
    assert.equal((await ctx.api.call('POST', '/api/v1/webhooks/wh_nope', { payload: {} }, '')).status, 404);
    const { pack } = await packWithAction(ctx.api, 'true');
    await ctx.api.create('/api/v1/triggers', { ref: `${pack}.hook`, pack_ref: pack, label: 'Hook' });
    const { webhook_key } = await ctx.api.create(`/api/v1/triggers/${pack}.hook/webhooks/enable`, undefined, 200);
    assert.equal((await ctx.api.call('POST', `/api/v1/webhooks/${webhook_key}`, 'not json', '')).status, 400);
    assert.equal((await ctx.api.call('POST', `/api/v1/webhooks/${webhook_key}`, { other: 1 }, '')).status, 400);
  });

  it('skips rules whose conditions do not match', async () => {
    const { pack, action } = await packWithAction(ctx.api, 'true');
    await ctx.api.create('/api/v1/triggers', { ref: `${pack}.hook`, pack_ref: pack, label: 'Hook' });
    const { webhook_key } = await ctx.api.create(`/api/v1/triggers/${pack}.hook/webhooks/enable`, undefined, 200);
    await ctx.api.create('/api/v1/rules', {
      ref: `${pack}.rule`, pack_ref: pack, label: 'R', action_ref: action, trigger_ref: `${pack}.hook`,
      conditions: { expression: "{{ event.payload.env in ['prod', 'staging'] and event.payload.value > 100 }}" },
    });
    for (const payload of [{ env: 'dev', value: 500 }, { env: 'prod', value: 5 }, { env: 'prod', value: 500 }]) {
      await ctx.api.call('POST', `/api/v1/webhooks/${webhook_key}`, { payload }, '');
    }
    const list = await eventually(async () => (await ctx.api.call('GET', `/api/v1/enforcements?rule_ref=${pack}.rule`)).body.items.length === 1);
    assert.ok(list);
  });
});

/** The stderr log as upstream serves it: SSE content events, then done. */
async function stderrOf(id: number): Promise<string> {
  const r = await ctx.api.call('GET', `/api/v1/executions/${id}/logs/stderr/stream`);
  assert.equal(r.status, 200);
  return String(r.body).split('\n\n').filter((b) => /^(id: \d+\n)?event: (content|append)/.test(b))
    .map((b) => b.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.replace(/^data: ?/, '')).join('\n')).join('');
}

describe('failures', () => {
  it('says "Command exited with code N" without stderr, and the last line of a long stderr', async () => {
    const quiet = await packWithAction(ctx.api, 'exit 4');
    const q = await terminal(ctx.api, (await ctx.api.create('/api/v1/executions/execute', { action_ref: quiet.action })).id);
    assert.equal(q.result.error, 'Command exited with code 4');
    assert.equal(q.result.stderr_log, undefined);
    assert.equal(q.result.stdout, undefined, 'no stdout key for empty stdout');
    const noisy = await packWithAction(ctx.api, 'for i in 1 2 3 4 5 6; do echo "line $i" >&2; done; exit 2');
    const n = await terminal(ctx.api, (await ctx.api.create('/api/v1/executions/execute', { action_ref: noisy.action })).id);
    assert.equal(n.result.error, 'line 6');
  });

  it('marks a non-zero exit as failed, keeps stderr and exit code, and does not retry', async () => {
    const { action } = await packWithAction(ctx.api, 'echo "Starting action..." >&2; exit 3');
    const exec = await ctx.api.create('/api/v1/executions/execute', { action_ref: action });
    assert.equal(exec.status, 'requested');
    const done = await terminal(ctx.api, exec.id);
    assert.equal(done.status, 'failed');
    assert.equal(done.result.exit_code, 3);
    assert.equal(done.result.succeeded, false);
    assert.equal(done.result.error, 'Starting action...', 'a short stderr is the error');
    assert.match(done.result.stderr_log, /execution_\d+\/stderr\.log$/);
    assert.match(await stderrOf(done.id), /Starting action/);
    const all = (await ctx.api.call('GET', `/api/v1/executions?action_ref=${action}`)).body.items;
    assert.equal(all.length, 1);
  });

  it('fails an execution whose required parameter is missing, and 404s unknown actions', async () => {
    const { action } = await packWithAction(ctx.api, 'true', { param_schema: { name: { type: 'string', required: true } } });
    const done = await terminal(ctx.api, (await ctx.api.create('/api/v1/executions/execute', { action_ref: action })).id);
    assert.equal(done.status, 'failed');
    assert.match(done.result.error, /name/);
    assert.equal((await ctx.api.call('POST', '/api/v1/executions/execute', { action_ref: 'nope.nope' })).status, 404);
  });
});

describe('key-value store', () => {
  it('stores plain and encrypted values and hands them to actions on stdin; missing keys are null', async () => {
    const name = unique('k').toLowerCase();
    await ctx.api.create('/api/v1/keys', { ref: name, name, value: 'https://api.example.com', owner_type: 'system' });
    await ctx.api.create('/api/v1/keys', { ref: `${name}.secret`, name: `${name}_secret`, value: { token: 's3cr3t' }, encrypted: true, owner_type: 'system' });
    const got = (await ctx.api.call('GET', `/api/v1/keys/${name}.secret`)).body.data;
    assert.equal(got.encrypted, true);
    assert.deepEqual(got.value, { token: 's3cr3t' });
    const { action } = await packWithAction(ctx.api, 'cat');
    const done = await terminal(ctx.api, (await ctx.api.create('/api/v1/executions/execute', { action_ref: action })).id);
    const stdin = JSON.parse(done.result.stdout);
    assert.equal(stdin[name], 'https://api.example.com');
    assert.deepEqual(stdin[`${name}_secret`], { token: 's3cr3t' });
    assert.equal(stdin.missing_key ?? null, null);
    assert.equal((await ctx.api.call('GET', '/api/v1/keys/no.such.key')).status, 404);
    assert.equal((await ctx.api.call('PUT', `/api/v1/keys/${name}`, { value: 42 })).body.data.value, 42);
  });
});

describe('tenants', () => {
  it("hides one tenant's packs, actions, executions and keys from another", async () => {
    const register = async (tenant: string) => {
      const r = await ctx.api.call('POST', '/auth/register', { login: unique('u'), password: 'Password123!', tenant });
      return new Api(ctx.attune, r.body.data.access_token);
    };
    const a = await register(unique('ta'));
    const b = await register(unique('tb'));
    const { pack, action } = await packWithAction(a, 'echo mine');
    const exec = await a.create('/api/v1/executions/execute', { action_ref: action });
    await a.create('/api/v1/keys', { ref: `${pack}.k`, name: 'k', value: 1, owner_type: 'system' });
    const packs = (await b.call('GET', '/api/v1/packs')).body.items.map((p: any) => p.ref);
    assert.ok(!packs.includes(pack));
    assert.ok(packs.includes('core'), 'the system pack stays visible');
    assert.equal((await b.call('GET', `/api/v1/packs/${pack}`)).status, 404);
    assert.equal((await b.call('GET', `/api/v1/actions/${action}`)).status, 404);
    assert.equal((await b.call('POST', '/api/v1/executions/execute', { action_ref: action })).status, 404);
    assert.equal((await b.call('GET', `/api/v1/executions/${exec.id}`)).status, 404);
    assert.equal((await b.call('GET', `/api/v1/keys/${pack}.k`)).status, 404);
    assert.equal((await b.call('GET', '/api/v1/executions')).body.items.length, 0);
    assert.equal((await terminal(a, exec.id)).status, 'completed');
    assert.equal((await ctx.api.call('GET', `/api/v1/packs/${pack}`)).status, 200, 'admins see every tenant');
  });
});

describe('workflows', () => {
  it('runs one child per with_items item with parent set, then completes the parent', async () => {
    const { pack, action } = await packWithAction(ctx.api, 'echo "item=$item"');
    await ctx.api.create('/api/v1/workflows', {
      ref: `${pack}.wf`, pack_ref: pack, label: 'WF', version: '1.0.0',
      definition: { tasks: [{ name: 'process_items', action, with_items: '{{ parameters.items }}', input: { item: '{{ item }}' } }] },
    });
    const wf = await ctx.api.create('/api/v1/executions/execute', { action_ref: `${pack}.wf`, parameters: { items: ['apple', 'banana', 'cherry'] } });
    const done = await terminal(ctx.api, wf.id);
    assert.equal(done.status, 'completed');
    const children = (await ctx.api.call('GET', `/api/v1/executions?parent=${wf.id}`)).body.items;
    assert.equal(children.length, 3);
    const outputs = await Promise.all(children.map(async (c: any) => (await ctx.api.execution(c.id)).result.stdout.trim()));
    assert.deepEqual(outputs.sort(), ['item=apple', 'item=banana', 'item=cherry']);
    assert.ok(children.every((c: any) => c.parent === wf.id && c.status === 'completed'));
  });
});

describe('pack registration', () => {
  it('registers a pack directory with a python action file and runs it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-pack-test-'));
    const ref = unique();
    try {
      fs.mkdirSync(path.join(dir, 'actions'));
      fs.writeFileSync(path.join(dir, 'pack.yaml'), `ref: ${ref}\nversion: 1.0.0\nname: Test\n`);
      fs.writeFileSync(path.join(dir, 'actions', 'hello.yaml'), `ref: ${ref}.hello\nrunner_type: python3\nentry_point: hello.py\noutput_format: json\nparameters:\n  who:\n    type: string\n    default: world\n`);
      fs.writeFileSync(path.join(dir, 'actions', 'hello.py'), 'import json, sys\np = json.load(sys.stdin)\nprint(json.dumps({"greeting": "hello " + p["who"]}))\n');
      const reg = await ctx.api.create('/api/v1/packs/register', { path: dir, skip_tests: true });
      assert.equal(reg.pack.ref, ref);
      const done = await terminal(ctx.api, (await ctx.api.create('/api/v1/executions/execute', { action_ref: `${ref}.hello` })).id);
      assert.equal(done.status, 'completed', JSON.stringify(done.result));
      assert.deepEqual(done.result.data, { greeting: 'hello world' });
      assert.equal((await ctx.api.call('POST', '/api/v1/packs/register', { path: dir })).status, 409);

      // The same directory as a .tar.gz upload (multipart field `pack`), replacing it with force.
      const tarball = path.join(os.tmpdir(), `${ref}.tar.gz`);
      execFileSync('tar', ['czf', tarball, '-C', dir, '.']);
      const form = new FormData();
      form.append('pack', new Blob([fs.readFileSync(tarball)]), 'pack.tar.gz');
      form.append('force', 'true');
      fs.rmSync(tarball);
      const res = await fetch(`${ctx.attune.apiUrl}/api/v1/packs/upload`, { method: 'POST', body: form, headers: { authorization: `Bearer ${ctx.api.token}` } });
      assert.equal(res.status, 201);
      assert.equal(((await res.json()) as any).data.pack.ref, ref);
      assert.equal((await ctx.api.call('GET', `/api/v1/actions/${ref}.hello`)).status, 200);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cancellation', () => {
  it('cancels a running execution by killing its process, and refuses to cancel a finished one', async () => {
    const exec = await ctx.api.create('/api/v1/executions/execute', { action_ref: 'core.sleep', parameters: { seconds: 30 } });
    await eventually(async () => (await ctx.api.execution(exec.id)).status === 'running', 5000, 'running');
    const canceling = await ctx.api.create(`/api/v1/executions/${exec.id}/cancel`, undefined, 200);
    assert.ok(['canceling', 'cancelled'].includes(canceling.status));
    const done = await terminal(ctx.api, exec.id, 5000);
    assert.equal(done.status, 'cancelled');
    assert.equal((await ctx.api.call('POST', `/api/v1/executions/${exec.id}/cancel`)).status, 409);
  });
});

describe('inquiries', () => {
  it('pauses a workflow on core.ask until the inquiry is answered, then follows the transition', async () => {
    const { pack, action } = await packWithAction(ctx.api, 'echo "approved by $who"');
    await ctx.api.create('/api/v1/workflows', {
      ref: `${pack}.approval`, pack_ref: pack, label: 'Approval', version: '1.0.0',
      definition: {
        tasks: [
          { name: 'ask', action: 'core.ask', input: { prompt: 'Deploy?', response_schema: { approved: { type: 'boolean', required: true } } },
            next: [{ when: '{{ result().response.approved == true }}', publish: [{ who: '{{ result().response.by }}' }], do: ['deploy'] }] },
          { name: 'deploy', action, input: { who: '{{ workflow.who }}' } },
        ],
      },
    });
    const wf = await ctx.api.create('/api/v1/executions/execute', { action_ref: `${pack}.approval` });
    const inquiry = await eventually(async () => (await ctx.api.call('GET', '/api/v1/inquiries?status=pending')).body.items.find((i: any) => i.prompt === 'Deploy?'), 5000, 'the inquiry');
    assert.equal(inquiry.status, 'pending');
    const answered = await ctx.api.call('POST', `/api/v1/inquiries/${inquiry.id}/respond`, { response: { approved: true, by: 'alice' } });
    assert.equal(answered.status, 200);
    assert.equal(answered.body.data.status, 'responded');
    assert.equal((await ctx.api.call('POST', `/api/v1/inquiries/${inquiry.id}/respond`, { response: { approved: true } })).status, 400);
    assert.equal((await terminal(ctx.api, wf.id)).status, 'completed');
    const children = (await ctx.api.call('GET', `/api/v1/executions?parent=${wf.id}`)).body.items;
    const deploy = children.find((c: any) => c.action_ref === action);
    assert.equal((await ctx.api.execution(deploy.id)).result.stdout, 'approved by alice\n');
  });

  it('times an unanswered inquiry out and gives the asking execution the status timeout', async () => {
    const exec = await ctx.api.create('/api/v1/executions/execute', { action_ref: 'core.ask', parameters: { prompt: 'Quick?', timeout: 1 } });
    const done = await terminal(ctx.api, exec.id, 5000);
    assert.equal(done.status, 'timeout');
    const [inquiry] = (await ctx.api.call('GET', `/api/v1/executions/${exec.id}/inquiries`)).body.items;
    assert.equal(inquiry.status, 'timeout');
  });
});

describe('concurrency policy', () => {
  it('runs executions of an action with a threshold-1 enqueue policy one at a time, in FIFO order', async () => {
    const { action } = await packWithAction(ctx.api, 'sleep 0.2; echo "$n"');
    const db = new Client({ connectionString: ctx.attune.databaseUrl });
    await db.connect();
    try {
      await db.query(`INSERT INTO policy (ref, action_ref, method, threshold) VALUES ($1, $2, 'enqueue', 1)`, [`${action}_limit`, action]);
    } finally {
      await db.end();
    }
    const ids: number[] = [];
    for (let n = 1; n <= 4; n++) ids.push((await ctx.api.create('/api/v1/executions/execute', { action_ref: action, parameters: { n } })).id);
    const done = await Promise.all(ids.map((id) => terminal(ctx.api, id, 10_000)));
    assert.deepEqual(done.map((e) => e.status), ['completed', 'completed', 'completed', 'completed']);
    for (let i = 1; i < done.length; i++) {
      assert.ok(Date.parse(done[i].started_at) >= Date.parse(done[i - 1].updated), `execution ${done[i].id} started before ${done[i - 1].id} ended`);
    }
    const stats = await eventually(async () => {
      const s = (await ctx.api.call('GET', `/api/v1/actions/${action}/queue-stats`)).body.data;
      return s?.total_completed === 4 ? s : undefined;
    }, 3000, 'queue stats');
    assert.equal(stats.total_enqueued, 4);
    assert.equal(stats.active_count, 0);
    assert.equal(stats.max_concurrent, 1);
  });
});
