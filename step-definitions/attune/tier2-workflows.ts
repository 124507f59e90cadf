/**
 * Tier 2 orchestration: workflows defined over the API (as upstream's own Tier 2 tests do), run, and
 * checked from what the target recorded: child executions (`parent`, `workflow_task`), their
 * statuses, inputs and outputs, and their own timestamps (started_at / updated) for every timing.
 */
import * as path from 'node:path';
import { DataTable, Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Execution, ExecutionStatus } from '../../world/clients/attune';
import { eventually } from '../../world/wait';
import { finished, ms, notifications, payloadOf, refName, thePack, trackUndo } from './context';
import { user } from './tenants';

const TIER2_PACK_DIR = path.join(__dirname, '..', '..', 'features', 'attune', 'fixtures', 'e2e_tier2');
const WITHIN = 45_000;

interface Child extends Execution {
  workflow_task?: { task_name: string; retry_count: number; max_retries: number; task_index?: number } | null;
  original_execution?: number | null;
}

type Task = Record<string, unknown>;

/** Define a workflow in the scenario's pack; undo deletes it. Returns its ref. */
export async function defineWorkflow(world: AcceptanceWorld, name: string, tasks: Task[], extra: Record<string, unknown> = {}): Promise<string> {
  const pack = thePack(world).ref;
  const ref = `${pack}.${refName(world, name)}`;
  const reply = await world.attune.createWorkflow(ref, pack, { version: '1.0.0', tasks, ...extra });
  expect(reply.status, `defining workflow ${ref} answered ${JSON.stringify(reply.body)}`).to.equal(201);
  trackUndo(world, `workflow ${ref}`, () => world.attune.deleteWorkflow(ref));
  return ref;
}

const act = (world: AcceptanceWorld, name: string) => `${thePack(world).ref}.${name}`;
export const useWorkflow = (world: AcceptanceWorld, ref: string) => world.remember('attune.workflow', ref);

/** The workflow execution in focus, once finished. */
async function theWorkflow(world: AcceptanceWorld): Promise<Execution> {
  return finished(world.attune, world.recall<Execution>('attune.execution').id, WITHIN);
}

/** Child executions of `parent` (full records), in creation order. */
export async function childrenOf(world: AcceptanceWorld, parent: number): Promise<Child[]> {
  const list = await world.attune.listExecutions({ parent });
  return Promise.all(list.sort((a, b) => a.id - b.id).map((c) => world.attune.execution(c.id) as Promise<Child>));
}

async function tasksOf(world: AcceptanceWorld, name?: string): Promise<Child[]> {
  const wf = await theWorkflow(world);
  const children = await childrenOf(world, wf.id);
  return name === undefined ? children : children.filter((c) => c.workflow_task?.task_name === name);
}

const received = (c: Execution) => (c.result?.data as { received?: Record<string, unknown> } | undefined)?.received ?? {};
const output = (c: Execution) => (c.result?.data as { output?: unknown } | undefined)?.output;
const span = (c: Child) => `${c.workflow_task?.task_name ?? c.id} ${c.started_at} -> ${c.updated}`;

// ---------------------------------------------------------------- setup

Given('a registered pack with the orchestration actions', async function (this: AcceptanceWorld) {
  const ref = refName(this, 'e2e');
  const pack = await this.attune.uploadPack(TIER2_PACK_DIR, ref);
  trackUndo(this, `pack ${ref}`, () => this.attune.deletePack(ref));
  this.remember('attune.pack', pack);
});

Given('a workflow of three steps, each depending on the one before and adding one to its step', async function (this: AcceptanceWorld) {
  const emit = act(this, 'emit');
  useWorkflow(this, await defineWorkflow(this, 'sequential', [
    { name: 'task_a', action: emit, input: { message: 'a', step: 1, seconds: 1 } },
    { name: 'task_b', action: emit, depends_on: ['task_a'], input: { message: 'b', step: '{{ task.task_a.result.step + 1 }}', seconds: 1 } },
    { name: 'task_c', action: emit, depends_on: ['task_b'], input: { message: 'c', step: '{{ task.task_b.result.step + 1 }}', seconds: 1 } },
  ]));
});

