/** Bud workflows: model onboarding (cloud and local) and the status of any workflow (onboarding or deployment). */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Body, BudResponse } from '../../world/clients/bud';
import { eventually } from '../../world/wait';
import { BudCall } from '../../support/params-bud';
import { expectOutcome, rememberAnswer, show, UNKNOWN_ID } from './helpers';
import {
  admin, cloudStep, createdModelId, lastWorkflow, listedModels, localStep, modelName, onboardCloudModel, onboardedModel,
  onboarding, OnboardingKind, readWorkflow, rememberModel, sendStep,
  MODEL_COUNT, MODEL_STEM,
} from './model-support';

export const CALL: Record<OnboardingKind, BudCall> = {
  cloud: 'cloud onboarding step', local: 'local onboarding step', cluster: 'cluster onboarding step', deployment: 'deployment step',
};
/** Send a step as the admin and keep its answer. */
async function step(w: AcceptanceWorld, kind: OnboardingKind, body: Body): Promise<BudResponse> {
  return rememberAnswer(w, CALL[kind], await sendStep(w, kind, body));
}

async function started(w: AcceptanceWorld, kind: OnboardingKind, body: Body): Promise<void> {
  expectOutcome(CALL[kind], await step(w, kind, body), { status: 200, text: 'accepted' });
}

async function trigger(w: AcceptanceWorld, stepNumber: number, triggerIt = true): Promise<BudResponse> {
  const o = onboarding(w);
  return step(w, o.kind, { workflow_id: o.workflowId, step_number: stepNumber, trigger_workflow: triggerIt });
}

// --- cloud -----------------------------------------------------------------------------------

When('the bud admin starts a {int}-step cloud model onboarding', async function (this: AcceptanceWorld, total: number) {
  await step(this, 'cloud', await cloudStep(this, modelName(this), { workflow_total_steps: total }));
});

Given('the bud admin has started a {int}-step cloud model onboarding', async function (this: AcceptanceWorld, total: number) {
  await started(this, 'cloud', await cloudStep(this, modelName(this), { workflow_total_steps: total }));
});

When('the bud admin starts a cloud model onboarding from a provider that does not exist', async function (this: AcceptanceWorld) {
  await step(this, 'cloud', await cloudStep(this, modelName(this), { provider_id: UNKNOWN_ID }));
});

When('the bud admin triggers the onboarding at step {int}', async function (this: AcceptanceWorld, n: number) {
  await trigger(this, n);
});

When('the bud admin adds step {int} to the onboarding without triggering it', async function (this: AcceptanceWorld, n: number) {
  await trigger(this, n, false);
});

Given('the bud admin has onboarded a cloud model', async function (this: AcceptanceWorld) {
  await onboardCloudModel(this);
});

/**
 * The models share a name stem of this scenario's own, so list checks can filter to them: on a shared
 * target other workers create models all the time, and an unfiltered newest-first page shifts.
 */
Given('the bud admin has onboarded {int} cloud models', async function (this: AcceptanceWorld, n: number) {
  const stem = this.remember(MODEL_STEM, `${this.uniqueName('e2e-models')}-`);
  this.remember(MODEL_COUNT, n);
  for (let i = 0; i < n; i += 1) await onboardCloudModel(this, `${stem}${i + 1}`);
});

When('the bud admin sends a cloud onboarding step with neither a step count nor a workflow', async function (this: AcceptanceWorld) {
  const { workflow_total_steps: _t, workflow_id: _w, ...body } = await cloudStep(this, modelName(this));
  await step(this, 'cloud', body);
});

When('the bud admin sends a cloud onboarding step with both a step count and a workflow', async function (this: AcceptanceWorld) {
  await step(this, 'cloud', await cloudStep(this, modelName(this), { workflow_id: UNKNOWN_ID }));
});

/** Start a 2-step cloud onboarding with one field changed and, if that step is accepted, trigger it. */
async function startAndTrigger(w: AcceptanceWorld, change: (b: Body) => Body): Promise<void> {
  const first = await step(w, 'cloud', change(await cloudStep(w, modelName(w))));
  if (first.status === 200) await trigger(w, 2);
}

