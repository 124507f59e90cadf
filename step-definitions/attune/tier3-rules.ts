/**
 * Tier 3 rules and timers: several rules on one trigger, criteria that filter events, switching a
 * timer rule off and on, a date timer set in the past.
 */
import { DataTable, Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Enforcement, EventSummary, Execution, Rule, TIMER_TRIGGERS, Trigger } from '../../world/clients/attune';
import { createRuleReply } from '../../world/clients/attune-tier3';
import { describe, eventually, holdsFor } from '../../world/wait';
import { parseDuration } from '../../world/duration';

/** Slack for the target to record a firing after it is due (as the Tier 1 timer steps). */
const RECORDING_SLACK_MS = 3000;
import { actionRef, createRule, executionsOf, finished, outputOf, refName, thePack, trackUndo } from './context';
import { expectEnded } from './executions';

const named = (world: AcceptanceWorld) =>
  (world.recalled('attune.rules.named') ? world.recall<Record<string, Rule>>('attune.rules.named') : world.remember('attune.rules.named', {} as Record<string, Rule>));

Given(
  '{int} rules that run the {fixture-action} with message {string} on that trigger',
  async function (this: AcceptanceWorld, count: number, action: string, message: string) {
    const trigger = this.recall<Trigger>('attune.trigger');
    const rules: Rule[] = [];
    for (let i = 0; i < count; i++) {
      rules.push(await createRule(this, this.attune, { packRef: thePack(this).ref, actionRef: actionRef(this, action), triggerRef: trigger.ref, actionParams: { message } }));
    }
    this.remember('attune.rules', rules);
  },
);

Given(
  'rule {string} runs the {fixture-action} with message {string} only when the payload\'s {word} is {string}',
  async function (this: AcceptanceWorld, name: string, action: string, message: string, field: string, value: string) {
    const trigger = this.recall<Trigger>('attune.trigger');
    const rule = await createRule(this, this.attune, {
      packRef: thePack(this).ref, actionRef: actionRef(this, action), triggerRef: trigger.ref, actionParams: { message },
      // upstream's condition language (event_processor.rs): an expression over event.payload
      conditions: { expression: `{{ event.payload.${field} == '${value.replace(/'/g, "\\'")}' }}` },
    });
    named(this)[name] = rule;
  },
);

Then('each of the rules created one enforcement for that event', async function (this: AcceptanceWorld) {
  const rules = this.recall<Rule[]>('attune.rules');
  const [{ id: event }] = this.recall<{ id: number }[]>('attune.events');
  const all = await eventually(
    () => this.attune.listEnforcements({ event }),
    (list) => rules.every((r) => list.some((e) => e.rule === r.id)),
    { within: 10_000, every: 200, what: `an enforcement of each of the rules ${rules.map((r) => r.ref).join(', ')} for event ${event}` },
  );
  expect(all.map((e) => e.rule_ref).sort(), `enforcements for event ${event}`).to.deep.equal(rules.map((r) => r.ref).sort());
  this.remember('attune.enforcements', all);
});

Then(
  'only the rules {string} fired for that event, each running the {fixture-action} to success',
  async function (this: AcceptanceWorld, list: string, action: string) {
    const rules = named(this);
    const expected = list === 'none' ? [] : list.split(/, | and /);
    const [{ id: event }] = this.recall<{ id: number }[]>('attune.events');
    const fired = (enfs: Enforcement[]) => Object.keys(rules).filter((n) => enfs.some((e) => e.rule === rules[n].id)).sort();
    await eventually(() => this.attune.listEnforcements({ event }), (e) => fired(e).join() === [...expected].sort().join(), {
      within: 10_000, every: 200, what: `enforcements for event ${event} from exactly the rules ${expected.join(', ') || 'none'}`,
    });
    // and no other rule fires late: the rules are evaluated when the event is processed
    const enfs = await holdsFor(() => this.attune.listEnforcements({ event }), (e) => fired(e).join() === [...expected].sort().join(), 2000, {
      every: 250, what: `only the rules ${expected.join(', ') || 'none'} fired for event ${event}`,
    });
    for (const enf of enfs) {
      const executions = await eventually(() => this.attune.listExecutions({ enforcement: enf.id }), (l) => l.length > 0, {
        within: 10_000, every: 200, what: `an execution for enforcement ${enf.id}`,
      });
      expect(executions.map((e) => e.action_ref), `executions of enforcement ${enf.id}`).to.deep.equal([actionRef(this, action)]);
      expectEnded(await finished(this.attune, executions[0].id), 'completed');
    }
    for (const name of Object.keys(rules).filter((n) => !expected.includes(n))) {
      const started = (await this.attune.listExecutions({ rule_ref: rules[name].ref })).filter((e) => enfs.some((x) => x.id === e.enforcement));
      expect(started.map((e) => e.id), `executions of rule ${name} for event ${event}`).to.deep.equal([]);
    }
  },
);