Given(
  'a workflow that announces {string}, waits {int} seconds and then announces {string}',
  async function (this: AcceptanceWorld, start: string, seconds: number, end: string) {
    const emit = act(this, 'emit');
    useWorkflow(this, await defineWorkflow(this, 'announce', [
      { name: 'announce_start', action: emit, input: { message: start },
        next: [{ when: '{{ succeeded() }}', publish: [{ opening: '{{ result().output }}' }], do: ['wait'] }] },
      { name: 'wait', action: emit, input: { message: 'waited', seconds }, on_success: 'announce_end' },
      { name: 'announce_end', action: emit, input: { message: end, opening: '{{ workflow.opening }}' } },
    ], { output_map: { opening: '{{ workflow.opening }}', closing: '{{ task.announce_end.result.output }}' } }));
  },
);

Given('a child workflow of two tasks, run by a parent workflow', async function (this: AcceptanceWorld) {
  const emit = act(this, 'emit');
  const child = await defineWorkflow(this, 'child', [
    { name: 'first', action: emit, input: { message: 'one' }, on_success: 'second' },
    { name: 'second', action: emit, input: { message: 'two' } },
  ], { output_map: { first: '{{ task.first.result.output }}', second: '{{ task.second.result.output }}' } });
  this.remember('attune.child-workflow', child);
  useWorkflow(this, await defineWorkflow(this, 'parent', [{ name: 'run_child', action: child }], {
    output_map: { from_child: '{{ task.run_child.result.output }}' },
  }));
});

/**
 * abort: only a success transition leads on; recover: a completion transition runs the next task either
 * way (upstream); continue: the plan's `on_failure: continue`; retry: the task is retried twice.
 */
Given(
  'a workflow of three tasks whose second always fails, with the failure policy {string}',
  async function (this: AcceptanceWorld, policy: string) {
    const emit = act(this, 'emit');
    const token = this.uniqueName('fail');
    const second: Task = { name: 'second', action: act(this, 'flaky'), input: { token, fail_times: 99 } };
    if (policy === 'abort') second.next = [{ when: '{{ succeeded() }}', do: ['third'] }];
    else if (policy === 'recover') second.on_complete = 'third';
    else if (policy === 'continue') Object.assign(second, { on_failure: 'continue', on_success: 'third' });
    else if (policy === 'retry') Object.assign(second, { retry: { count: 2, delay: 1 }, on_success: 'third' });
    else throw new Error(`unknown failure policy "${policy}" (abort, recover, continue, retry)`);
    useWorkflow(this, await defineWorkflow(this, `policy_${policy}`, [
      { name: 'first', action: emit, input: { message: 'first' }, on_success: 'second' },
      second,
      { name: 'third', action: emit, input: { message: 'third' } },
    ]));
  },
);

Given(
  'a workflow whose task runs the flaky action that fails {int} time(s), retried up to {int} times after {int} second(s) with {word} backoff',
  async function (this: AcceptanceWorld, failures: number, retries: number, delay: number, backoff: string) {
    useWorkflow(this, await defineWorkflow(this, 'retry', [{
      name: 'flaky_task', action: act(this, 'flaky'), input: { token: this.uniqueName('flaky'), fail_times: failures },
      retry: { count: retries, delay, backoff, max_delay: 60 },
    }]));
  },
);

Given(
  'a workflow whose task sleeps {int} seconds with a timeout of {int} seconds',
  async function (this: AcceptanceWorld, seconds: number, timeout: number) {
    useWorkflow(this, await defineWorkflow(this, 'timeout', [{ name: 'slow', action: act(this, 'slow'), input: { seconds }, timeout }]));
  },
);

Given(
  'a workflow whose task ignores SIGTERM and sleeps {int} seconds with a timeout of {int} seconds',
  async function (this: AcceptanceWorld, seconds: number, timeout: number) {
    useWorkflow(this, await defineWorkflow(this, 'timeout', [{ name: 'slow', action: act(this, 'slow'), input: { seconds, ignore_term: true }, timeout }]));
  },
);

Given(
  'a workflow that runs a {int}-second task for each of {int} items with concurrency {int}',
  async function (this: AcceptanceWorld, seconds: number, count: number, concurrency: number) {
    this.remember('attune.items', Array.from({ length: count }, (_, i) => `item-${i + 1}`));
    this.remember('attune.concurrency', concurrency);
    useWorkflow(this, await defineWorkflow(this, `parallel_${concurrency}`, [{
      name: 'each', action: act(this, 'emit'), with_items: '{{ parameters.items }}', concurrency,
      input: { message: '{{ item }}', step: '{{ index }}', seconds },
    }]));
  },
);

