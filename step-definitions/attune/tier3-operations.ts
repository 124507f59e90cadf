/**
 * Tier 3 operations: cancelling a running execution (T3.23), reloading a pack while it runs
 * (T3.26), on the long-running and versioned actions of the operations fixture pack. Every check
 * reads what the target recorded: statuses, results, and its own timestamps for every timing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defineParameterType, Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { ApiReply, Execution, WorkerPlacement } from '../../world/clients/attune';
import { cancelExecution, placementFor, removeWorker, signalWorkerService, startOwnWorker, startWorkerService, workerService, WorkerServiceStatus } from '../../world/clients/attune-ops';
import { describe, eventually, holdsFor } from '../../world/wait';
import { actionRef, finished, ms, outputOf, registerFixturePack, thePack } from './context';
import { childrenOf, defineWorkflow, useWorkflow } from './tier2-workflows';

export const TIER3_PACK_DIR = path.join(__dirname, '..', '..', 'features', 'attune', 'fixtures', 'e2e_tier3');

/** The long-running actions of the fixture pack, by how they answer a request to stop. */
const LONG_RUNNING: Record<string, string> = {
  'stops cleanly when asked': 'graceful',
  'ignores the request to stop': 'stubborn',
};
defineParameterType({ name: 'stop-behaviour', regexp: new RegExp(Object.keys(LONG_RUNNING).join('|')), transformer: (s: string) => LONG_RUNNING[s] });

Given('a registered pack with the operations actions', async function (this: AcceptanceWorld) {
  this.remember('attune.pack', await registerFixturePack(this, this.attune, TIER3_PACK_DIR));
});

/** Where this scenario's executions run: on its own worker service when it started one, else anywhere. */
const placement = (world: AcceptanceWorld): WorkerPlacement => (world.recalled('attune.placement') ? world.recall<WorkerPlacement>('attune.placement') : {});

/** Start an action and return the execution once the target reports it running. */
export async function startRunning(world: AcceptanceWorld, action: string, parameters: Record<string, unknown> = {}): Promise<Execution> {
  const reply = await world.attune.execute(actionRef(world, action), parameters, placement(world));
  expect(reply.status, `running ${action} answered ${describe(reply.body)}`).to.equal(201);
  return eventually(
    () => world.attune.execution(reply.body.data.id),
    (e) => e.status === 'running' && !!e.started_at,
    { within: 15_000, every: 100, what: `execution ${reply.body.data.id} of ${action} to be running` },
  );
}

When('the long-running action that {stop-behaviour} is running', async function (this: AcceptanceWorld, action: string) {
  this.remember('attune.execution', await startRunning(this, action));
});

// The plan cancels "after 5 seconds"; what matters is that the action is well under way: its code
// loaded, its signal handling set up. `started_at` is when the run was handed over, not when the
// action's process got that far, which on a busy worker can be a second later: so the step first
// watches the execution's own log for the line the action prints once it is ready.
const FIRST_LINE = 'partial output before the stop';
const LOADED = 'loaded code version';

/** Wait until the action printed `ready` to its log, then until it has run `after` ms by the target's own started_at. */
async function ranFor(world: AcceptanceWorld, run: Execution, after: number, ready: { stream: 'stdout' | 'stderr'; text: string }): Promise<void> {
  const shown = await world.attune.logShows(run.id, ready.stream, ready.text, 15_000);
  expect(shown, `execution ${run.id} writing "${ready.text}" to its ${ready.stream} log within 15 s`).to.equal(true);
  await eventually(async () => Date.now() - ms(run.started_at!), (ran) => ran >= after, { within: after + 5000, every: 100, what: `execution ${run.id} to have run ${after} ms` });
}

When('I cancel it after it has run for {duration}', async function (this: AcceptanceWorld, after: number) {
  const run = this.recall<Execution>('attune.execution');
  await ranFor(this, run, after, { stream: 'stdout', text: FIRST_LINE });
  this.remember('attune.cancel', await cancelExecution(this.attune, run.id));
});

Then('the cancel request is accepted while the execution runs', function (this: AcceptanceWorld) {
  const reply = this.recall<ApiReply>('attune.cancel');
  expect(reply.status, `the cancel request answered ${describe(reply.body)}`).to.equal(200);
  expect(reply.body?.data?.status, 'the execution as the cancel request left it').to.equal('canceling');
});

