/**
 * Tier 3 orchestration: a workflow that stops for two approvals in turn (T3.9) and the full
 * automation loop (T3.7: webhook -> threshold from the key store -> approval -> multi-step workflow
 * -> key store update -> notification). Checked from what the target recorded: child executions,
 * their inquiries, what each task received, the keys, and the notifier's messages.
 */
import { DataTable, Given, Then } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Execution, Trigger } from '../../world/clients/attune';
import { eventually } from '../../world/wait';
import { createRule, createWebhookTrigger, executionsOf, payloadOf, thePack, trackUndo } from './context';
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

// ---------------------------------------------------------------- T3.7 the full automation loop

Given('a remediation pipeline runs on that trigger and reports to a notification webhook of its own', async function (this: AcceptanceWorld) {
  const pack = thePack(this).ref;
  const alerts = this.recall<Trigger>('attune.trigger');
  const notices = await createWebhookTrigger(this, this.attune, pack);
  this.remember('attune.trigger', alerts);
  this.remember('attune.notices', notices);
  const wf = await defineWorkflow(this, 'pipeline', [
    { name: 'check_threshold', action: act(this, 'check_threshold'), input: { value: '{{ parameters.value }}' },
      next: [
        { when: '{{ result().output.exceeded }}', publish: [{ threshold: '{{ result().output.threshold }}' }], do: ['approval'] },
        { when: '{{ not result().output.exceeded }}', publish: [{ threshold: '{{ result().output.threshold }}' }], do: ['record'] },
      ] },
    { name: 'approval', action: 'core.ask', on_success: 'drain',
      input: { prompt: 'Value {{ parameters.value }} on {{ parameters.host }} exceeds the threshold {{ workflow.threshold }}: remediate?', timeout: 300 } },
    { name: 'drain', action: act(this, 'stage'), input: { stage: 'drain', host: '{{ parameters.host }}' }, on_success: 'restart' },
    { name: 'restart', action: act(this, 'stage'), input: { stage: 'restart', host: '{{ parameters.host }}', after: '{{ task.drain.result.output }}' }, on_success: 'record' },
    { name: 'record', action: act(this, 'record'), on_success: 'notify',
      input: { key_name: 'last_result', value: {
        host: '{{ parameters.host }}', value: '{{ parameters.value }}', threshold: '{{ workflow.threshold }}',
        action: "{{ 'remediated' if task.restart else 'none' }}", approved_by: "{{ task.approval.result.response.by if task.approval else '' }}",
      } } },
    { name: 'notify', action: act(this, 'notify'),
      input: { webhook_key: '{{ parameters.notify_key }}', message: '{{ task.record.result.output.host }}: value {{ task.record.result.output.value }}, threshold {{ task.record.result.output.threshold }}, {{ task.record.result.output.action }}' } },
  ]);
  // The key the pipeline writes goes with the pack; undone here too, in case it outlives it.
  trackUndo(this, `key ${pack}.last_result`, () => this.attune.deleteKey(`${pack}.last_result`));
  await createRule(this, this.attune, {
    packRef: pack, actionRef: wf, triggerRef: alerts.ref,
    actionParams: { value: '{{ event.payload.value }}', host: '{{ event.payload.host }}', notify_key: notices.webhook_key },
  });
});

Then('the event started the pipeline with the posted value and host', async function (this: AcceptanceWorld) {
  const rule = this.recall<{ ref: string }>('attune.rule');
  const [run] = await executionsOf(this.attune, { rule_ref: rule.ref }, 1, 15_000);
  const payload = this.recall<Record<string, unknown>>('attune.payload');
  const full = await this.attune.execution(run.id);
  expect({ value: full.config?.value, host: full.config?.host }, `parameters of the pipeline execution ${run.id}`).to.deep.equal({ value: payload.value, host: payload.host });
  this.remember('attune.execution', full);
});

Then("the pack's key {string} now holds:", async function (this: AcceptanceWorld, name: string, table: DataTable) {
  const ref = `${thePack(this).ref}.${name}`;
  const reply = await this.attune.getKey(ref);
  expect(reply.status, `reading key ${ref} answered ${JSON.stringify(reply.body)}`).to.equal(200);
  expect(reply.body.data.value, `value of key ${ref}`).to.deep.equal(payloadOf(table.rowsHash()));
});

Then('the notification webhook received exactly one message: {string}', async function (this: AcceptanceWorld, message: string) {
  const notices = this.recall<Trigger>('attune.notices');
  const events = await eventually(() => this.attune.listEvents({ trigger_ref: notices.ref }), (l) => l.length > 0, {
    within: 10_000, every: 200, what: `an event on the notification trigger ${notices.ref}`,
  });
  expect(events.length, `events on the notification trigger ${notices.ref}`).to.equal(1);
  const event = (await this.attune.getEvent(events[0].id)).body?.data;
  expect(event?.payload, `payload of notification event ${events[0].id}`).to.deep.equal({ message });
});