When('the bud admin triggers a cloud onboarding with {budField} {string}', async function (this: AcceptanceWorld, field: string, value: string) {
  await startAndTrigger(this, (b) => ({ ...b, [field]: value }));
});

When('the bud admin triggers a cloud onboarding without {budField}', async function (this: AcceptanceWorld, field: string) {
  await startAndTrigger(this, ({ [field]: _dropped, ...rest }) => rest);
});

When('the bud admin onboards another cloud model under the same name in upper case', async function (this: AcceptanceWorld) {
  await startAndTrigger(this, (b) => ({ ...b, name: onboardedModel(this).name.toUpperCase() }));
});

When('the bud admin onboards a cloud model named like {string}', async function (this: AcceptanceWorld, prefix: string) {
  await startAndTrigger(this, (b) => ({ ...b, name: `${prefix}-${modelName(this)}` }));
});

// --- local -----------------------------------------------------------------------------------

When('the bud admin starts a {int}-step local onboarding of {string} from Hugging Face', async function (this: AcceptanceWorld, total: number, uri: string) {
  await step(this, 'local', localStep(modelName(this), uri, { workflow_total_steps: total }));
});

Given('the bud admin has started a {int}-step local onboarding of {string} from Hugging Face', async function (this: AcceptanceWorld, total: number, uri: string) {
  await started(this, 'local', localStep(modelName(this), uri, { workflow_total_steps: total }));
});

When('the bud admin onboards the local model {string} from Hugging Face', async function (this: AcceptanceWorld, uri: string) {
  await started(this, 'local', localStep(modelName(this), uri));
  await trigger(this, 2);
});

// --- workflow state --------------------------------------------------------------------------

When('the bud admin looks up the onboarding workflow', async function (this: AcceptanceWorld) {
  rememberAnswer(this, 'workflow lookup', await readWorkflow(this));
});

function expectWorkflow(res: BudResponse, status: string, at?: { step: number; of: number }): void {
  const got = `${res.status} ${show(res.body)}`;
  expect(res.status, `workflow: expected 200, got ${got}`).to.equal(200);
  expect(res.body.status, `workflow: expected status "${status}", got ${got}`).to.equal(status);
  if (at) {
    const where = { step: res.body.current_step, of: res.body.total_steps };
    expect(where, `workflow: expected step ${at.step} of ${at.of}, got ${got}`).to.deep.equal(at);
  }
  expect(res.body.workflow_id, `workflow: expected a workflow_id, got ${got}`).to.be.a('string');
}

Then('the onboarding/deployment workflow is {string} at step {int} of {int}', function (this: AcceptanceWorld, status: string, n: number, of: number) {
  expectWorkflow(lastWorkflow(this), status, { step: n, of });
});

Then('the onboarding/deployment workflow is {string}', function (this: AcceptanceWorld, status: string) {
  expectWorkflow(lastWorkflow(this), status);
});

async function settled(w: AcceptanceWorld, within: number): Promise<BudResponse> {
  const res = await eventually(() => readWorkflow(w), (r) => r.status !== 200 || r.body.status !== 'in_progress', {
    within, every: 200, what: 'the workflow to leave "in_progress"',
  });
  return res;
}

Then('within {duration} the onboarding/deployment workflow ends {string}', async function (this: AcceptanceWorld, within: number, status: string) {
  expectWorkflow(await settled(this, within), status);
});

Then('within {duration} the onboarding/deployment workflow ends {string} with a reason', async function (this: AcceptanceWorld, within: number, status: string) {
  const res = await settled(this, within);
  expectWorkflow(res, status);
  expect(res.body.reason, `workflow: expected a reason, got ${show(res.body)}`).to.be.a('string').that.is.not.empty;
});

Then('the onboarding workflow records the onboarded model\'s id', function (this: AcceptanceWorld) {
  const res = lastWorkflow(this);
  expect(createdModelId(res.body), `workflow: expected model_id ${onboardedModel(this).id}, got ${show(res.body)}`).to.equal(onboardedModel(this).id);
});

