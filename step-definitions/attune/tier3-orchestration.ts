/**
 * Tier 3 orchestration: a workflow that stops for two approvals in turn (T3.9) and the full
 * automation loop (T3.7: webhook -> threshold from the key store -> approval -> multi-step workflow
 * -> key store update -> notification). Checked from what the target recorded: child executions,
 * their inquiries, what each task received, the keys, and the notifier's messages.
 */
import { Given, Then } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Execution } from '../../world/clients/attune';
import { eventually } from '../../world/wait';
import { thePack } from './context';
import { childrenOf, defineWorkflow, useWorkflow } from './tier2-workflows';

const act = (world: AcceptanceWorld, name: string) => `${thePack(world).ref}.${name}`;
const received = (c: Execution) => (c.result?.data as { received?: Record<string, unknown> } | undefined)?.received ?? {};

/** The task execution of `task` in the workflow in focus, once it exists. */
async function taskRun(world: AcceptanceWorld, task: string, within = 20_000): Promise<Execution> {
  const wf = world.recall<Execution>('attune.execution');
  const found = await eventually(
    async () => (await childrenOf(world, wf.id)).find((c) => c.workflow_task?.task_name === task),
    (c) => !!c,
    { within, every: 200, what: `task ${task} of workflow execution ${wf.id} to start` },
  );
  return found!;
}

// ---------------------------------------------------------------- T3.9 two approvals

Given("a workflow that asks for the manager's approval, then the security team's, then deploys", async function (this: AcceptanceWorld) {
  useWorkflow(this, await defineWorkflow(this, 'two_approvals', [
    { name: 'manager_approval', action: 'core.ask', input: { prompt: 'Manager approval: deploy release 42?', timeout: 300 }, on_success: 'security_approval' },
    // The second question is built from the first answer: a later task sees the earlier response.
    { name: 'security_approval', action: 'core.ask', on_success: 'deploy',
      input: { prompt: 'Security approval: release 42, approved by {{ task.manager_approval.result.response.approver }}?', timeout: 300 } },
    { name: 'deploy', action: act(this, 'emit'),
      input: { message: 'deployed', data: { manager: '{{ task.manager_approval.result.response }}', security: '{{ task.security_approval.result.response }}' } } },
  ]));
});

Then('the workflow pauses on the inquiry {string}, and no later task has started', async function (this: AcceptanceWorld, prompt: string) {
  const wf = this.recall<Execution>('attune.execution');
  const all = await eventually(
    async () => {
      const children = await childrenOf(this, wf.id);
      const pending = [];
      for (const c of children) if (c.action_ref === 'core.ask' && c.status === 'running') pending.push(...(await this.attune.inquiriesOf(c.id)).filter((i) => i.status === 'pending'));
      return { children, pending };
    },
    (s) => s.pending.length > 0,
    { within: 20_000, every: 200, what: `a pending inquiry of workflow execution ${wf.id}` },
  );
  expect(all.pending.map((i) => i.prompt), `pending inquiries of workflow execution ${wf.id}`).to.deep.equal([prompt]);
  const [inquiry] = all.pending;
  // Upstream's "paused": the workflow stays running while its inquiry is pending.
  expect((await this.attune.execution(wf.id)).status, 'the workflow while the inquiry is pending').to.equal('running');
  const asking = all.children.find((c) => c.status === 'running' && c.action_ref === 'core.ask')!;
  const later = all.children.filter((c) => c.id > asking.id).map((c) => c.workflow_task?.task_name);
  expect(later, `tasks started after the one asking "${prompt}"`).to.deep.equal([]);
  this.remember('attune.inquiry', inquiry);
});

Then('the deploy task received both answers, as the inquiries recorded them', async function (this: AcceptanceWorld) {
  const answers: Record<string, unknown> = {};
  for (const [who, task] of [['manager', 'manager_approval'], ['security', 'security_approval']]) {
    const run = await taskRun(this, task);
    const [inquiry] = await this.attune.inquiriesOf(run.id);
    const full = (await this.attune.getInquiry(inquiry.id)).body?.data;
    expect(full?.status, `inquiry ${inquiry.id} of task ${task}`).to.equal('responded');
    answers[who] = full.response;
  }
  const deploy = await taskRun(this, 'deploy');
  expect(received(deploy).data, `what the deploy task (execution ${deploy.id}) received`).to.deep.equal(answers);
});
