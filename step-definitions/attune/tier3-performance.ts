/**
 * T3.24 high-frequency trigger: a 1 s interval timer runs for a minute while the API is used and a
 * webhook fires now and then. Counts and latencies come from the target's own records (event and
 * execution timestamps); API response times are what this client saw. The figures are attached to
 * the report next to the plan's targets.
 */
import { performance } from 'node:perf_hooks';
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { EventSummary, Execution, Rule, TIMER_TRIGGERS, Trigger } from '../../world/clients/attune';
import { describe, holdsFor } from '../../world/wait';
import { createRule, finished, ms, thePack } from './context';

interface Run {
  from: number;
  to: number;
  api: number[];
  /** When each API call started, ms into the run. */
  apiAt: number[];
  hooks: { roundTrip: number; recorded: number }[];
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
};

Given('a rule that runs the core echo action every second', async function (this: AcceptanceWorld) {
  await createRule(this, this.attune, {
    packRef: thePack(this).ref, actionRef: 'core.echo', triggerRef: TIMER_TRIGGERS.interval,
    triggerParams: { unit: 'seconds', interval: 1 }, actionParams: { message: 'tick' },
  });
});

When(
  'the timer runs for {duration} while the API is read continuously and the webhook fires every {duration}',
  { timeout: 150_000 },
  async function (this: AcceptanceWorld, window: number, hookEvery: number) {
    const rule = this.recall<Rule>('attune.rule');
    const hook = this.recall<Trigger>('attune.trigger');
    const run: Run = { from: Date.now(), to: 0, api: [], apiAt: [], hooks: [] };
    let nextHook = run.from;
    // The API must answer every call during the run; each call's time is kept for the percentile.
    await holdsFor(
      async () => {
        const t0 = performance.now();
        run.apiAt.push(Date.now() - run.from);
        const reply = await this.attune.call('get', '/api/v1/executions', undefined, { rule_ref: rule.ref, per_page: 20 });
        run.api.push(performance.now() - t0);
        if (Date.now() >= nextHook) {
          nextHook += hookEvery;
          const h0 = performance.now();
          const fired = await this.attune.fireWebhook(hook.webhook_key!, { n: run.hooks.length });
          const roundTrip = performance.now() - h0;
          if (fired.status !== 200) return { status: fired.status, body: fired.body };
          const event = (await this.attune.getEvent(fired.body.data.event_id)).body?.data;
          // The target's own instants: the request received -> the event row recorded.
          run.hooks.push({ roundTrip, recorded: ms(event.created) - ms(fired.body.data.received_at) });
        }
        return { status: reply.status, body: reply.status === 200 ? 'ok' : reply.body };
      },
      (r) => r.status === 200,
      window,
      { every: 100, what: 'the API answering during the run' },
    );
    run.to = Date.now();
    const off = await this.attune.disableRule(rule.ref);
    expect(off.status, `disabling rule ${rule.ref} answered ${describe(off.body)}`).to.equal(200);
    this.remember('attune.perf', run);
  },
);

/** The timer's events that fell inside the run, and the executions they led to (full records). */
async function firings(world: AcceptanceWorld): Promise<{ events: EventSummary[]; executions: Execution[] }> {
  const rule = world.recall<Rule>('attune.rule');
  const run = world.recall<Run>('attune.perf');
  const events = (await world.attune.listEvents({ rule_ref: rule.ref })).filter((e) => ms(e.created) >= run.from && ms(e.created) <= run.to);
  const all = await world.attune.listExecutions({ rule_ref: rule.ref });
  const enforcements = await world.attune.listEnforcements({ rule_ref: rule.ref });
  const eventOf = new Map(enforcements.map((e) => [e.id, e.event]));
  const ids = new Set(events.map((e) => e.id));
  const mine = all.filter((x) => ids.has(eventOf.get(x.enforcement!) ?? -1));
  return { events, executions: await Promise.all(mine.map((x) => finished(world.attune, x.id, 15_000))) };
}

Then('the timer fired {int} times, give or take {int}, each firing running one execution', async function (this: AcceptanceWorld, count: number, slack: number) {
  const { events, executions } = await firings(this);
  expect(events.length, `timer events during the ${(this.recall<Run>('attune.perf').to - this.recall<Run>('attune.perf').from) / 1000} s run`).to.be.within(count - slack, count + slack);
  expect(executions.length, 'executions started by those firings').to.equal(events.length);
  this.remember('attune.perf-firings', { events, executions });
});