Given('a workflow that asks {string} and hands the answer to its next task', async function (this: AcceptanceWorld, prompt: string) {
  useWorkflow(this, await defineWorkflow(this, 'approval', [
    // The inquiry's TTL is the task's timeout (upstream core.ask has no TTL input of its own).
    { name: 'ask', action: 'core.ask', input: { prompt }, timeout: 120, on_success: 'use_answer' },
    { name: 'use_answer', action: act(this, 'emit'), input: { message: 'answered', data: '{{ task.ask.result.response }}' } },
  ]));
});

// ---------------------------------------------------------------- running

async function runWorkflow(world: AcceptanceWorld, params: Record<string, unknown>): Promise<void> {
  const reply = await world.attune.execute(world.recall<string>('attune.workflow'), params);
  expect(reply.status, `running the workflow answered ${JSON.stringify(reply.body)}`).to.equal(201);
  world.remember('attune.execution', reply.body.data);
}

When('the workflow runs', async function (this: AcceptanceWorld) {
  await runWorkflow(this, this.recalled('attune.items') ? { items: this.recall<string[]>('attune.items') } : {});
});

When('the workflow runs with the parameters:', async function (this: AcceptanceWorld, table: DataTable) {
  await runWorkflow(this, payloadOf(table.rowsHash()));
});

// ---------------------------------------------------------------- outcomes

Then('the workflow has {execution-status}', async function (this: AcceptanceWorld, status: ExecutionStatus) {
  const wf = await theWorkflow(this);
  expect(wf.status, `workflow execution ${wf.id} ended with ${JSON.stringify(wf.result)}`).to.equal(status);
});

Then('its result names the failed task {string}', async function (this: AcceptanceWorld, task: string) {
  const wf = await theWorkflow(this);
  expect(JSON.stringify(wf.result), `result of workflow execution ${wf.id}`).to.include(`'${task}'`);
});

Then('task {string} has {execution-status}', async function (this: AcceptanceWorld, name: string, status: ExecutionStatus) {
  const runs = await tasksOf(this, name);
  expect(runs, `executions of task ${name}`).to.not.be.empty;
  const last = runs[runs.length - 1];
  expect(last.status, `task ${name} (execution ${last.id}) ended with ${JSON.stringify(last.result)}`).to.equal(status);
});

Then('task {string} never started', async function (this: AcceptanceWorld, name: string) {
  const all = await tasksOf(this);
  expect(all.map((c) => c.workflow_task?.task_name), 'tasks the workflow started').to.not.include(name);
});

Then('the tasks ran one after another in the order {string}', async function (this: AcceptanceWorld, order: string) {
  const names = order.split(/\s*(?:->|,)\s*/);
  const children = (await tasksOf(this)).sort((a, b) => ms(a.started_at!) - ms(b.started_at!));
  expect(children.map((c) => c.workflow_task?.task_name), 'tasks by start time').to.deep.equal(names);
  for (let i = 1; i < children.length; i++) {
    const [prev, next] = [children[i - 1], children[i]];
    expect(prev.status, `task ${prev.workflow_task?.task_name}`).to.equal('completed');
    expect(ms(next.started_at!), `${next.workflow_task?.task_name} started (${next.started_at}) only after ${prev.workflow_task?.task_name} completed (${prev.updated})`)
      .to.be.at.least(ms(prev.updated));
  }
  this.remember('attune.children', children);
});

Then('the workflow lasted at least as long as its tasks together', async function (this: AcceptanceWorld) {
  const wf = await theWorkflow(this);
  const children = this.recall<Child[]>('attune.children');
  const sum = children.reduce((s, c) => s + ms(c.updated) - ms(c.started_at!), 0);
  expect(ms(wf.updated) - ms(wf.started_at!), `workflow ${wf.started_at} -> ${wf.updated} vs tasks ${children.map(span).join(', ')}`).to.be.at.least(sum);
});

Then('task {string} received {word} {json-value}', async function (this: AcceptanceWorld, name: string, field: string, value: unknown) {
  const [run] = await tasksOf(this, name);
  expect(run, `execution of task ${name}`).to.exist;
  expect(received(run)[field], `${field} task ${name} received (${JSON.stringify(received(run))})`).to.deep.equal(value);
});

Then('the workflow output {word} is {json-value}', async function (this: AcceptanceWorld, field: string, value: unknown) {
  const wf = await theWorkflow(this);
  const out = (wf.result as { output?: Record<string, unknown> } | null)?.output ?? {};
  expect(out[field], `output of workflow execution ${wf.id}: ${JSON.stringify(wf.result?.output)}`).to.deep.equal(value);
});