/** The execution once cancelled, and how long after the cancel request (the target's own instants) it ended. */
async function cancelled(world: AcceptanceWorld): Promise<{ run: Execution; took: number }> {
  const { id } = world.recall<Execution>('attune.execution');
  const run = await finished(world.attune, id, 20_000);
  expect(run.status, `execution ${id} ended with ${JSON.stringify(run.result)}`).to.equal('cancelled');
  world.remember('attune.killed', run); // for "no process of the action is left running"
  const asked = ms(world.recall<ApiReply>('attune.cancel').body.data.updated);
  return { run, took: ms(run.updated) - asked };
}

const stdoutOf = (run: Execution) => String(run.result?.stdout ?? '');

Then('the action was sent SIGTERM, ran its cleanup and stopped within {duration}', async function (this: AcceptanceWorld, limit: number) {
  const { run, took } = await cancelled(this);
  const out = stdoutOf(run);
  expect(out, `stdout of execution ${run.id}: the action's SIGTERM trap ran`).to.include('received SIGTERM').and.include('cleanup done');
  expect(out, `stdout of execution ${run.id}`).to.not.include('finished without being stopped');
  expect(took, `ms from the cancel request to cancelled (${run.updated})`).to.be.at.most(limit);
});

Then(
  'the action, ignoring SIGTERM, was killed with SIGKILL once the grace period of {duration} had passed',
  async function (this: AcceptanceWorld, grace: number) {
    const { run, took } = await cancelled(this);
    expect(took, `ms from the cancel request to cancelled (${run.updated})`).to.be.within(grace, grace + 3000);
    // 128 + SIGKILL (9), as the worker reports a process ended by a signal.
    expect(run.result?.exit_code, `exit code of execution ${run.id}: ${JSON.stringify(run.result)}`).to.equal(137);
  },
);

Then('what it printed before the cancel is kept', async function (this: AcceptanceWorld) {
  const run = this.recall<Execution>('attune.killed');
  expect(stdoutOf(run), `stdout in the result of execution ${run.id}`).to.include(FIRST_LINE);
  expect(await this.attune.executionLog(run.id, 'stdout'), `the stdout log of execution ${run.id}`).to.include(FIRST_LINE);
  expect(String(run.result?.error ?? ''), `error of execution ${run.id}`).to.match(/cancel/i);
});

// ---------------------------------------------------------------- T3.25 large workflow

Given('a workflow of {int} sequential tasks, each echoing its task number', async function (this: AcceptanceWorld, count: number) {
  const name = (i: number) => `task_${String(i).padStart(3, '0')}`;
  const tasks = Array.from({ length: count }, (_, k) => ({
    name: name(k + 1), action: actionRef(this, 'count'), input: { number: k + 1 }, ...(k + 1 < count ? { on_success: name(k + 2) } : {}),
  }));
  this.remember('attune.task-count', count);
  useWorkflow(this, await defineWorkflow(this, 'large', tasks));
});

// The step's own limit is the feature's (up to 3 minutes), beyond cucumber's 60 s default.
Then('the workflow succeeded within {duration}', { timeout: 200_000 }, async function (this: AcceptanceWorld, within: number) {
  const wf = await finished(this.attune, this.recall<Execution>('attune.execution').id, within);
  expect(wf.status, `workflow execution ${wf.id} ended with ${JSON.stringify(wf.result).slice(0, 500)}`).to.equal('completed');
  this.remember('attune.workflow-run', wf);
});

Then('every task ran once, as a child of the workflow, in task-number order, each after the one before finished', async function (this: AcceptanceWorld) {
  const wf = this.recall<Execution>('attune.workflow-run');
  const count = this.recall<number>('attune.task-count');
  const children = (await childrenOf(this, wf.id)).sort((a, b) => ms(a.started_at!) - ms(b.started_at!) || a.id - b.id);
  expect(children.length, `child executions of workflow ${wf.id}`).to.equal(count);
  children.forEach((c, k) => {
    const what = `child ${k + 1} by start time (execution ${c.id}, task ${c.workflow_task?.task_name})`;
    expect(c.parent, `parent of ${what}`).to.equal(wf.id);
    expect(c.workflow_task?.task_name, what).to.equal(`task_${String(k + 1).padStart(3, '0')}`);
    expect([c.status, stdoutOf(c).trim()], `${what}: status and output`).to.deep.equal(['completed', `task ${k + 1}`]);
    if (k > 0) {
      const prev = children[k - 1];
      expect(ms(c.started_at!), `${what} started ${c.started_at}, after task ${k} finished at ${prev.updated}`).to.be.at.least(ms(prev.updated));
    }
  });
  for (const c of children) expect(await childrenOf(this, c.id), `task execution ${c.id} has no children of its own`).to.deep.equal([]);
});