// ---- switching a timer rule off and on (T3.2) ---------------------------------------------------

When('the rule is {word}', async function (this: AcceptanceWorld, verb: string) {
  const { ref } = this.recall<Rule>('attune.rule');
  if (verb !== 'disabled' && verb !== 'enabled') throw new Error(`a rule can be disabled or enabled, not "${verb}"`);
  const reply = verb === 'disabled' ? await this.attune.disableRule(ref) : await this.attune.enableRule(ref);
  expect(reply.status, `${verb === 'disabled' ? 'disabling' : 'enabling'} rule ${ref} answered ${describe(reply.body)}`).to.equal(200);
  expect(reply.body?.data?.enabled, `rule ${ref} enabled after the call`).to.equal(verb === 'enabled');
  this.remember('attune.rule.switched', Date.now());
});

Then('every execution the rule started ends with {execution-status}', async function (this: AcceptanceWorld, status: Execution['status']) {
  const { ref } = this.recall<Rule>('attune.rule');
  const executions = await this.attune.listExecutions({ rule_ref: ref });
  expect(executions, `executions of rule ${ref}`).to.not.be.empty;
  for (const e of executions) expectEnded(await finished(this.attune, e.id), status);
});

Then('the timer neither fires nor runs anything during the next {duration}', async function (this: AcceptanceWorld, window: number) {
  const { ref } = this.recall<Rule>('attune.rule');
  const count = async () => ({ events: (await this.attune.listEvents({ rule_ref: ref })).length, executions: (await this.attune.listExecutions({ rule_ref: ref })).length });
  const before = await count();
  this.remember('attune.rule.counts', before);
  await holdsFor(count, (now) => now.events === before.events && now.executions === before.executions, window, {
    every: 500, what: `no new event or execution of the disabled rule ${ref} (had ${JSON.stringify(before)})`,
  });
});

Then('the timer fires again within {duration}, running the {fixture-action} again', async function (this: AcceptanceWorld, within: number, action: string) {
  const { ref } = this.recall<Rule>('attune.rule');
  const before = this.recall<{ events: number; executions: number }>('attune.rule.counts');
  const events = await eventually(() => this.attune.listEvents({ rule_ref: ref }), (l) => l.length > before.events, {
    within, every: 200, what: `a new firing of rule ${ref} after it was enabled again`,
  });
  const since = this.recall<number>('attune.rule.switched');
  const fresh = events.filter((e: EventSummary) => new Date(e.created).getTime() >= since - 1000);
  expect(fresh.length, `firings recorded after the rule was enabled again (${JSON.stringify(events)})`).to.be.greaterThan(0);
  const executions = await eventually(() => this.attune.listExecutions({ rule_ref: ref }), (l) => l.length > before.executions, {
    within: 10_000, every: 200, what: `a new execution of rule ${ref}`,
  });
  const newest = executions.sort((a, b) => b.id - a.id)[0];
  expect(newest.action_ref).to.equal(actionRef(this, action));
  expectEnded(await finished(this.attune, newest.id), 'completed');
});

// ---- a date timer in the past (T3.1) -------------------------------------------------------------

When(
  'I ask for a rule that runs the {fixture-action} with message {string} once, {duration} ago',
  async function (this: AcceptanceWorld, action: string, message: string, ago: number) {
    const packRef = thePack(this).ref;
    const ref = `${packRef}.${refName(this, 'rule')}`;
    const asked = Date.now();
    const reply = await createRuleReply(this.attune, {
      ref, packRef, actionRef: actionRef(this, action), triggerRef: TIMER_TRIGGERS.date,
      triggerParams: { fire_at: new Date(asked - ago).toISOString(), timezone: 'UTC' }, actionParams: { message },
    });
    if (reply.status < 300) trackUndo(this, `rule ${ref}`, () => this.attune.deleteRule(ref));
    this.remember('attune.past-rule', { ref, reply, asked });
  },
);

