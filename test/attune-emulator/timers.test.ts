// The timer sensor on the real clock: interval precision, one-shot date timers and six-field
// cron timers, and timers stopping when their rule is disabled.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventually, unique, useAttune } from './helpers';

const ctx = useAttune();

async function timerRule(trigger: string, params: Record<string, unknown>) {
  const pack = unique();
  await ctx.api.create('/api/v1/packs', { ref: pack, label: 'Timers', version: '1.0.0' });
  await ctx.api.create('/api/v1/rules', { ref: `${pack}.r`, pack_ref: pack, label: 'R', action_ref: 'core.echo', trigger_ref: trigger, trigger_params: params, action_params: { message: 'tick' } });
  return `${pack}.r`;
}

async function events(rule: string): Promise<any[]> {
  const items = (await ctx.api.call('GET', `/api/v1/events?rule_ref=${rule}&per_page=100`)).body.items;
  return Promise.all(items.reverse().map(async (e: any) => (await ctx.api.call('GET', `/api/v1/events/${e.id}`)).body.data));
}

describe('timers', () => {
  it('fires an interval timer on schedule without drift, and stops when the rule is disabled', async () => {
    const rule = await timerRule('core.intervaltimer', { unit: 'seconds', interval: 1 });
    const fired = await eventually(async () => {
      const e = await events(rule);
      return e.length >= 3 ? e : undefined;
    }, 6000, 'three interval events');
    await ctx.api.create(`/api/v1/rules/${rule}/disable`, undefined, 200);
    const times = fired.slice(0, 3).map((e) => Date.parse(e.payload.fired_at));
    for (let i = 1; i < times.length; i++) assert.ok(Math.abs(times[i] - times[i - 1] - 1000) < 150, `interval ${times[i] - times[i - 1]} ms`);
    assert.equal(fired[0].payload.type, 'interval');
    assert.equal(fired[0].payload.interval_seconds, 1);
    const execs = await eventually(async () => {
      const items = (await ctx.api.call('GET', `/api/v1/executions?rule_ref=${rule}`)).body.items;
      return items.length >= 3 && items.every((x: any) => x.status === 'completed') ? items : undefined;
    }, 5000, 'completed executions');
    assert.ok(execs.length >= 3);
    const count = (await events(rule)).length;
    await new Promise((r) => setTimeout(r, 1300)); // a window in which nothing may happen
    assert.equal((await events(rule)).length, count, 'no events after the rule was disabled');
  });

  it('records each firing on time even while the main thread is blocked (the clock has its own thread)', async () => {
    const rule = await timerRule('core.intervaltimer', { unit: 'seconds', interval: 1 });
    await eventually(async () => ((await events(rule)).length >= 1 ? true : undefined), 4000, 'the first interval event');
    const busyUntil = Date.now() + 1500; // stands for a long synchronous stretch (a slow query, a fork, a GC pause)
    while (Date.now() < busyUntil) { /* block the event loop across the next firing */ }
    const fired = await eventually(async () => {
      const e = await events(rule);
      return e.length >= 3 ? e : undefined;
    }, 4000, 'three interval events');
    await ctx.api.call('DELETE', `/api/v1/rules/${rule}`);
    const times = fired.slice(0, 3).map((e) => Date.parse(e.created));
    for (let i = 1; i < times.length; i++) assert.ok(Math.abs(times[i] - times[i - 1] - 1000) < 150, `interval ${times[i] - times[i - 1]} ms`);
  });

  it('fires a date timer exactly once, and a past date immediately', async () => {
    const soon = await timerRule('core.datetimetimer', { fire_at: new Date(Date.now() + 800).toISOString(), timezone: 'UTC' });
    const past = await timerRule('core.datetimetimer', { fire_at: new Date(Date.now() - 60_000).toISOString() });
    const [first] = await eventually(async () => {
      const e = await events(soon);
      return e.length ? e : undefined;
    }, 4000, 'the date timer event');
    assert.equal(first.payload.type, 'one_shot');
    assert.ok((await events(past)).length <= 1);
    await eventually(async () => (await events(past)).length === 1, 2000, 'the past-date event');
    await ctx.api.create(`/api/v1/rules/${soon}/disable`, undefined, 200);
    await ctx.api.create(`/api/v1/rules/${soon}/enable`, undefined, 200);
    await new Promise((r) => setTimeout(r, 500)); // a window in which nothing may happen
    assert.equal((await events(soon)).length, 1);
  });

  it('fires a six-field cron timer on the second marks, and rejects bad expressions', async () => {
    const rule = await timerRule('core.crontimer', { expression: '* * * * * *', timezone: 'UTC' });
    const fired = await eventually(async () => {
      const e = await events(rule);
      return e.length >= 2 ? e : undefined;
    }, 4000, 'two cron events');
    await ctx.api.call('DELETE', `/api/v1/rules/${rule}`);
    for (const e of fired) assert.ok(Date.parse(e.payload.fired_at) % 1000 < 200, `fired at ${e.payload.fired_at}`);
    const pack = unique();
    await ctx.api.create('/api/v1/packs', { ref: pack, label: 'x', version: '1' });
    const bad = await ctx.api.call('POST', '/api/v1/rules', { ref: `${pack}.bad`, pack_ref: pack, label: 'x', action_ref: 'core.noop', trigger_ref: 'core.crontimer', trigger_params: { expression: '*/5 * * * *' } });
    assert.equal(bad.status, 422);
  });
});