// ---------------------------------------------------------------- T3.26 pack reload

/** Run the version action to its end and return what version of its code it reported. */
async function versionRun(world: AcceptanceWorld, id: number): Promise<Execution> {
  const run = await finished(world.attune, id, 30_000);
  expect(run.status, `version action execution ${run.id} ended with ${JSON.stringify(run.result)}`).to.equal('completed');
  return run;
}

When('the version action runs, it reports its code version {string}', async function (this: AcceptanceWorld, version: string) {
  const reply = await this.attune.execute(actionRef(this, 'version'), {});
  expect(reply.status, `running the version action answered ${describe(reply.body)}`).to.equal(201);
  const run = await versionRun(this, reply.body.data.id);
  expect(outputOf(run), `version reported by execution ${run.id}`).to.equal(version);
});

// "In flight": its process said which code it loaded, and it has been running a while by started_at.
Given('a run of the version action taking {duration} has been in flight for {duration}', async function (this: AcceptanceWorld, seconds: number, after: number) {
  const run = await startRunning(this, 'version', { seconds: seconds / 1000 });
  await ranFor(this, run, after, { stream: 'stderr', text: LOADED });
  this.remember('attune.in-flight', run);
});

When('the pack is reloaded as version {string} with changed action code', async function (this: AcceptanceWorld, version: string) {
  const pack = thePack(this);
  // The same pack directory with the new version and new code, uploaded again over the same ref
  // (upstream's reload: upload with force, REPORT §1.5).
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-pack-update-'));
  try {
    fs.cpSync(TIER3_PACK_DIR, dir, { recursive: true });
    const rewrite = (file: string, from: RegExp, to: string) => fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(from, to));
    rewrite(path.join(dir, 'pack.yaml'), /^version: .*$/m, `version: "${version}"`);
    rewrite(path.join(dir, 'actions', 'version.py'), /^CODE_VERSION = .*$/m, `CODE_VERSION = "${version}"`);
    this.remember('attune.reloaded', { pack: await this.attune.uploadPack(dir, pack.ref), at: Date.now() });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

Then('the pack is registered at version {string}', async function (this: AcceptanceWorld, version: string) {
  const reply = await this.attune.getPack(thePack(this).ref);
  expect(reply.status, `reading pack ${thePack(this).ref} answered ${describe(reply.body)}`).to.equal(200);
  expect(reply.body.data.version, `version of pack ${thePack(this).ref}`).to.equal(version);
});

Then('a new run of the version action reports {string}', async function (this: AcceptanceWorld, version: string) {
  const reply = await this.attune.execute(actionRef(this, 'version'), {});
  expect(reply.status, `running the version action after the reload answered ${describe(reply.body)}`).to.equal(201);
  const run = await versionRun(this, reply.body.data.id);
  expect(outputOf(run), `version reported by execution ${run.id}, started after the reload`).to.equal(version);
});

Then('the run that was in flight completed on the old code, reporting {string}', async function (this: AcceptanceWorld, version: string) {
  const before = this.recall<Execution>('attune.in-flight');
  const run = await versionRun(this, before.id);
  const { at } = this.recall<{ at: number }>('attune.reloaded');
  expect(ms(run.updated), `execution ${run.id} finished (${run.updated}) after the reload (${new Date(at).toISOString()}), so it was in flight`).to.be.above(at);
  expect(outputOf(run), `version reported by execution ${run.id}, in flight during the reload`).to.equal(version);
});

// ---------------------------------------------------------------- T3.12 / T3.30 the worker service

// The scenario starts a worker service of its own, as an operator would start another worker unit
// (systemctl start attune-worker@NAME) with a label and a no_schedule taint of that name: only the
// executions that select the label and tolerate the taint (this scenario's) run there, so stopping
// or killing it touches no other scenario's work on a shared deployment (upstream scheduling.rs).
Given('a worker service of its own is up, taking only the work sent to it', async function (this: AcceptanceWorld) {
  const name = this.uniqueName();
  this.registry.track(`worker service ${name}`, async () => {
    const gone = await removeWorker(this.attune, name);
    if (gone.status !== 204 && gone.status !== 404) throw new Error(`removing worker service ${name} answered ${gone.status} ${describe(gone.body)}`);
  });
  const labels = { 'e2e-scenario': name };
  const up = await startOwnWorker(this.attune, name, labels);
  expect(up.state, `worker service ${name} once started`).to.equal('ready');
  this.remember('attune.worker', up);
  this.remember('attune.placement', placementFor(labels));
});

When('the operator sends {word} to the worker service', async function (this: AcceptanceWorld, signal: string) {
  if (signal !== 'SIGTERM' && signal !== 'SIGKILL') throw new Error(`the operator sends SIGTERM or SIGKILL, not ${signal}`);
  await signalWorkerService(this.attune, this.recall<WorkerServiceStatus>('attune.worker').name, signal);
  this.remember('attune.signalled-at', Date.now());
});

When('the operator starts the worker service again', async function (this: AcceptanceWorld) {
  const before = this.recall<WorkerServiceStatus>('attune.worker');
  const up = await startWorkerService(this.attune, before.name);
  expect(up.state, 'the new worker service').to.equal('ready');
  expect(up.pid, 'the new worker is a new process').to.not.equal(before.pid);
});

Then('right after, the execution is still running', async function (this: AcceptanceWorld) {
  const { id } = this.recall<Execution>('attune.execution');
  expect((await this.attune.execution(id)).status, `execution ${id} right after its worker died`).to.equal('running');
});

Then('within {duration} the execution is marked abandoned, saying its worker stopped', async function (this: AcceptanceWorld, within: number) {
  const { id } = this.recall<Execution>('attune.execution');
  const run = await eventually(() => this.attune.execution(id), (e) => e.status !== 'running', { within: within + 5000, every: 200, what: `execution ${id} to leave running` });
  // Upstream's status for it is `abandoned` (the plan says "failed"), with result.abandoned_by.
  expect(run.status, `execution ${id}: ${JSON.stringify(run.result)}`).to.equal('abandoned');
  expect(String(run.result?.error ?? ''), `error of execution ${id}`).to.match(/worker/i);
  const took = ms(run.updated) - this.recall<number>('attune.signalled-at');
  expect(took, `ms from the worker's death to execution ${id} marked abandoned (${run.updated})`).to.be.at.most(within);
});

When('I run the version action while no worker takes work', async function (this: AcceptanceWorld) {
  const reply = await this.attune.execute(actionRef(this, 'version'), {}, placement(this));
  expect(reply.status, `running the version action answered ${describe(reply.body)}`).to.equal(201);
  this.remember('attune.queued', reply.body.data);
});

Then('it waits, queued and not running, for {duration}', async function (this: AcceptanceWorld, window: number) {
  const { id } = this.recall<Execution>('attune.queued');
  await holdsFor(() => this.attune.execution(id), (e) => ['requested', 'scheduling', 'scheduled'].includes(e.status) && !e.started_at, window, {
    every: 250, what: `execution ${id} waiting for a worker`,
  });
});

Then('the queued execution runs to success on the new worker', async function (this: AcceptanceWorld) {
  const { id } = this.recall<Execution>('attune.queued');
  const run = await finished(this.attune, id, 30_000);
  expect([run.status, outputOf(run)], `execution ${id}: ${JSON.stringify(run.result)}`).to.deep.equal(['completed', '1.0.0']);
});

Then('the run in flight completed and its result was saved', async function (this: AcceptanceWorld) {
  const { id } = this.recall<Execution>('attune.in-flight');
  const run = await finished(this.attune, id, 30_000);
  expect([run.status, outputOf(run)], `execution ${id}, in flight when the worker was asked to stop: ${JSON.stringify(run.result)}`).to.deep.equal(['completed', '1.0.0']);
  expect(ms(run.updated), `execution ${id} finished (${run.updated}) after the worker was asked to stop`).to.be.above(this.recall<number>('attune.signalled-at'));
});

Then('the worker service exited cleanly with code 0', async function (this: AcceptanceWorld) {
  const down = await eventually(() => workerService(this.attune, this.recall<WorkerServiceStatus>('attune.worker').name), (s) => s.state === 'stopped', { within: 15_000, every: 200, what: 'the worker service to exit' });
  expect({ code: down.exit_code, signal: down.exit_signal }, 'how the worker service ended').to.deep.equal({ code: 0, signal: null });
});

When('it has run for {duration}', async function (this: AcceptanceWorld, after: number) {
  await ranFor(this, this.recall<Execution>('attune.execution'), after, { stream: 'stdout', text: FIRST_LINE });
});
