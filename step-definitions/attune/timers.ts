/**
 * Timers: rules on the core timer triggers (interval, date, cron with seconds), and what the
 * target recorded when they fired. Fire times are the events' `created` timestamps from the target.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { Cron } from 'croner';
import { AcceptanceWorld } from '../../world/world';
import { EventSummary, Execution, Rule as RuleDto, TIMER_TRIGGERS } from '../../world/clients/attune';

/** A rule as the target answered it, with the moment the target recorded its creation. */
type Rule = RuleDto & { created: string };
import { eventually, holdsFor } from '../../world/wait';
import { actionRef, createRule, cronStartingNow, finished, ms, thePack } from './context';

/** The timer a scenario set up, and by when its n-th firing is due. */
interface Timer {
  describe: string;
  dueBy(n: number): number;
  fireAt?: number;
  cron?: Cron;
}

/** Slack for the target to record a firing after it is due. */
const RECORDING_SLACK_MS = 3000;

async function timerRule(world: AcceptanceWorld, action: string, message: string, trigger: string, params: object, timer: Timer) {
  await createRule(world, world.attune, {
    packRef: thePack(world).ref,
    actionRef: actionRef(world, action),
    triggerRef: trigger,
    triggerParams: params as Record<string, unknown>,
    actionParams: { message },
  });
  world.remember('attune.timer', timer);
}

Given(
  'a rule that runs the {fixture-action} with message {string} every {duration}',
  async function (this: AcceptanceWorld, action: string, message: string, period: number) {
    const start = Date.now();
    await timerRule(this, action, message, TIMER_TRIGGERS.interval, { unit: 'seconds', interval: period / 1000 }, {
      describe: `every ${period} ms`,
      dueBy: (n) => start + n * period,
    });
  },
);

Given(
  'a rule that runs the {fixture-action} with message {string} once, {duration} from now',
  async function (this: AcceptanceWorld, action: string, message: string, delay: number) {
    const fireAt = Date.now() + delay;
    await timerRule(this, action, message, TIMER_TRIGGERS.date, { fire_at: new Date(fireAt).toISOString(), timezone: 'UTC' }, {
      describe: `once at ${new Date(fireAt).toISOString()}`,
      dueBy: () => fireAt,
      fireAt,
    });
  },
);

async function cronRule(world: AcceptanceWorld, action: string, message: string, expression: string): Promise<void> {
  const start = Date.now();
  const cron = new Cron(expression, { timezone: 'UTC', paused: true });
  await timerRule(world, action, message, TIMER_TRIGGERS.cron, { expression, timezone: 'UTC' }, {
    describe: `cron "${expression}"`,
    dueBy: (n) => cron.nextRuns(n, new Date(start))[n - 1].getTime(),
    cron,
  });
}

Given(
  'a rule that runs the {fixture-action} with message {string} on the cron schedule {string} starting now',
  async function (this: AcceptanceWorld, action: string, message: string, expression: string) {
    await cronRule(this, action, message, cronStartingNow(expression));
  },
);

Given(
  'a rule that runs the {fixture-action} with message {string} on the cron schedule {string}',
  async function (this: AcceptanceWorld, action: string, message: string, expression: string) {
    await cronRule(this, action, message, expression);
  },
);

When('the timer has fired {int} time(s)', async function (this: AcceptanceWorld, count: number) {
  const timer = this.recall<Timer>('attune.timer');
  const rule = this.recall<{ ref: string }>('attune.rule');
  const within = Math.max(timer.dueBy(count) + RECORDING_SLACK_MS - Date.now(), 1000);
  const events = await eventually(
    () => this.attune.listEvents({ rule_ref: rule.ref }),
    (list) => list.length >= count,
    { within, every: 200, what: `${count} firing(s) of the timer ${timer.describe}` },
  );
  this.remember('attune.events', events.sort((a, b) => a.id - b.id).slice(0, count));
});

Then(
  'the timer fired every {duration}, give or take {duration}',
  function (this: AcceptanceWorld, period: number, tolerance: number) {
    const times = this.recall<EventSummary[]>('attune.events').map((e) => ms(e.created));
    expect(times.length, 'firings recorded').to.be.greaterThan(1);
    const intervals = times.slice(1).map((t, i) => t - times[i]);
    const off = intervals.filter((d) => Math.abs(d - period) > tolerance);
    expect(off, `intervals between firings (ms) should all be ${period} +- ${tolerance}; measured ${intervals.join(', ')}`).to.deep.equal([]);
  },
);

Then("the first event was recorded within {duration} of the rule's creation, give or take {duration}", function (this: AcceptanceWorld, limit: number, tolerance: number) {
  const rule = this.recall<Rule>('attune.rule');
  const [event] = this.recall<EventSummary[]>('attune.events');
  const after = ms(event.created) - ms(rule.created);
  expect(after >= 0 && after <= limit + tolerance, `rule ${rule.ref} was created at ${rule.created}, its first event at ${event.created} (${after} ms later; limit ${limit} +- ${tolerance} ms)`).to.equal(true);
});

Then('the timer fired within {duration} of the scheduled time', function (this: AcceptanceWorld, tolerance: number) {
  const { fireAt } = this.recall<Timer>('attune.timer');
  const [event] = this.recall<EventSummary[]>('attune.events');
  const late = ms(event.created) - fireAt!;
  expect(Math.abs(late), `the firing should be within ${tolerance} ms of ${new Date(fireAt!).toISOString()}; it was recorded at ${event.created} (${late} ms)`).to.be.at.most(tolerance);
});

