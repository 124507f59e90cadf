// Tier 2 behaviour of the emulator over HTTP: key TTL, the keystore.* template namespace (workflow
// inputs and rule criteria), core.ask's default response on timeout, the plan's on_failure: continue,
// and the timeout that stops a process group.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Api, eventually, unique, useAttune } from './helpers';

const ctx = useAttune();

const finished = (api: Api, id: number, within = 20_000) =>
  eventually(async () => {
    const e = await api.execution(id);
    return ['completed', 'succeeded_with_errors', 'failed', 'cancelled', 'timeout', 'abandoned'].includes(e?.status) ? e : undefined;
  }, within, `execution ${id} to finish`);

async function pack(api: Api): Promise<string> {
  const ref = unique();
  await api.create('/api/v1/packs', { ref, label: 'Tier 2 pack', version: '1.0.0' });
  return ref;
}

async function runWorkflow(api: Api, packRef: string, tasks: unknown[], params: Record<string, unknown> = {}) {
  const ref = `${packRef}.${unique('wf')}`;
  await api.create('/api/v1/workflows', { ref, pack_ref: packRef, label: ref, version: '1.0.0', definition: { tasks } });
  const exec = await api.create('/api/v1/executions/execute', { action_ref: ref, parameters: params });
  const done = await finished(api, exec.id);
  const children = (await api.call('GET', `/api/v1/executions?parent=${exec.id}&per_page=100`)).body.items;
  const full = await Promise.all(children.map((c: { id: number }) => api.execution(c.id)));
  const task = (name: string) => full.filter((c: any) => c.workflow_task?.task_name === name);
  return { done, task };
}

describe('key TTL (the plan; upstream keys never expire)', () => {
  it('sets expires_at from ttl, forgets the key after it, and refuses a bad ttl with 422', async () => {
    const ref = unique('k');
    const key = await ctx.api.create('/api/v1/keys', { ref, name: ref, value: 'v', ttl: 1 });
    assert.ok(Math.abs(new Date(key.expires_at).getTime() - new Date(key.created).getTime() - 1000) < 200, JSON.stringify(key));
    assert.equal((await ctx.api.call('GET', `/api/v1/keys/${ref}`)).status, 200);
    await eventually(async () => (await ctx.api.call('GET', `/api/v1/keys/${ref}`)).status === 404, 5000, 'the key to expire');
    const listed = (await ctx.api.call('GET', '/api/v1/keys?per_page=100')).body.items.map((k: { ref: string }) => k.ref);
    assert.ok(!listed.includes(ref));
    assert.equal((await ctx.api.call('POST', '/api/v1/keys', { ref: unique('k'), name: 'x', value: 1, ttl: 0 })).status, 422);
    assert.equal((await ctx.api.call('POST', '/api/v1/keys', { ref: unique('k'), name: 'x', value: 1, ttl: 'soon' })).status, 422);
    // an expired ref can be created again
    assert.equal((await ctx.api.call('POST', '/api/v1/keys', { ref, name: ref, value: 'again' })).status, 201);
  });
});

describe('keystore.* in templates', () => {
  it('resolves a dotted key name nested in a workflow task input', async () => {
    const p = await pack(ctx.api);
    await ctx.api.create('/api/v1/keys', { ref: `${p}.cfg.url`, name: 'cfg.url', value: 'https://x.example', owner_type: 'pack', owner_pack_ref: p });
    const { done, task } = await runWorkflow(ctx.api, p, [{ name: 'say', action: 'core.echo', input: { message: '{{ keystore.cfg.url }}' } }]);
    assert.equal(done.status, 'completed', JSON.stringify(done.result));
    assert.equal(task('say')[0].result.stdout.trim(), 'https://x.example');
  });

  it('lets rule criteria compare the payload with a key of the rule pack', async () => {
    const p = await pack(ctx.api);
    await ctx.api.create('/api/v1/keys', { ref: `${p}.threshold`, name: 'threshold', value: 70, owner_type: 'pack', owner_pack_ref: p });
    const trigger = `${p}.hook`;
    await ctx.api.create('/api/v1/triggers', { ref: trigger, pack_ref: p, label: 'hook' });
    const key = (await ctx.api.create(`/api/v1/triggers/${trigger}/webhooks/enable`, {}, 200)).webhook_key;
    const rule = `${p}.rule`;
    await ctx.api.create('/api/v1/rules', {
      ref: rule, pack_ref: p, label: 'r', action_ref: 'core.noop', trigger_ref: trigger, conditions: { expression: '{{ event.payload.value > keystore.threshold }}' },
    });
    const low = (await ctx.api.call('POST', `/api/v1/webhooks/${key}`, { payload: { value: 50 } })).body.data.event_id;
    const high = (await ctx.api.call('POST', `/api/v1/webhooks/${key}`, { payload: { value: 80 } })).body.data.event_id;
    await eventually(async () => (await ctx.api.call('GET', `/api/v1/enforcements?event=${high}`)).body.items.length === 1, 5000, 'an enforcement for 80');
    assert.deepEqual((await ctx.api.call('GET', `/api/v1/enforcements?event=${low}`)).body.items, []);
  });
});

