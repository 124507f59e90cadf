// The worker services as processes of their own, through the operator interface (/__admin/workers):
// only admins may use it, bad signals (400) and bad taints (422) are refused, a second start is a conflict; an
// execution waits in `scheduled` while no worker that may take it runs, and placement follows
// upstream's scheduling.rs (a worker_selector must match the worker's labels, a no_schedule taint
// keeps out work that does not tolerate it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Api, eventually, terminal, unique, useAttune } from './helpers';

const ctx = useAttune();

describe('the worker services', () => {
  it('answer their operator only, refuse bad signals, bad taints and a second start', async () => {
    const up = await ctx.api.call('GET', '/__admin/workers/default');
    assert.equal(up.status, 200, JSON.stringify(up.body));
    assert.equal(up.body.data.state, 'ready');
    assert.ok(Number.isInteger(up.body.data.pid) && up.body.data.pid !== process.pid, 'a process of its own');
    assert.equal((await ctx.api.call('GET', '/__admin/workers', undefined, '')).status, 401);
    const login = unique('user');
    await ctx.api.create('/api/v1/identities', { login, display_name: login, password: 'UserPass123!' });
    const user = await new Api(ctx.attune).login(login, 'UserPass123!');
    assert.equal((await user.call('POST', '/__admin/workers/default/signal', { signal: 'SIGKILL' })).status, 403);
    assert.equal((await ctx.api.call('POST', '/__admin/workers/default/signal', { signal: 'SIGHUP' })).status, 400);
    assert.equal((await ctx.api.call('POST', '/__admin/workers/default/start')).status, 409);
    assert.equal((await ctx.api.call('GET', '/__admin/workers/nobody')).status, 404);
    assert.equal((await ctx.api.call('POST', '/__admin/workers', { name: 'x', taints: [{ key: '' }] })).status, 422);
    assert.equal((await ctx.api.call('POST', '/__admin/workers', { name: 'default' })).status, 409);
    const bad = await ctx.api.call('POST', '/api/v1/executions/execute', { action_ref: 'core.echo', parameters: {}, worker_selector: { zone: 1 } });
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
    assert.match(bad.body.error, /worker_selector must be an object of string labels/);
  });

  it('hold work in scheduled while no worker may take it, and hand it to the one that may', async () => {
    const name = unique('worker');
    const labels = { team: name };
    const started = await ctx.api.call('POST', '/__admin/workers', { name, labels, taints: [{ key: 'team', value: name, effect: 'no_schedule' }] });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    try {
      const tolerations = [{ key: 'team', operator: 'equal', value: name, effect: 'no_schedule' }];
      // Work for the tainted worker runs there; its selector and tolerations are part of the execution.
      const mine = await ctx.api.create('/api/v1/executions/execute', { action_ref: 'core.echo', parameters: { message: 'mine' }, worker_selector: labels, worker_tolerations: tolerations });
      assert.deepEqual([mine.worker_selector, mine.worker_tolerations], [labels, tolerations]);
      assert.equal((await terminal(ctx.api, mine.id, 20_000)).status, 'completed');
      // Killed, it takes nothing: its work waits, while untargeted work still runs on `default`.
      assert.equal((await ctx.api.call('POST', `/__admin/workers/${name}/signal`, { signal: 'SIGKILL' })).status, 200);
      await eventually(async () => (await ctx.api.call('GET', `/__admin/workers/${name}`)).body.data.state === 'stopped', 5000, 'the worker to be gone');
      const queued = await ctx.api.create('/api/v1/executions/execute', { action_ref: 'core.echo', parameters: { message: 'queued' }, worker_selector: labels, worker_tolerations: tolerations });
      const other = await ctx.api.create('/api/v1/executions/execute', { action_ref: 'core.echo', parameters: { message: 'other' } });
      assert.equal((await terminal(ctx.api, other.id, 20_000)).status, 'completed');
      assert.equal((await ctx.api.execution(queued.id)).status, 'scheduled');
      const again = await ctx.api.call('POST', `/__admin/workers/${name}/start`);
      assert.equal(again.status, 200, JSON.stringify(again.body));
      assert.notEqual(again.body.data.pid, started.body.data.pid);
      const done = await terminal(ctx.api, queued.id, 20_000);
      assert.equal(done.status, 'completed', JSON.stringify(done.result));
      assert.equal(done.result.stdout, 'queued\n');
      // Without the toleration, the taint keeps work selecting that worker off it: it waits.
      const untolerated = await ctx.api.create('/api/v1/executions/execute', { action_ref: 'core.echo', parameters: { message: 'x' }, worker_selector: labels });
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal((await ctx.api.execution(untolerated.id)).status, 'scheduled');
      assert.equal((await ctx.api.call('POST', `/api/v1/executions/${untolerated.id}/cancel`)).status, 200);
    } finally {
      assert.equal((await ctx.api.call('DELETE', `/__admin/workers/${name}`)).status, 204);
    }
    assert.equal((await ctx.api.call('GET', `/__admin/workers/${name}`)).status, 404);
  });
});
