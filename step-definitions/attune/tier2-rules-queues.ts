/**
 * Tier 2 rules and queues: rule criteria evaluated for every webhook post (T2.5), and an action
 * concurrency policy whose FIFO queue runs executions strictly in submission order (README scenario 3).
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Execution, Trigger } from '../../world/clients/attune';
import { deletePolicy, QueueStats, queueStats, seedConcurrencyPolicy, upstreamConditions } from '../../world/clients/attune-tier2';
import { eventually, holdsFor } from '../../world/wait';
import { actionRef, createRule, finished, ms, outputOf, refName, thePack } from './context';
import { expectEnded } from './executions';

// ---- rule criteria (T2.5)

interface Post { event: number; payload: Record<string, unknown> }

Given(
  'a rule that runs the {fixture-action} with message {string} only when {string}',
  async function (this: AcceptanceWorld, action: string, message: string, criterion: string) {
    await createRule(this, this.attune, {
      packRef: thePack(this).ref, actionRef: actionRef(this, action), triggerRef: this.recall<Trigger>('attune.trigger').ref,
      actionParams: { message }, conditions: upstreamConditions(criterion),
    });
  },
);

When('the webhook receives a post with {word} {json-value}', async function (this: AcceptanceWorld, field: string, value: unknown) {
  const payload = { [field]: value };
  const reply = await this.attune.fireWebhook(this.recall<Trigger>('attune.trigger').webhook_key!, payload);
  expect(reply.status, `the webhook call answered ${JSON.stringify(reply.body)}`).to.equal(200);
  const posts = this.recalled('attune.posts') ? this.recall<Post[]>('attune.posts') : this.remember<Post[]>('attune.posts', []);
  posts.push({ event: reply.body?.data?.event_id, payload });
});

Then('every post was recorded as an event carrying its payload', async function (this: AcceptanceWorld) {
  const trigger = this.recall<Trigger>('attune.trigger');
  const posts = this.recall<Post[]>('attune.posts');
  const events = await this.attune.listEvents({ trigger_ref: trigger.ref });
  expect(events.map((e) => e.id).sort((a, b) => a - b), `events of ${trigger.ref}`).to.deep.equal(posts.map((p) => p.event));
  for (const post of posts) {
    const event = (await this.attune.getEvent(post.event)).body?.data;
    expect(event?.payload, `payload of event ${post.event}`).to.deep.equal(post.payload);
  }
});

Then(
  'only the post with {word} {json-value} created an enforcement, and its {fixture-action} ran with output {json-value}',
  async function (this: AcceptanceWorld, field: string, value: unknown, action: string, output: unknown) {
    const rule = this.recall<{ ref: string }>('attune.rule');
    const posts = this.recall<Post[]>('attune.posts');
    const hit = posts.filter((p) => JSON.stringify(p.payload[field]) === JSON.stringify(value));
    expect(hit.length, `posts with ${field} ${JSON.stringify(value)}`).to.equal(1);
    const [enforcement] = await eventually(() => this.attune.listEnforcements({ event: hit[0].event }), (l) => l.length > 0, {
      within: 10_000, every: 200, what: `an enforcement for the matching event ${hit[0].event}`,
    });
    expect(enforcement.rule_ref, `rule of enforcement ${enforcement.id}`).to.equal(rule.ref);
    // The other posts were evaluated too (they came first) and stay without an enforcement.
    for (const miss of posts.filter((p) => p !== hit[0])) {
      await holdsFor(() => this.attune.listEnforcements({ event: miss.event }), (l) => l.length === 0, 1000, {
        every: 250, what: `no enforcement for the non-matching event ${miss.event} (${JSON.stringify(miss.payload)})`,
      });
    }
    const executions = await this.attune.listExecutions({ rule_ref: rule.ref });
    expect(executions.map((e) => e.enforcement), `executions of rule ${rule.ref}`).to.deep.equal([enforcement.id]);
    const done = await finished(this.attune, executions[0].id);
    expectEnded(done, 'completed');
    expect(done.action_ref).to.equal(actionRef(this, action));
    expect(outputOf(done), `output of execution ${done.id}`).to.deep.equal(output);
  },
);

// ---- FIFO queue under an action concurrency policy (README scenario 3)

Given('the {word} action may run only {int} at a time', async function (this: AcceptanceWorld, action: string, max: number) {
  const ref = actionRef(this, action);
  const policy = `${thePack(this).ref}.${refName(this, 'limit')}`;
  await seedConcurrencyPolicy(this.attune, policy, ref, max);
  this.registry.track(`policy ${policy}`, () => deletePolicy(this.attune, policy));
  this.remember('attune.limited', { ref, max });
});

When('{int} executions of it, each taking {int} second(s), are submitted one right after another', async function (this: AcceptanceWorld, count: number, seconds: number) {
  const { ref } = this.recall<{ ref: string }>('attune.limited');
  const submitted: Execution[] = [];
  for (let i = 1; i <= count; i++) {
    const reply = await this.attune.execute(ref, { message: `exec${i}`, seconds });
    expect(reply.status, `submitting execution ${i} answered ${JSON.stringify(reply.body)}`).to.equal(201);
    submitted.push(reply.body.data);
  }
  this.remember('attune.submitted', submitted);
});

async function stats(world: AcceptanceWorld): Promise<QueueStats> {
  const { ref } = world.recall<{ ref: string }>('attune.limited');
  const reply = await queueStats(world.attune, ref);
  expect(reply.status, `queue stats of ${ref}: ${JSON.stringify(reply.body)}`).to.equal(200);
  return reply.body.data;
}

const shown = (s: QueueStats) => JSON.stringify({ queue_length: s.queue_length, active_count: s.active_count, total_enqueued: s.total_enqueued, total_completed: s.total_completed });

Then('the queue holds all {int}, {int} running and the rest waiting', async function (this: AcceptanceWorld, count: number, running: number) {
  const { max } = this.recall<{ max: number }>('attune.limited');
  const s = await eventually(() => stats(this), (x) => Number(x.total_enqueued) === count, { within: 10_000, every: 100, what: `all ${count} executions enqueued` });
  expect(Number(s.max_concurrent), 'max_concurrent').to.equal(max);
  expect(Number(s.active_count), `running right after submission (${shown(s)})`).to.equal(running);
  expect(Number(s.queue_length), `waiting right after submission (${shown(s)})`).to.equal(count - running - Number(s.total_completed));
  expect(Number(s.total_completed), `completed right after submission (${shown(s)})`).to.be.below(count - running);
});

Then('while they run the queue stats stay consistent until all {int} completed', async function (this: AcceptanceWorld, count: number) {
  const { max } = this.recall<{ max: number }>('attune.limited');
  const samples: QueueStats[] = [];
  const last = await eventually(async () => {
    const s = await stats(this);
    samples.push(s);
    return s;
  }, (s) => Number(s.total_completed) === count, { within: 60_000, every: 200, what: `all ${count} executions completed by the queue` });
  for (const s of samples) {
    expect(Number(s.active_count), `running at ${s.last_updated} (${shown(s)})`).to.be.at.most(max);
    expect(Number(s.queue_length) + Number(s.active_count) + Number(s.total_completed), `queued + running + completed at ${s.last_updated} (${shown(s)})`).to.equal(count);
  }
  expect([Number(last.queue_length), Number(last.active_count)], `the queue at the end (${shown(last)})`).to.deep.equal([0, 0]);
});

Then('they ran one at a time, in the order they were submitted, all succeeding', async function (this: AcceptanceWorld) {
  const submitted = this.recall<Execution[]>('attune.submitted');
  const done = await Promise.all(submitted.map((e) => finished(this.attune, e.id, 60_000)));
  for (const e of done) {
    expectEnded(e, 'completed');
    expect(outputOf(e), `output of execution ${e.id}`).to.equal(e.config?.message);
  }
  const span = (e: Execution) => `${e.config?.message} #${e.id} ${e.started_at} -> ${e.updated}`;
  const byStart = [...done].sort((a, b) => ms(a.started_at!) - ms(b.started_at!));
  expect(byStart.map((e) => e.id), `executions by start time (${done.map(span).join('; ')})`).to.deep.equal(submitted.map((e) => e.id));
  for (let i = 1; i < done.length; i++) {
    expect(ms(done[i].started_at!), `${span(done[i])} started only after ${span(done[i - 1])} completed`).to.be.at.least(ms(done[i - 1].updated));
  }
});
