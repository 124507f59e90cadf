/**
 * Timers: rules on the core timer triggers (interval, date, cron with seconds), and what the
 * target recorded when they fired. Fire times are the events' `created` timestamps from the target.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { Cron } from 'croner';
import { AcceptanceWorld } from '../../world/world';
import { EventSummary, TIMER_TRIGGERS } from '../../world/clients/attune';
import { eventually } from '../../world/wait';
import { actionRef, createRule, cronStartingNow, ms, thePack } from './context';

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

Given(
  'a rule that runs the {fixture-action} with message {string} on the cron schedule {string} starting now',
  async function (this: AcceptanceWorld, action: string, message: string, expression: string) {
    const start = Date.now();
    const cronExpression = cronStartingNow(expression, start);
    const cron = new Cron(cronExpression, { timezone: 'UTC', paused: true });
    await timerRule(this, action, message, TIMER_TRIGGERS.cron, { expression: cronExpression, timezone: 'UTC' }, {
      describe: `cron "${cronExpression}"`,
      dueBy: (n) => cron.nextRuns(n, new Date(start))[n - 1].getTime(),
      cron,
    });
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

Then('the timer fired within {duration} of the scheduled time', function (this: AcceptanceWorld, tolerance: number) {
  const { fireAt } = this.recall<Timer>('attune.timer');
  const [event] = this.recall<EventSummary[]>('attune.events');
  const late = ms(event.created) - fireAt!;
  expect(Math.abs(late), `the firing should be within ${tolerance} ms of ${new Date(fireAt!).toISOString()}; it was recorded at ${event.created} (${late} ms)`).to.be.at.most(tolerance);
});

Then('every firing fell on a second of the schedule, none skipped', function (this: AcceptanceWorld) {
  const { cron, describe } = this.recall<Timer>('attune.timer');
  const events = this.recall<EventSummary[]>('attune.events');
  // The scheduled instant a firing belongs to: the run in the second before it was recorded.
  const slots = events.map((e) => cron!.nextRun(new Date(ms(e.created) - 1000))?.getTime() ?? NaN);
  events.forEach((e, i) => {
    expect(slots[i] <= ms(e.created), `the firing recorded at ${e.created} falls on no second of ${describe}`).to.equal(true);
  });
  slots.slice(1).forEach((slot, i) => {
    const next = cron!.nextRun(new Date(slots[i]))!.getTime();
    expect(new Date(slot).toISOString(), `after the firing at ${new Date(slots[i]).toISOString()} the next one of ${describe}`).to.equal(new Date(next).toISOString());
  });
});