Then('every task output was captured', async function (this: AcceptanceWorld) {
  const children = await tasksOf(this);
  for (const c of children) expect(output(c), `output of task ${c.workflow_task?.task_name} (${JSON.stringify(c.result)})`).to.be.a('string');
});

// ---- nested workflows

Then('the executions form three levels: the parent, the child workflow and its {int} tasks', async function (this: AcceptanceWorld, count: number) {
  const parent = await theWorkflow(this);
  const [child, ...others] = await childrenOf(this, parent.id);
  expect(others, `children of the parent execution ${parent.id}`).to.deep.equal([]);
  expect(child?.action_ref, 'the parent runs the child workflow').to.equal(this.recall<string>('attune.child-workflow'));
  expect(child.parent, 'child workflow execution parent').to.equal(parent.id);
  const grandchildren = await childrenOf(this, child.id);
  expect(grandchildren.map((g) => g.workflow_task?.task_name), `tasks of the child workflow execution ${child.id}`).to.deep.equal(['first', 'second']);
  expect(grandchildren.length).to.equal(count);
  for (const g of grandchildren) {
    expect(g.parent, `parent of task execution ${g.id}`).to.equal(child.id);
    expect(await childrenOf(this, g.id), `task execution ${g.id} has no children`).to.deep.equal([]);
  }
  this.remember('attune.tree', [parent, child, ...grandchildren]);
});

Then('every execution of the tree has {execution-status}', function (this: AcceptanceWorld, status: ExecutionStatus) {
  for (const e of this.recall<Execution[]>('attune.tree')) expect(e.status, `execution ${e.id} (${e.action_ref}) ${JSON.stringify(e.result)}`).to.equal(status);
});

Then('the parent completed only after all its descendants', function (this: AcceptanceWorld) {
  const [parent, ...descendants] = this.recall<Execution[]>('attune.tree');
  for (const d of descendants) {
    expect(ms(parent.updated), `parent completed at ${parent.updated}, descendant ${d.id} (${d.action_ref}) at ${d.updated}`).to.be.at.least(ms(d.updated));
  }
});

Then("the parent's output carries its grandchildren's results", async function (this: AcceptanceWorld) {
  const parent = await theWorkflow(this);
  const out = (parent.result as { output?: Record<string, unknown> } | null)?.output;
  expect(out, `output of the parent execution ${parent.id}`).to.deep.equal({ from_child: { first: 'one', second: 'two' } });
});

// ---- retries

Then('task {string} was attempted {int} time(s), each attempt its own execution', async function (this: AcceptanceWorld, name: string, count: number) {
  const attempts = await tasksOf(this, name);
  expect(attempts.length, `attempts of task ${name}: ${attempts.map((a) => `${a.id} ${a.status}`).join(', ')}`).to.equal(count);
  attempts.forEach((a, i) => {
    expect(a.workflow_task?.retry_count, `retry_count of attempt ${i + 1} (execution ${a.id})`).to.equal(i);
    expect(a.original_execution ?? null, `original_execution of attempt ${i + 1}`).to.equal(i === 0 ? null : attempts[0].id);
  });
  expect(new Set(attempts.map((a) => a.id)).size, 'each attempt is a separate execution').to.equal(count);
  this.remember('attune.attempts', attempts);
});

Then('the task may be retried at most {int} times', function (this: AcceptanceWorld, max: number) {
  for (const a of this.recall<Child[]>('attune.attempts')) expect(a.workflow_task?.max_retries, `max_retries of execution ${a.id}`).to.equal(max);
});

Then('every attempt but the last failed, and the last {execution-status}', function (this: AcceptanceWorld, status: ExecutionStatus) {
  const attempts = this.recall<Child[]>('attune.attempts');
  attempts.slice(0, -1).forEach((a) => expect(a.status, `attempt ${a.workflow_task?.retry_count} ${JSON.stringify(a.result)}`).to.equal('failed'));
  expect(attempts[attempts.length - 1].status, 'last attempt').to.equal(status);
});

// Tolerance: an attempt may start up to 1.5 s late on a loaded machine, never more than 0.25 s early.
Then('the retries started {int} and {int} seconds after the attempt before failed', function (this: AcceptanceWorld, first: number, second: number) {
  const attempts = this.recall<Child[]>('attune.attempts');
  const gaps = attempts.slice(1).map((a, i) => (ms(a.created) - ms(attempts[i].updated)) / 1000);
  expect(gaps.length, 'retries').to.equal(2);
  [first, second].forEach((d, i) => expect(gaps[i], `gap before retry ${i + 1} (gaps ${gaps.map((g) => g.toFixed(2)).join(', ')} s)`).to.be.within(d - 0.25, d + 1.5));
});