Then(
  'either the rule is refused with a clear error, or the {fixture-action} runs at once with output {json-value}',
  async function (this: AcceptanceWorld, action: string, output: unknown) {
    const { ref, reply, asked } = this.recall<{ ref: string; reply: { status: number; body: any }; asked: number }>('attune.past-rule');
    if (reply.status >= 400) {
      expect(reply.status, `refusal of the past date timer: ${describe(reply.body)}`).to.be.within(400, 499);
      expect(String(reply.body?.error ?? reply.body?.message ?? ''), 'the refusal says what is wrong with the date').to.match(/fire_at|past|future|date/i);
      return;
    }
    expect(reply.status, `creating the rule answered ${describe(reply.body)}`).to.equal(201);
    // Accepted: then it must run at once, visibly (a real Attune that only logs the refusal fails here).
    const [execution] = await eventually(() => this.attune.listExecutions({ rule_ref: ref }), (l) => l.length > 0, {
      within: 5000, every: 200, what: `an execution of the accepted past date rule ${ref} right away (none: the timer failed silently)`,
    });
    const done = await finished(this.attune, execution.id);
    expectEnded(done, 'completed');
    expect((done.result?.data as any)?.output, `output of execution ${done.id}`).to.deep.equal(output);
    expect(new Date(done.created).getTime() - asked, 'ms from the request to the execution').to.be.below(5000);
  },
);

// ---- several timers at once (T3.3) ---------------------------------------------------------------

interface NamedTimer { name: string; rule: Rule; period: number; start: number; min: number; max: number }

Given('these interval timer rules running the {fixture-action}:', async function (this: AcceptanceWorld, action: string, table: DataTable) {
  const timers: NamedTimer[] = [];
  for (const row of table.hashes()) {
    const period = parseDuration(row.every);
    const [min, max = min] = row.firings.split('-').map(Number);
    const start = Date.now();
    const rule = await createRule(this, this.attune, {
      packRef: thePack(this).ref, actionRef: actionRef(this, action), triggerRef: TIMER_TRIGGERS.interval,
      triggerParams: { unit: 'seconds', interval: period / 1000 }, actionParams: { message: `timer ${row.timer}` },
    });
    timers.push({ name: row.timer, rule, period, start, min, max });
  }
  this.remember('attune.timers', timers);
});

Then(
  'within {duration} each timer fired as often as the table says, on its own schedule, give or take {duration}',
  async function (this: AcceptanceWorld, window: number, tolerance: number) {
    const timers = this.recall<NamedTimer[]>('attune.timers');
    const end = Math.max(...timers.map((t) => t.start)) + window + RECORDING_SLACK_MS;
    const firings = await eventually(
      () => Promise.all(timers.map((t) => this.attune.listEvents({ rule_ref: t.rule.ref }))),
      (lists) => lists.every((l, i) => l.length >= timers[i].min),
      { within: end - Date.now(), every: 500, what: `the timers ${timers.map((t) => `${t.name} ${t.min}x`).join(', ')}` },
    );
    timers.forEach((t, i) => {
      const times = firings[i].map((e) => new Date(e.created).getTime()).sort((a, b) => a - b).filter((at) => at <= t.start + window + tolerance);
      expect(times.length, `firings of timer ${t.name} (every ${t.period} ms) within ${window} ms`).to.be.within(t.min, t.max);
      // no drift: the n-th firing is due n periods after the rule was set up, however many came before
      const drift = times.map((at, n) => at - t.start - (n + 1) * t.period);
      expect(drift.filter((d) => Math.abs(d) > tolerance), `timer ${t.name}: ms off its schedule per firing (${drift.join(', ')})`).to.deep.equal([]);
    });
    // Each rule ran its own action (its own message): the timers did not get mixed up.
    for (const t of timers) {
      const executions = await this.attune.listExecutions({ rule_ref: t.rule.ref });
      for (const e of executions.slice(0, 2)) {
        const done = await finished(this.attune, e.id);
        expect((done.result?.data as any)?.output, `output of execution ${e.id} of timer ${t.name}`).to.equal(`timer ${t.name}`);
      }
    }
  },
);

