/**
 * Executions: how they end, what they output, the statuses they went through (from the notifier),
 * and that nothing more runs afterwards.
 */
import { Given, Then } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Execution, ExecutionStatus } from '../../world/clients/attune';
import { eventually, holdsFor } from '../../world/wait';
import { actionRef, executionsOf, finished, notifications, outputOf, statusesOf } from './context';

/** The execution of `action` in focus: the one this scenario started, or the first the target lists. */
export async function theExecution(world: AcceptanceWorld, action: string): Promise<Execution> {
  const ref = actionRef(world, action);
  const known = world.recalled('attune.execution') ? world.recall<Execution>('attune.execution') : undefined;
  const id = known?.action_ref === ref ? known.id : (await executionsOf(world.attune, { action_ref: ref }, 1, 20_000))[0].id;
  return world.remember('attune.execution', await finished(world.attune, id));
}

export function expectEnded(execution: Execution, status: ExecutionStatus): void {
  expect(execution.status, `execution ${execution.id} of ${execution.action_ref} ended with result ${JSON.stringify(execution.result)}`).to.equal(status);
}

function expectOutput(execution: Execution, output: unknown): void {
  expect(outputOf(execution), `output of execution ${execution.id} (result ${JSON.stringify(execution.result)})`).to.deep.equal(output);
}

/** "I watch execution notifications", "I watch inquiry notifications": the notifier's entity feed. */
Given('I watch {word} notifications', async function (this: AcceptanceWorld, entity: string) {
  await notifications(this).subscribe(`entity_type:${entity}`);
});

Then("the {fixture-action}'s execution has {execution-status}", async function (this: AcceptanceWorld, action: string, status: ExecutionStatus) {
  expectEnded(await theExecution(this, action), status);
});

Then(
  "the {fixture-action}'s execution has {execution-status} with output {json-value}",
  async function (this: AcceptanceWorld, action: string, status: ExecutionStatus, output: unknown) {
    const execution = await theExecution(this, action);
    expectEnded(execution, status);
    expectOutput(execution, output);
  },
);

Then(
  'every execution of the {fixture-action} has {execution-status} with output {json-value}',
  async function (this: AcceptanceWorld, action: string, status: ExecutionStatus, output: unknown) {
    const ref = actionRef(this, action);
    const executions = this.recall<Execution[]>('attune.executions');
    expect(executions, 'executions found for the firings').to.not.be.empty;
    expect(executions.filter((e) => e.action_ref !== ref).map((e) => `${e.id} ${e.action_ref}`), `executions not of ${ref}`).to.deep.equal([]);
    for (const execution of executions) {
      const done = await finished(this.attune, execution.id);
      expectEnded(done, status);
      expectOutput(done, output);
    }
  },
);

Then(
  "the {fixture-action}'s execution received {json-value} as its message",
  async function (this: AcceptanceWorld, action: string, message: unknown) {
    const execution = await theExecution(this, action);
    expect(execution.config?.message, `parameters of execution ${execution.id}: ${JSON.stringify(execution.config)}`).to.deep.equal(message);
  },
);

Then(
  "the {fixture-action}'s execution has {execution-status} with exit code {int}",
  async function (this: AcceptanceWorld, action: string, status: ExecutionStatus, code: number) {
    const execution = await theExecution(this, action);
    expectEnded(execution, status);
    expect(execution.result?.exit_code, `exit code in the result ${JSON.stringify(execution.result)}`).to.equal(code);
  },
);

Then('its stderr keeps {string} and its error names it', async function (this: AcceptanceWorld, text: string) {
  const { id, result } = this.recall<Execution>('attune.execution');
  // The recorded stderr itself: the worker's log file, served by the API (never inline in the result).
  const stderr = await this.attune.executionLog(id, 'stderr');
  expect(stderr, `stderr recorded for execution ${id}`).to.include(text);
  expect(result?.stderr_log, `the result of execution ${id} names its stderr log: ${JSON.stringify(result)}`).to.be.a('string').and.match(/stderr\.log$/);
  // The error details: upstream's process runtime reports the (short) stderr as the error.
  expect(String(result?.error ?? ''), `error details in the result of execution ${id}: ${JSON.stringify(result)}`).to.include(text);
});

/**
 * The plan's sequence in upstream's words: upstream's scheduler passes through `scheduling` on its
 * way to `scheduled` (REPORT 2.x status strings), a step the plan does not name.
 */
const withScheduling = (statuses: ExecutionStatus[]) => statuses.flatMap((s) => (s === 'scheduled' && !statuses.includes('scheduling') ? ['scheduling', s] : [s]));

Then('that execution went through {execution-statuses}', async function (this: AcceptanceWorld, planned: ExecutionStatus[]) {
  const { id } = this.recall<Execution>('attune.execution');
  const expected = withScheduling(planned);
  const last = expected[expected.length - 1];
  const capture = notifications(this);
  // Every status the notifier announced for the execution, in order, up to its final one: nothing
  // extra, nothing missing, nothing out of order.
  const seen = await eventually(
    () => statusesOf(capture.about('execution', id)),
    (list) => list.includes(last),
    { within: 5000, every: 100, what: `notifications that execution ${id} reached ${last}` },
  );
  expect(seen.join(' -> '), `statuses announced for execution ${id}`).to.equal(expected.join(' -> '));
  // The execution's own history (upstream's execution_history, newest first): the status it was
  // created with, then every change, in the same order.
  const history = await this.attune.call('get', `/api/v1/executions/${id}/history`, undefined, { page_size: 100 });
  expect(history.status, `history of execution ${id}: ${JSON.stringify(history.body)}`).to.equal(200);
  const recorded = [...(history.body.items as { new_values?: { status?: string } | null }[])].reverse().map((h) => h.new_values?.status).filter(Boolean);
  expect(recorded.join(' -> '), `statuses in the history of execution ${id}`).to.equal(expected.join(' -> '));
});

Then(
  'no further execution of the {fixture-action} appears during the next {duration}',
  async function (this: AcceptanceWorld, action: string, window: number) {
    const ref = actionRef(this, action);
    const before = (await this.attune.listExecutions({ action_ref: ref })).map((e) => e.id);
    await holdsFor(
      () => this.attune.listExecutions({ action_ref: ref }),
      (list) => list.length === before.length,
      window,
      { every: 500, what: `only the executions ${before.join(', ')} of ${ref}` },
    );
  },
);

Then('the {fixture-action} still runs to success afterwards', async function (this: AcceptanceWorld, action: string) {
  const reply = await this.attune.execute(actionRef(this, action), { message: 'still working' });
  expect(reply.status, `running ${action} answered ${JSON.stringify(reply.body)}`).to.equal(201);
  expectEnded(await finished(this.attune, reply.body.data.id), 'completed');
});