Then('every failed attempt kept its error {string}', function (this: AcceptanceWorld, text: string) {
  for (const a of this.recall<Child[]>('attune.attempts').filter((x) => x.status === 'failed')) {
    expect(String(a.result?.error ?? ''), `error of attempt ${a.workflow_task?.retry_count}`).to.match(new RegExp(text.replace(/N/g, '\\d+')));
  }
});

// ---- timeouts

// Tolerance: up to 4 s late (process start and the kill on a loaded machine), never early.
Then(
  "the task's execution failed after about {int} seconds, saying it timed out",
  async function (this: AcceptanceWorld, seconds: number) {
    const [run] = await tasksOf(this, 'slow');
    expect(run, 'execution of the slow task').to.exist;
    expect(run.status, `slow task ${JSON.stringify(run.result)}`).to.equal('failed');
    expect(String(run.result?.error), 'error of the slow task').to.include('timed out');
    const took = (ms(run.updated) - ms(run.started_at!)) / 1000;
    expect(took, `the slow task ran ${run.started_at} -> ${run.updated}`).to.be.within(seconds, seconds + 4);
    this.remember('attune.killed', run);
  },
);

// Upstream records a timed-out process with exit code -1 (process_executor.rs).
Then('its exit code marks the timeout', function (this: AcceptanceWorld) {
  const run = this.recall<Execution>('attune.killed');
  expect(run.result?.exit_code, `exit code of execution ${run.id}: ${JSON.stringify(run.result)}`).to.equal(-1);
});

// The plan's "exit code indicates SIGTERM/SIGKILL": the signal that ended the process, recorded next to it.
Then('its result shows it was ended by {word}', function (this: AcceptanceWorld, signal: string) {
  const run = this.recall<Execution>('attune.killed');
  expect([run.result?.exit_code, run.result?.signal], `exit code and signal of execution ${run.id}: ${JSON.stringify(run.result)}`).to.deep.equal([-1, signal]);
});

// Observable only where the worker runs on this machine (the embedded target, or a worker on this host).
Then('no process of the action is left running', async function (this: AcceptanceWorld) {
  const run = this.recall<Execution>('attune.killed');
  const line = String(run.result?.stdout ?? '').split('\n').find((l) => l.includes('pids'));
  expect(line, `the slow action printed its pids before it was killed (stdout ${JSON.stringify(run.result?.stdout)})`).to.exist;
  const pids: number[] = JSON.parse(line!).pids;
  const alive = () => pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code !== 'ESRCH';
    }
  });
  await eventually(alive, (left) => left.length === 0, { within: 3000, every: 200, what: `processes ${pids.join(', ')} to be gone` });
});

Then('the worker still runs a task to success afterwards', async function (this: AcceptanceWorld) {
  const reply = await this.attune.execute(act(this, 'emit'), { message: 'still here' });
  expect(reply.status, `running emit answered ${JSON.stringify(reply.body)}`).to.equal(201);
  const done = await finished(this.attune, reply.body.data.id);
  expect([done.status, output(done)], `execution ${done.id} ${JSON.stringify(done.result)}`).to.deep.equal(['completed', 'still here']);
});

// ---- parallel items