Then('the onboarding/deployment workflow records its {budEvents} events', function (this: AcceptanceWorld, key: string) {
  const wf = lastWorkflow(this).body;
  const events = ((wf.workflow_steps ?? {}) as Body)[key] as Body | undefined;
  expect(events, `workflow: expected ${key} in workflow_steps, got ${show(wf.workflow_steps)}`).to.be.an('object');
  // The events must tell the same story as the workflow: finished with it, or still under way while it runs.
  const allowed = wf.status === 'in_progress' ? ['in_progress', 'completed'] : [String(wf.status)];
  expect(events!.status, `${key}: expected status ${allowed.join(' or ')} (workflow ${show(wf.status)}), got ${show(events)}`).to.be.oneOf(allowed);
  const stages = events!.stages as Body[] | undefined;
  if (stages !== undefined) {
    expect(stages, `${key}: expected named stages, got ${show(stages)}`).to.be.an('array').that.is.not.empty;
    if (wf.status === 'completed') {
      const unfinished = stages.filter((st) => st.status !== 'completed').map((st) => st.name);
      expect(unfinished, `${key}: the workflow completed, yet these stages did not: ${show(stages)}`).to.deep.equal([]);
    }
  }
});

Then(
  'within {duration} the onboarding workflow ends {string}, its {budEvents} events advancing stage by stage on the way',
  async function (this: AcceptanceWorld, within: number, status: string, key: string) {
    // Watch the workflow while it runs: what budcluster reports must reach it as it happens, not only at the end.
    const seen: string[] = [];
    const res = await eventually(() => readWorkflow(this), (r) => {
      const events = ((r.body.workflow_steps ?? {}) as Body)[key] as Body | undefined;
      if (r.status === 200 && r.body.status === 'in_progress' && typeof events?.current_stage === 'string' && seen[seen.length - 1] !== events.current_stage) seen.push(events.current_stage);
      return r.status !== 200 || r.body.status !== 'in_progress';
    }, { within, every: 25, what: 'the workflow to leave "in_progress"' });
    expectWorkflow(res, status);
    const stages = ((((res.body.workflow_steps ?? {}) as Body)[key] as Body | undefined)?.stages ?? []) as Body[];
    const order = stages.map((st) => String(st.name));
    expect(seen.length, `${key}: stages seen in progress while the workflow ran: ${show(seen)} (of ${show(order)})`).to.be.at.least(2);
    expect(seen, `${key}: stages seen in progress, in the order budcluster runs them (${show(order)})`).to.deep.equal([...seen].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    const times = stages.map((st) => [Date.parse(String(st.started_at)), Date.parse(String(st.finished_at))]);
    const outOfOrder = times.filter(([start, end], i) => !(end >= start) || (i > 0 && start < times[i - 1][1]));
    expect(outOfOrder, `${key}: each stage starts after the one before finished and ends after it started: ${show(stages)}`).to.deep.equal([]);
  },
);

Then('the onboarded model can be read back under its name', async function (this: AcceptanceWorld) {
  const res = lastWorkflow(this);
  const id = createdModelId(res.body);
  expect(id, `workflow: expected the created model_id, got ${show(res.body)}`).to.be.a('string');
  const model = await rememberModel(this, id!, onboarding(this).name);
  expect(model.original.name, `model ${id}: expected name ${onboarding(this).name}, got ${show(model.original)}`).to.equal(onboarding(this).name);
});

Then('the onboarded model is stored locally as a {string} model', async function (this: AcceptanceWorld, providerType: string) {
  const id = createdModelId(lastWorkflow(this).body);
  expect(id, `workflow: expected the created model_id, got ${show(lastWorkflow(this).body)}`).to.be.a('string');
  const { original } = await rememberModel(this, id!, onboarding(this).name);
  expect(original.provider_type, `model: expected provider_type "${providerType}", got ${show(original)}`).to.equal(providerType);
  expect(original.local_path, `model: expected a local_path (the stored copy), got ${show(original)}`).to.be.a('string').that.is.not.empty;
});

Then('no model named like the onboarding is listed', async function (this: AcceptanceWorld) {
  const name = onboarding(this).name;
  const res = await this.bud.listModels(await admin(this), { name, search: true });
  expectOutcome('model listing', res, { status: 200, text: 'accepted' });
  const names = listedModels(res).map((m) => m.name);
  expect(names, `no model named ${name} should exist, got ${show(names)}`).to.not.include(name);
});