describe('core.ask on timeout', () => {
  it('completes with the default response when one is given, and times out (timed_out() path) when not', async () => {
    const p = await pack(ctx.api);
    const withDefault = await runWorkflow(ctx.api, p, [
      { name: 'ask', action: 'core.ask', input: { prompt: 'ok?', default_response: { approved: 'no' } }, timeout: 1, on_success: 'say' },
      { name: 'say', action: 'core.echo', input: { message: '{{ task.ask.result.response.approved }}' } },
    ]);
    assert.equal(withDefault.done.status, 'completed', JSON.stringify(withDefault.done.result));
    assert.equal(withDefault.task('say')[0].result.stdout.trim(), 'no');
    const [ask] = withDefault.task('ask');
    const [inquiry] = (await ctx.api.call('GET', `/api/v1/executions/${ask.id}/inquiries`)).body.items;
    assert.equal(inquiry.status, 'timeout');
    const without = await runWorkflow(ctx.api, p, [
      { name: 'ask', action: 'core.ask', input: { prompt: 'ok?' }, timeout: 1, next: [{ when: '{{ timed_out() }}', do: ['escalate'] }] },
      { name: 'escalate', action: 'core.noop' },
    ]);
    assert.equal(without.done.status, 'completed', JSON.stringify(without.done.result));
    assert.equal(without.task('ask')[0].status, 'timeout');
    assert.equal(without.task('escalate')[0].status, 'completed');
  });
});

describe('failure policies and timeouts', () => {
  it("ends succeeded_with_errors under the plan's on_failure: continue, failed under on_failure: abort", async () => {
    const p = await pack(ctx.api);
    await ctx.api.create('/api/v1/actions', { ref: `${p}.fail`, pack_ref: p, label: 'fail', entrypoint: 'exit 1', runtime_ref: 'core.shell' });
    const tasks = (policy: string) => [
      { name: 'bad', action: `${p}.fail`, on_failure: policy, on_success: 'next' },
      { name: 'next', action: 'core.noop' },
    ];
    const cont = await runWorkflow(ctx.api, p, tasks('continue'));
    assert.equal(cont.done.status, 'succeeded_with_errors');
    assert.equal(cont.task('next')[0].status, 'completed');
    const abort = await runWorkflow(ctx.api, p, tasks('abort'));
    assert.equal(abort.done.status, 'failed');
    assert.deepEqual(abort.task('next'), []);
  });

  it('stops a timed-out task with SIGTERM: exit code -1, "timed out", the signal recorded', async () => {
    const p = await pack(ctx.api);
    await ctx.api.create('/api/v1/actions', { ref: `${p}.slow`, pack_ref: p, label: 'slow', entrypoint: 'sleep 30', runtime_ref: 'core.shell' });
    const { done, task } = await runWorkflow(ctx.api, p, [{ name: 'slow', action: `${p}.slow`, timeout: 1 }]);
    assert.equal(done.status, 'failed');
    const [slow] = task('slow');
    assert.equal(slow.status, 'failed');
    assert.match(slow.result.error, /timed out after 1 seconds/);
    assert.deepEqual([slow.result.exit_code, slow.result.signal], [-1, 'SIGTERM']);
  });
});