// ---- chained webhooks (T3.8) ---------------------------------------------------------------------

Given(
  'a rule that runs the system action {string} with message {string} on that trigger',
  async function (this: AcceptanceWorld, ref: string, message: string) {
    await createRule(this, this.attune, { packRef: thePack(this).ref, actionRef: ref, triggerRef: this.recall<Trigger>('attune.trigger').ref, actionParams: { message } });
  },
);

When("the webhook poster action posts {string} to that trigger's webhook", async function (this: AcceptanceWorld, message: string) {
  const trigger = this.recall<Trigger>('attune.trigger');
  const reply = await this.attune.execute(actionRef(this, 'post_webhook'), { webhook_key: trigger.webhook_key, message });
  expect(reply.status, `running the webhook poster answered ${describe(reply.body)}`).to.equal(201);
  this.remember('attune.poster', reply.body.data);
});

Then("the webhook poster action's execution succeeded, the webhook having accepted its call", async function (this: AcceptanceWorld) {
  const done = await finished(this.attune, this.recall<Execution>('attune.poster').id);
  expectEnded(done, 'completed');
  // What the action itself saw of its call: the receiver's status and the event it recorded.
  const said = outputOf(done) as { status?: number; event_id?: number } | undefined;
  expect(said?.status, `the webhook's answer as the action reports it (${describe(done.result)})`).to.equal(200);
  expect(said?.event_id, 'the event the webhook answered with').to.be.a('number');
  this.remember('attune.poster', done);
  this.remember('attune.events', [{ id: said!.event_id }]);
});

Then(
  'exactly one event is recorded for the trigger, carrying the message {string} from that execution',
  async function (this: AcceptanceWorld, message: string) {
    const trigger = this.recall<Trigger>('attune.trigger');
    const [{ id }] = this.recall<{ id: number }[]>('attune.events');
    const events = await this.attune.listEvents({ trigger_ref: trigger.ref });
    expect(events.map((e) => e.id), `events of ${trigger.ref} (the action's call recorded event ${id})`).to.deep.equal([id]);
    const event = await this.attune.getEvent(id);
    expect(event.body?.data?.payload, `payload of event ${id}`).to.deep.equal({ message, from_execution: this.recall<Execution>('attune.poster').id });
  },
);

Then(
  "the rule's {string} execution for that event succeeded with output {string}",
  async function (this: AcceptanceWorld, ref: string, output: string) {
    const rule = this.recall<Rule>('attune.rule');
    const [{ id: event }] = this.recall<{ id: number }[]>('attune.events');
    const [enforcement] = await eventually(() => this.attune.listEnforcements({ event }), (l) => l.length > 0, {
      within: 10_000, every: 200, what: `an enforcement for event ${event}`,
    });
    expect(enforcement.rule, `rule of enforcement ${enforcement.id}`).to.equal(rule.id);
    const [execution] = await executionsOf(this.attune, { enforcement: enforcement.id }, 1, 10_000);
    const done = await finished(this.attune, execution.id);
    expect(done.action_ref, `action of execution ${done.id}`).to.equal(ref);
    expectEnded(done, 'completed');
    expect(String(done.result?.stdout ?? '').trim(), `output of execution ${done.id}`).to.equal(output);
  },
);

Then(
  'the chain stops there: no further event or execution appears during the next {duration}',
  async function (this: AcceptanceWorld, window: number) {
    const trigger = this.recall<Trigger>('attune.trigger');
    const rule = this.recall<Rule>('attune.rule');
    const poster = actionRef(this, 'post_webhook');
    const count = async () => ({
      events: (await this.attune.listEvents({ trigger_ref: trigger.ref })).length,
      chained: (await this.attune.listExecutions({ rule_ref: rule.ref })).length,
      posters: (await this.attune.listExecutions({ action_ref: poster })).length,
    });
    await holdsFor(count, (n) => n.events === 1 && n.chained === 1 && n.posters === 1, window, {
      every: 250, what: `one event of ${trigger.ref}, one execution of rule ${rule.ref} and one of ${poster}, and no more`,
    });
  },
);