Then(
  'every execution succeeded, each created within {duration} of its firing and started within {duration} of its creation',
  async function (this: AcceptanceWorld, created: number, started: number) {
    const { events, executions } = this.recall<{ events: EventSummary[]; executions: Execution[] }>('attune.perf-firings');
    const enforcements = await this.attune.listEnforcements({ rule_ref: this.recall<Rule>('attune.rule').ref });
    const eventAt = new Map(events.map((e) => [e.id, ms(e.created)]));
    const enforcementEvent = new Map(enforcements.map((e) => [e.id, e.event]));
    const toExecution = executions.map((x) => ms(x.created) - eventAt.get(enforcementEvent.get(x.enforcement!)!)!);
    const toStart = executions.map((x) => ms(x.started_at!) - ms(x.created));
    this.remember('attune.perf-latency', { toExecution, toStart, runs: executions.map((x) => ms(x.updated) - ms(x.started_at!)) });
    expect(executions.filter((x) => x.status !== 'completed').map((x) => `${x.id} ${x.status}`), 'executions that did not succeed').to.deep.equal([]);
    expect(Math.max(...toExecution), `ms from a firing to its execution (max of ${toExecution.length})`).to.be.at.most(created);
    expect(Math.max(...toStart), `ms from an execution's creation to its start (max of ${toStart.length})`).to.be.at.most(started);
  },
);

Then('no backlog built up: the last firing had finished its execution within {duration}', function (this: AcceptanceWorld, limit: number) {
  const { events, executions } = this.recall<{ events: EventSummary[]; executions: Execution[] }>('attune.perf-firings');
  const lastEvent = Math.max(...events.map((e) => ms(e.created)));
  const lastDone = Math.max(...executions.map((x) => ms(x.updated)));
  expect(lastDone - lastEvent, `ms from the last firing to the last execution finishing`).to.be.at.most(limit);
});

Then('the API answered 95% of the calls within {duration} during the run', async function (this: AcceptanceWorld, limit: number) {
  const run = this.recall<Run>('attune.perf');
  const latency = this.recall<{ toExecution: number[]; toStart: number[]; runs: number[] }>('attune.perf-latency');
  const figures = {
    window_s: (run.to - run.from) / 1000,
    api_calls: run.api.length,
    api_p50_ms: Math.round(percentile(run.api, 50)), api_p95_ms: Math.round(percentile(run.api, 95)), api_target_p95_ms: 100,
    // When the API was slow: the p95 of each 10 s of the run.
    api_p95_ms_by_10s: Array.from({ length: Math.ceil((run.to - run.from) / 10_000) }, (_, k) =>
      Math.round(percentile(run.api.filter((_, i) => Math.floor(run.apiAt[i] / 10_000) === k), 95))),
    trigger_to_execution_ms: { p50: percentile(latency.toExecution, 50), p95: percentile(latency.toExecution, 95), max: Math.max(...latency.toExecution), target_ms: 1000 },
    execution_scheduling_ms: { p50: percentile(latency.toStart, 50), p95: percentile(latency.toStart, 95), max: Math.max(...latency.toStart), target_ms: 500 },
    webhook_to_event_ms: {
      recorded_p95: percentile(run.hooks.map((h) => h.recorded), 95), round_trip_p95: Math.round(percentile(run.hooks.map((h) => h.roundTrip), 95)),
      calls: run.hooks.length, target_ms: 50,
    },
  };
  await this.attach(JSON.stringify(figures, null, 2), 'application/json');
  expect(figures.api_p95_ms, `API p95 over ${run.api.length} calls (p50 ${figures.api_p50_ms} ms)`).to.be.at.most(limit);
});

Then('each webhook call had its event recorded within {duration}', function (this: AcceptanceWorld, limit: number) {
  const run = this.recall<Run>('attune.perf');
  expect(run.hooks.length, 'webhook calls during the run').to.be.greaterThan(0);
  const recorded = run.hooks.map((h) => h.recorded);
  expect(Math.max(...recorded), `ms from a webhook call received to its event recorded (${recorded.join(', ')})`).to.be.at.most(limit);
});