Then('all {int} children succeeded, at most {int} running at any moment and {int} at once at some point', async function (this: AcceptanceWorld, count: number, cap: number, peak: number) {
  const children = await tasksOf(this, 'each');
  expect(children.length, 'children of the workflow').to.equal(count);
  for (const c of children) expect(c.status, `child ${c.id} ${JSON.stringify(c.result)}`).to.equal('completed');
  const edges = children.flatMap((c) => [[ms(c.started_at!), 1], [ms(c.updated), -1]]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let max = 0;
  for (const [, d] of edges) max = Math.max(max, (running += d));
  expect(max, `most children running at once (${children.map(span).join('; ')})`).to.equal(Math.min(cap, peak));
  this.remember('attune.children', children);
});

// Never less than the waves' sleeps; at most one slowest child per wave (a child's own run time grows
// with the machine's load: process start) plus 1 s, so running in parallel is told from the sum.
Then('the children took about {int} seconds from the first start to the last finish', function (this: AcceptanceWorld, seconds: number) {
  const children = this.recall<Child[]>('attune.children');
  const took = (Math.max(...children.map((c) => ms(c.updated))) - Math.min(...children.map((c) => ms(c.started_at!)))) / 1000;
  const waves = Math.ceil(children.length / this.recall<number>('attune.concurrency'));
  const slowest = Math.max(...children.map((c) => ms(c.updated) - ms(c.started_at!))) / 1000;
  expect(took, `children ${children.map(span).join('; ')} (${waves} wave(s), slowest child ${slowest.toFixed(2)} s)`).to.be.within(seconds, waves * slowest + 1);
});

// ---- inquiries

Then('the workflow waits on a pending inquiry asking {string}, with a deadline', async function (this: AcceptanceWorld, prompt: string) {
  const wf = this.recall<Execution>('attune.execution');
  const ask = await eventually(
    async () => (await childrenOf(this, wf.id)).find((c) => c.workflow_task?.task_name === 'ask'),
    (c) => !!c && c.status === 'running',
    { within: 15_000, every: 200, what: 'the ask task to be running' },
  );
  const [inquiry] = await eventually(() => this.attune.inquiriesOf(ask!.id), (l) => l.length > 0, { within: 10_000, every: 200, what: `an inquiry of execution ${ask!.id}` });
  expect([inquiry.status, inquiry.prompt], `inquiry ${inquiry.id}`).to.deep.equal(['pending', prompt]);
  expect(inquiry.timeout_at, `timeout_at of inquiry ${inquiry.id}`).to.be.a('string');
  expect(ms(inquiry.timeout_at!), 'the inquiry expires after its TTL, not before').to.be.above(Date.now());
  // The plan's "paused": upstream keeps the execution running while its inquiry is pending.
  expect((await this.attune.execution(wf.id)).status, 'the workflow while the inquiry is pending').to.equal('running');
  const next = (await childrenOf(this, wf.id)).filter((c) => c.workflow_task?.task_name === 'use_answer');
  expect(next, 'the next task waits for the answer').to.deep.equal([]);
  this.remember('attune.inquiry', inquiry);
});

When('the inquiry is answered with:', async function (this: AcceptanceWorld, table: DataTable) {
  const answer = payloadOf(table.rowsHash());
  const reply = await this.attune.respondInquiry(this.recall<{ id: number }>('attune.inquiry').id, answer);
  expect(reply.status, `answering the inquiry: ${JSON.stringify(reply.body)}`).to.equal(200);
  this.remember('attune.answer', answer);
});

Then('the inquiry is marked responded with that answer', async function (this: AcceptanceWorld) {
  const reply = await this.attune.getInquiry(this.recall<{ id: number }>('attune.inquiry').id);
  expect([reply.body?.data?.status, reply.body?.data?.response], 'the inquiry after the answer').to.deep.equal(['responded', this.recall('attune.answer')]);
});

Then('the next task received that answer', async function (this: AcceptanceWorld) {
  const [run] = await tasksOf(this, 'use_answer');
  expect(run, 'the task after the inquiry').to.exist;
  expect(received(run).data, `what the task after the inquiry received`).to.deep.equal(this.recall('attune.answer'));
});

// ---- actions writing to the key store (T2.3); the test pack's key writer and reader

/** A workflow: `write` stores the value through the worker's datastore helper, `read` reads it back. */
async function writeThenRead(world: AcceptanceWorld, value: unknown, name: string, encrypted: boolean, ttl?: number): Promise<void> {
  const ref = `${thePack(world).ref}.${name}`;
  // The key is created by the action; its undo is registered before the workflow can create it.
  trackUndo(world, `key ${ref}`, () => world.attune.deleteKey(ref));
  world.remember('attune.written', { ref, value });
  useWorkflow(world, await defineWorkflow(world, 'write_read', [
    { name: 'write', action: act(world, 'write_key'), input: { key_name: name, value, encrypted, ...(ttl ? { ttl } : {}) }, on_success: 'read' },
    { name: 'read', action: act(world, 'read_key'), input: { key_name: name } },
  ]));
}

Given(
  'a workflow whose first task writes {json-value} under the {key-kind} {string} and whose second reads it',
  async function (this: AcceptanceWorld, value: unknown, kind: { encrypted: boolean }, name: string) {
    await writeThenRead(this, value, name, kind.encrypted);
  },
);

Given(
  'a workflow whose first task writes {json-value} under the key {string} for {int} seconds and whose second reads it',
  async function (this: AcceptanceWorld, value: unknown, name: string, ttl: number) {
    await writeThenRead(this, value, name, false, ttl);
  },
);

Then('the reading task got {json-value}', async function (this: AcceptanceWorld, value: unknown) {
  const [read] = await tasksOf(this, 'read');
  expect(read, 'execution of the reading task').to.exist;
  expect(output(read), `what the reading task (execution ${read.id}) read: ${JSON.stringify(read.result)}`).to.deep.equal(value);
});

Then('the database holds {json-value} under the key {string}, owned by the pack', async function (this: AcceptanceWorld, value: unknown, name: string) {
  const ref = `${thePack(this).ref}.${name}`;
  const row = await this.attune.storedKey(ref);
  expect(row, `a row for key ${ref} in table key`).to.not.equal(null);
  expect([row!.value, row!.encrypted, row!.owner_type, row!.owner_pack_ref], `row of key ${ref}`).to.deep.equal([value, false, 'pack', thePack(this).ref]);
});

Then("{attune-user} cannot read the pack's key {string}", async function (this: AcceptanceWorld, name: string, key: string) {
  const ref = `${thePack(this).ref}.${key}`;
  const reply = await user(this, name).client.getKey(ref);
  expect(reply.status, `${name} reading key ${ref}: ${JSON.stringify(reply.body)}`).to.equal(404);
});

Then('the key {string} expires {int} seconds after it was written', async function (this: AcceptanceWorld, name: string, ttl: number) {
  const [write] = await tasksOf(this, 'write');
  const key = (write.result?.data as { key?: { ref: string; created: string; expires_at?: string } } | undefined)?.key;
  expect(key?.ref, `the key the writing task stored (${JSON.stringify(write.result)})`).to.equal(`${thePack(this).ref}.${name}`);
  expect(key!.expires_at, `expiry of key ${key!.ref} as the target answered the writer`).to.be.a('string');
  expect((ms(key!.expires_at!) - ms(key!.created)) / 1000, `key ${key!.ref} created ${key!.created}, expires ${key!.expires_at}`).to.be.closeTo(ttl, 1);
  this.remember('attune.expiring', key);
});

// Tolerance: the target may take up to 2.5 s past the expiry to forget the key (its sweep runs every second).
Then('once expired the key can no longer be read, nor is it in the database', async function (this: AcceptanceWorld) {
  const key = this.recall<{ ref: string; expires_at: string }>('attune.expiring');
  const wait = Math.max(ms(key.expires_at) - Date.now(), 0) + 2500;
  const gone = async () => ({ api: (await this.attune.getKey(key.ref)).status, row: await this.attune.storedKey(key.ref) });
  await eventually(gone, (g) => g.api === 404 && g.row === null, { within: wait, every: 200, what: `key ${key.ref} unreadable (404) and its row removed after ${key.expires_at}` });
});

// ---- parameter templating and context (T2.4)

Given(
  "a workflow whose second task's input comes from the first task's result, the parameters, the workflow variables and the key store, and whose third runs once per region",
  async function (this: AcceptanceWorld) {
    const emit = act(this, 'emit');
    useWorkflow(this, await defineWorkflow(this, 'context', [
      { name: 'fetch_config', action: emit, input: { message: 'fetched', data: { api_key: 'k-123', status: 'ok' } }, on_success: 'use_context' },
      {
        name: 'use_context', action: emit, on_success: 'per_item',
        input: {
          api_key: '{{ task.fetch_config.result.received.data.api_key }}',
          status_line: 'fetch_config said {{ task.fetch_config.result.received.data.status }}',
          email: '{{ parameters.user.email }}',
          count: '{{ parameters.count }}',
          environment: '{{ workflow.environment }}',
          api_url: '{{ keystore.config.api_url }}',
          missing: '{{ parameters.not_given }}',
        },
      },
      { name: 'per_item', action: emit, with_items: '{{ workflow.regions }}', concurrency: 3, input: { message: '{{ item }}', step: '{{ index }}' } },
    ], { vars: { environment: 'staging', regions: ['eu', 'us', 'ap'] } }));
  },
);

Given('a workflow whose task input uses the unknown filter {string}', async function (this: AcceptanceWorld, filter: string) {
  useWorkflow(this, await defineWorkflow(this, 'broken', [
    { name: 'broken', action: act(this, 'emit'), input: { message: `{{ parameters.items | ${filter} }}` } },
  ]));
});

Then('task {string} ran once per item {string}, each receiving its item and index', async function (this: AcceptanceWorld, name: string, list: string) {
  const items = list.split(/,\s*/);
  const runs = await tasksOf(this, name);
  const seen = runs.map((r) => [received(r).message, received(r).step]).sort((a, b) => Number(a[1]) - Number(b[1]));
  expect(seen, `item and index each run of ${name} received`).to.deep.equal(items.map((item, index) => [item, index]));
});

Then('its result says the template of task {string} could not be rendered, naming {string}', async function (this: AcceptanceWorld, task: string, word: string) {
  const wf = await theWorkflow(this);
  const error = JSON.stringify((wf.result as { tasks?: Record<string, unknown> } | null)?.tasks?.[task] ?? null);
  expect(String(wf.result?.error), `error of workflow execution ${wf.id}`).to.include(`'${task}'`);
  expect(error, `what the workflow recorded for task ${task}`).to.match(/template/i).and.to.include(word);
});

// ---- inquiry timeouts (T2.7)

Given('a workflow that asks {string} for {int} seconds, defaulting to:', async function (this: AcceptanceWorld, prompt: string, ttl: number, table: DataTable) {
  const fallback = this.remember('attune.default-response', payloadOf(table.rowsHash()));
  useWorkflow(this, await defineWorkflow(this, 'ask_default', [
    { name: 'ask', action: 'core.ask', input: { prompt, default_response: fallback }, timeout: ttl, on_success: 'use_answer' },
    { name: 'use_answer', action: act(this, 'emit'), input: { message: 'answered', data: '{{ task.ask.result.response }}' } },
  ]));
});

Given('a workflow that asks {string} for {int} seconds and escalates when nobody answers', async function (this: AcceptanceWorld, prompt: string, ttl: number) {
  const emit = act(this, 'emit');
  useWorkflow(this, await defineWorkflow(this, 'ask_escalate', [
    {
      name: 'ask', action: 'core.ask', input: { prompt }, timeout: ttl,
      next: [{ when: '{{ succeeded() }}', do: ['use_answer'] }, { when: '{{ timed_out() }}', do: ['escalate'] }],
    },
    { name: 'use_answer', action: emit, input: { message: 'answered', data: '{{ task.ask.result.response }}' } },
    { name: 'escalate', action: emit, input: { message: 'escalated' } },
  ]));
});

// Tolerance: the deadline within 1 s of the TTL; the target marks it up to 2.5 s after (it checks every second).
Then('the inquiry times out {int} seconds after it was asked', async function (this: AcceptanceWorld, ttl: number) {
  const { id } = this.recall<{ id: number }>('attune.inquiry');
  const inquiry = await eventually(async () => (await this.attune.getInquiry(id)).body?.data, (i) => i?.status !== 'pending', {
    within: ttl * 1000 + 10_000, every: 250, what: `inquiry ${id} to leave pending`,
  });
  expect(inquiry.status, `inquiry ${id} after its TTL`).to.equal('timeout');
  expect(inquiry.response ?? null, `response of inquiry ${id}`).to.equal(null);
  expect((ms(inquiry.timeout_at) - ms(inquiry.created)) / 1000, `inquiry ${id} created ${inquiry.created}, deadline ${inquiry.timeout_at}`).to.be.closeTo(ttl, 1);
  expect((ms(inquiry.updated) - ms(inquiry.timeout_at)) / 1000, `inquiry ${id} marked timed out at ${inquiry.updated}`).to.be.within(0, 2.5);
  const late = await this.attune.respondInquiry(id, { approved: 'yes' });
  expect(late.status, `a late answer to inquiry ${id}: ${JSON.stringify(late.body)}`).to.equal(400);
});

Then('the next task received the default response', async function (this: AcceptanceWorld) {
  const [run] = await tasksOf(this, 'use_answer');
  expect(run, 'the task after the inquiry').to.exist;
  expect(received(run).data, 'what the task after the inquiry received').to.deep.equal(this.recall('attune.default-response'));
});

Then('the notifier announced the inquiry as created, then {inquiry-outcome}', async function (this: AcceptanceWorld, outcome: string) {
  const { id } = this.recall<{ id: number }>('attune.inquiry');
  const capture = notifications(this);
  await capture.waitFor((n) => n.entity_type === 'inquiry' && n.entity_id === id && n.notification_type === `inquiry_${outcome}`, {
    within: 5000, what: `an inquiry_${outcome} notification for inquiry ${id}`,
  });
  const seen = capture.about('inquiry', id).map((n) => [n.notification_type, n.payload?.status]);
  expect(seen, `notifications about inquiry ${id}`).to.deep.equal([['inquiry_created', 'pending'], [`inquiry_${outcome}`, outcome]]);
});