/** Each event's slot: the instant of the schedule in whose second the target recorded it (none: off the schedule). */
function slotOf(cron: Cron, created: number): number | null {
  const slot = cron.nextRun(new Date(Math.floor(created / 1000) * 1000 - 1))?.getTime();
  return slot !== undefined && Math.floor(slot / 1000) === Math.floor(created / 1000) ? slot : null;
}

/** The observation window of a cron rule: from the rule's creation (the target's time) to `end`. */
interface CronWindow { start: number; end: number }

/** Watch the rule's events until the window ended (plus recording slack), failing at once on an off-schedule firing. */
async function watchCron(world: AcceptanceWorld, window: CronWindow): Promise<void> {
  const { cron, describe: what } = world.recall<Timer>('attune.timer');
  const rule = world.recall<Rule>('attune.rule');
  world.remember('attune.cron-window', window);
  const onSchedule = (e: EventSummary) => slotOf(cron!, ms(e.created)) !== null;
  await holdsFor(
    async () => (await world.attune.listEvents({ rule_ref: rule.ref })).map((e) => `event ${e.id} at ${e.created}${onSchedule(e) ? '' : ' (OFF the schedule)'}`),
    (events) => !events.some((e) => e.endsWith('(OFF the schedule)')),
    Math.max(window.end + 1000 - Date.now(), 0),
    { every: 250, what: `every event of ${rule.ref} on a second of ${what}` },
  );
}

When('the schedule has run for {duration}', async function (this: AcceptanceWorld, duration: number) {
  const start = ms(this.recall<Rule>('attune.rule').created);
  await watchCron(this, { start, end: start + duration });
});

// Up to a minute and 2.5 s of watching (a rule created just after a minute's start waits for the
// next one): the step's own limit is beyond cucumber's 60 s default.
When('the schedule has run past the next minute boundary', { timeout: 90_000 }, async function (this: AcceptanceWorld) {
  const start = ms(this.recall<Rule>('attune.rule').created);
  // One second and a half into the next minute: the top of the minute is in the window, and nothing more.
  await watchCron(this, { start, end: (Math.floor(start / 60_000) + 1) * 60_000 + 1500 });
});

Then('the timer fired on every second of the schedule in that window, and on no other', async function (this: AcceptanceWorld) {
  const { cron, describe: what } = this.recall<Timer>('attune.timer');
  const { start, end } = this.recall<CronWindow>('attune.cron-window');
  const rule = this.recall<Rule>('attune.rule');
  const iso = (t: number) => new Date(t).toISOString();
  const due: number[] = [];
  for (let t = cron!.nextRun(new Date(start)); t && t.getTime() <= end; t = cron!.nextRun(t)) due.push(t.getTime());
  expect(due, `instants of ${what} between ${iso(start)} and ${iso(end)}`).to.not.be.empty;
  const events = (await this.attune.listEvents({ rule_ref: rule.ref })).sort((a, b) => a.id - b.id);
  const off = events.filter((e) => slotOf(cron!, ms(e.created)) === null).map((e) => e.created);
  expect(off, `events of ${rule.ref} recorded on a second that is not one of ${what}`).to.deep.equal([]);
  const inWindow = events.filter((e) => slotOf(cron!, ms(e.created))! <= end);
  expect(inWindow.map((e) => iso(slotOf(cron!, ms(e.created))!)), `the seconds ${rule.ref} fired on between ${iso(start)} and ${iso(end)} (event times ${inWindow.map((e) => e.created).join(', ')})`)
    .to.deep.equal(due.map(iso));
  this.remember('attune.events', inWindow);
  this.remember('attune.slots', due);
});

Then(
  "each execution of the {fixture-action} started within {duration} of its firing's second and ran after it, in order",
  async function (this: AcceptanceWorld, action: string, tolerance: number) {
    const slots = this.recall<number[]>('attune.slots');
    const events = this.recall<EventSummary[]>('attune.events');
    const executions = this.recall<Execution[]>('attune.executions');
    expect(executions.length, `executions for the ${slots.length} firings`).to.equal(slots.length);
    let previous = 0;
    for (const [i, execution] of executions.entries()) {
      const done = await finished(this.attune, execution.id);
      const slot = new Date(slots[i]).toISOString();
      const times = `its slot ${slot}, event ${events[i].created}, execution created ${done.created}, started ${done.started_at}, ended ${done.updated}`;
      // The target's own record: created after its event, started within the tolerance of the slot.
      const started = ms(done.started_at ?? '') - slots[i];
      expect(ms(done.created) >= ms(events[i].created) && started >= 0 && started <= tolerance, `execution ${done.id} of the ${action}: ${times}`).to.equal(true);
      // The action's own clock: it ran after its slot, after the previous firing's run, before it ended.
      const at = (done.result?.data as { at?: string } | undefined)?.at;
      expect(at, `the time execution ${done.id} says it ran at (result ${JSON.stringify(done.result)})`).to.be.a('string');
      expect(ms(at!) >= slots[i] && ms(at!) >= previous && ms(at!) <= ms(done.updated), `execution ${done.id} says it ran at ${at}; ${times}; previous run at ${new Date(previous).toISOString()}`).to.equal(true);
      previous = ms(at!);
    }
  },
);
