/**
 * T3.6 custom sensor: the operations pack's file_watch sensor (sensors/file_watch.py) polls a file a
 * rule names and emits file_changed events through the API. The file lives on this machine, so the
 * scenario needs a target whose sensor service shares this filesystem (the embedded target, or a
 * sensor on this host).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { describe, eventually, holdsFor } from '../../world/wait';
import { actionRef, createRule, executionsOf, finished, ms, outputOf, thePack } from './context';

interface Watched {
  file: string;
  interval: number;
}

const trigger = (world: AcceptanceWorld) => `${thePack(world).ref}.file_changed`;
const polls = (file: string): { polls: number; polled_at: number[] } | null => {
  try {
    return JSON.parse(fs.readFileSync(`${file}.polls`, 'utf8'));
  } catch {
    return null;
  }
};

Given(
  "a file holding {string}, watched every {duration} by a rule on the pack's file-change trigger that runs the stage action",
  async function (this: AcceptanceWorld, content: string, interval: number) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${this.uniqueName('watched')}-`));
    this.registry.track(`watched file dir ${dir}`, async () => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'watched.txt');
    fs.writeFileSync(file, content);
    await createRule(this, this.attune, {
      packRef: thePack(this).ref, actionRef: actionRef(this, 'stage'), triggerRef: trigger(this),
      triggerParams: { path: file, poll_interval: interval / 1000 },
      actionParams: { stage: 'file changed to', host: '{{ event.payload.content }}' },
    });
    this.remember<Watched>('attune.watched', { file, interval });
  },
);

Then("the pack's sensor, loaded from the pack, serves the file-change trigger", async function (this: AcceptanceWorld) {
  const ref = `${thePack(this).ref}.file_watch`;
  const reply = await this.attune.call('get', `/api/v1/sensors/${ref}`);
  expect(reply.status, `reading sensor ${ref} answered ${describe(reply.body)}`).to.equal(200);
  expect(reply.body.data, `sensor ${ref}`).to.include({ ref, trigger_ref: trigger(this), entrypoint: 'file_watch.py', enabled: true });
});

Then('the sensor looks at the file every {duration}, give or take {duration}', async function (this: AcceptanceWorld, every: number, slack: number) {
  const { file } = this.recall<Watched>('attune.watched');
  const seen = await eventually(async () => polls(file), (p) => !!p && p.polls >= 4, { within: 20_000, every: 200, what: `the sensor's record of 4 looks at ${file}` });
  const times = seen!.polled_at.map((t) => t * 1000);
  const gaps = times.slice(1).map((t, i) => Math.round(t - times[i]));
  for (const gap of gaps) expect(gap, `ms between the sensor's looks at the file (${gaps.join(', ')})`).to.be.within(every - slack, every + slack);
});

Then('no event is recorded while the file stays the same, for {duration}', async function (this: AcceptanceWorld, window: number) {
  await holdsFor(() => this.attune.listEvents({ trigger_ref: trigger(this) }), (list) => list.length === 0, window, { every: 250, what: `no event on ${trigger(this)}` });
});

When('the file is changed to {string}', function (this: AcceptanceWorld, content: string) {
  const { file } = this.recall<Watched>('attune.watched');
  fs.writeFileSync(file, content);
  this.remember('attune.changed-at', Date.now());
});

Then(
  'within {duration} of the change exactly one event is recorded, carrying the path, {string} before and {string} after',
  async function (this: AcceptanceWorld, within: number, before: string, after: string) {
    const { file, interval } = this.recall<Watched>('attune.watched');
    const list = await eventually(() => this.attune.listEvents({ trigger_ref: trigger(this) }), (l) => l.length > 0, { within: within + 5000, every: 200, what: `an event on ${trigger(this)}` });
    expect(list.length, `events on ${trigger(this)}`).to.equal(1);
    const event = (await this.attune.getEvent(list[0].id)).body?.data;
    expect(event?.payload, `payload of event ${list[0].id}`).to.deep.include({ path: file, previous: before, content: after, interval_seconds: interval / 1000 });
    const late = ms(event.created) - this.recall<number>('attune.changed-at');
    expect(late, `ms from the change to the event (${event.created})`).to.be.within(0, within);
  },
);

Then('the rule ran the stage action with {string}', async function (this: AcceptanceWorld, content: string) {
  const rule = this.recall<{ ref: string }>('attune.rule');
  const [run] = await executionsOf(this.attune, { rule_ref: rule.ref }, 1, 10_000);
  const done = await finished(this.attune, run.id);
  expect([done.status, outputOf(done)], `execution ${done.id} of rule ${rule.ref}: ${JSON.stringify(done.result)}`).to.deep.equal(['completed', `file changed to ${content}`]);
});
