// The worker service as its own process, through the operator interface (/__admin/worker): only
// admins may use it, bad signals are refused (400), a second start is a conflict (409), and an
// execution queued while no worker runs waits in `scheduled` until one is started.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Api, eventually, terminal, unique, useAttune } from './helpers';

const ctx = useAttune();

describe('the worker service', () => {
  it('answers its operator only, refuses bad signals and a second start', async () => {
    const up = await ctx.api.call('GET', '/__admin/worker');
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal(up.body.data.state, 'ready');
    assert.ok(Number.isInteger(up.body.data.pid) && up.body.data.pid !== process.pid, 'a process of its own');
    assert.equal((await ctx.api.call('GET', '/__admin/worker', undefined, '')).status, 401);
    const login = unique('user');
    await ctx.api.create('/api/v1/identities', { login, display_name: login, password: 'UserPass123!' });
    const user = await new Api(ctx.attune).login(login, 'UserPass123!');
    assert.equal((await user.call('POST', '/__admin/worker/signal', { signal: 'SIGKILL' })).status, 403);
    assert.equal((await ctx.api.call('POST', '/__admin/worker/signal', { signal: 'SIGHUP' })).status, 400);
    assert.equal((await ctx.api.call('POST', '/__admin/worker/start')).status, 409);
  });

  it('holds work in scheduled while no worker runs and hands it to the next one', async () => {
    const killed = await ctx.api.call('POST', '/__admin/worker/signal', { signal: 'SIGKILL' });
    assert.equal(killed.status, 200, JSON.stringify(killed.body));
    await eventually(async () => (await ctx.api.call('GET', '/__admin/worker')).body.data.state === 'stopped', 5000, 'the worker to be gone');
    const exec = await ctx.api.create('/api/v1/executions/execute', { action_ref: 'core.echo', parameters: { message: 'queued' } });
    await eventually(async () => (await ctx.api.execution(exec.id)).status === 'scheduled', 5000, 'the execution to be scheduled');
    const started = await ctx.api.call('POST', '/__admin/worker/start');
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.notEqual(started.body.data.pid, killed.body.data.pid);
    const done = await terminal(ctx.api, exec.id, 20_000);
    assert.equal(done.status, 'completed', JSON.stringify(done.result));
    assert.equal(done.result.stdout, 'queued\n');
  });
});
