/**
 * The README flows: projects, cluster onboarding (budcluster), deployment with budsim's
 * recommendation, endpoints, project API keys and inference through budgateway.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Body, BudResponse } from '../../world/clients/bud';
import { registerSecret } from '../../world/redact';
import { eventually } from '../../world/wait';
import { answer, expectOutcome, rememberAnswer, show, undoing } from './helpers';
import { admin, deleteWorkflowWhenDone, findEndpoint, lastWorkflow, onboardedModel, onboarding, Onboarding, readWorkflow, runStep, sendStep } from './model-support';

const ACCEPTED = { status: 200, text: 'accepted' };
const SETTLE_MS = 60_000;

/** A kubeconfig as budcluster reads it: current-context -> context -> cluster (server) and user. */
export const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - name: e2e
    cluster:
      server: https://127.0.0.1:6443
contexts:
  - name: e2e
    context:
      cluster: e2e
      user: e2e-admin
current-context: e2e
users:
  - name: e2e-admin
    user:
      token: e2e-not-a-secret
`;

interface Named {
  id: string;
  name: string;
}

const project = (w: AcceptanceWorld): Named => w.recall<Named>('bud:project');
const cluster = (w: AcceptanceWorld): Named => w.recall<Named>('bud:cluster');

Given('a bud project of the admin', async function (this: AcceptanceWorld) {
  const name = this.uniqueName('e2e-project');
  const res = await this.bud.createProject(await admin(this), { name, description: 'Acceptance suite project', project_type: 'client_app' });
  const id = (res.body.project as Body | undefined)?.id;
  expect(id, `creating project ${name}: expected 200 with project.id, got ${res.status} ${show(res.body)}`).to.be.a('string');
  this.registry.track(`bud project ${name}`, () => undoing(`deleting bud project ${name}`, async () => this.bud.deleteProject(await admin(this), String(id))));
  this.remember('bud:project', { id, name });
});

// --- clusters --------------------------------------------------------------------------------

async function onboardCluster(w: AcceptanceWorld, kubeconfig = KUBECONFIG): Promise<BudResponse> {
  const fields = {
    workflow_total_steps: 1, step_number: 1, trigger_workflow: true,
    name: w.uniqueName('e2e-cluster'), ingress_url: 'https://e2e-cluster.example.com',
  };
  return rememberAnswer(w, 'cluster onboarding step', await sendStep(w, 'cluster', fields, undefined, kubeconfig));
}

When('the bud admin onboards a cluster from a kubeconfig whose current context names no cluster', async function (this: AcceptanceWorld) {
  await onboardCluster(this, KUBECONFIG.replace('current-context: e2e', 'current-context: e2e-missing'));
});

Then('no cluster of that name is in the cluster list', async function (this: AcceptanceWorld) {
  const { name } = onboarding(this);
  const res = await this.bud.listClusters(await admin(this), { limit: 100 });
  expect(res.status, `listing clusters answered ${res.status} ${show(res.body)}`).to.equal(200);
  const named = ((res.body.clusters as Body[] | undefined) ?? []).filter((c) => c.name === name);
  expect(named, `clusters named ${name}`).to.deep.equal([]);
});

/** Wait until the scenario's workflow leaves "in_progress" and return its last answer. */
export async function settle(w: AcceptanceWorld, within = SETTLE_MS): Promise<BudResponse> {
  return eventually(() => readWorkflow(w), (r) => r.status !== 200 || r.body.status !== 'in_progress', {
    within, every: 100, what: `the ${onboarding(w).kind} workflow of ${onboarding(w).name} to leave "in_progress"`,
  });
}

function expectCompleted(res: BudResponse): Body {
  expect([res.status, res.body.status], `workflow: expected 200 "completed", got ${res.status} ${show(res.body)}`).to.deep.equal([200, 'completed']);
  return (res.body.workflow_steps ?? {}) as Body;
}

When('the bud admin onboards a cluster from its kubeconfig', async function (this: AcceptanceWorld) {
  await onboardCluster(this);
});

Given('the bud admin has onboarded a cluster', async function (this: AcceptanceWorld) {
  expectOutcome('cluster onboarding step', await onboardCluster(this), ACCEPTED);
  const steps = expectCompleted(await settle(this));
  this.remember('bud:cluster', { id: steps.cluster_id, name: onboarding(this).name });
});

/** A cluster as the cluster list shows it (undefined when not listed). */
async function listedCluster(w: AcceptanceWorld, id: string): Promise<Body | undefined> {
  const res = await w.bud.listClusters(await admin(w), { limit: 100 });
  if (res.status !== 200) throw new Error(`listing clusters answered ${res.status} ${show(res.body)}`);
  return ((res.body.clusters as Body[] | undefined) ?? []).find((c) => c.id === id);
}

Then('the onboarded cluster is {string} in the cluster list', async function (this: AcceptanceWorld, status: string) {
  const id = ((lastWorkflow(this).body.workflow_steps ?? {}) as Body).cluster_id;
  expect(id, `workflow: expected the created cluster_id, got ${show(lastWorkflow(this).body)}`).to.be.a('string');
  const found = await listedCluster(this, String(id));
  expect(found?.status, `cluster ${id}: expected "${status}" in the cluster list, got ${show(found)}`).to.equal(status);
});

When('the bud admin deletes the cluster', async function (this: AcceptanceWorld) {
  const res = rememberAnswer(this, 'cluster deletion', await this.bud.deleteCluster(await admin(this), cluster(this).id));
  const id = res.body.workflow_id;
  if (res.status === 200 && typeof id === 'string') this.registry.track(`bud workflow ${id}`, () => deleteWorkflowWhenDone(this, id));
});

Then('within {duration} the cluster is gone from the cluster list', async function (this: AcceptanceWorld, within: number) {
  const { id, name } = cluster(this);
  await eventually(() => listedCluster(this, id), (c) => c === undefined, { within, every: 100, what: `cluster ${name} to leave the cluster list` });
});

// --- deployments -----------------------------------------------------------------------------

/** The documented deployment steps: project and model, then endpoint and deploy_config, then the cluster and trigger. */
async function deploy(w: AcceptanceWorld, concurrent: number, triggerIt: boolean, run?: Onboarding): Promise<BudResponse> {
  const name = run?.name ?? w.uniqueName('e2e-endpoint');
  const o = run ?? { kind: 'deployment' as const, name, projectId: project(w).id };
  const step = (body: Body) => (run ? runStep(w, o, body) : sendStep(w, 'deployment', body));
  const config = { concurrent_requests: concurrent, avg_sequence_length: 100, avg_context_length: 1000 };
  let res = await step({ workflow_total_steps: 3, step_number: 1, project_id: project(w).id, model_id: onboardedModel(w).id, endpoint_name: name });
  if (res.status === 200) res = await step({ workflow_id: res.body.workflow_id, step_number: 2, deploy_config: config });
  if (res.status === 200 && triggerIt) res = await step({ workflow_id: res.body.workflow_id, step_number: 3, cluster_id: cluster(w).id, trigger_workflow: true });
  return rememberAnswer(w, 'deployment step', res);
}

When('the bud admin deploys the model on the cluster for {int} concurrent requests', async function (this: AcceptanceWorld, n: number) {
  await deploy(this, n, true);
});

When('the bud admin describes a deployment of the model for {int} concurrent requests', async function (this: AcceptanceWorld, n: number) {
  await deploy(this, n, false);
});

Given('the bud admin has deployed the model on the cluster', async function (this: AcceptanceWorld) {
  expectOutcome('deployment step', await deploy(this, 4, true), ACCEPTED);
  expectCompleted(await settle(this));
});

/** The endpoint the scenario's deployment workflow created. */
function deployedEndpoint(w: AcceptanceWorld): Body {
  const endpoint = ((lastWorkflow(w).body.workflow_steps ?? {}) as Body).endpoint as Body | undefined;
  expect(endpoint?.id, `deployment workflow: expected the endpoint, got ${show(lastWorkflow(w).body)}`).to.be.a('string');
  return endpoint!;
}

Then("the endpoint is {string} in the project's endpoint list", async function (this: AcceptanceWorld, status: string) {
  const { id } = deployedEndpoint(this);
  const found = await findEndpoint(this, project(this).id, String(id));
  expect(found?.status, `endpoint ${id}: expected "${status}" in the project's endpoint list, got ${show(found)}`).to.equal(status);
});

Then('the endpoint runs on the freshly onboarded cluster, which gave it workers', async function (this: AcceptanceWorld) {
  const { id } = deployedEndpoint(this);
  const endpoint = await findEndpoint(this, project(this).id, String(id));
  const onboarded = cluster(this);
  expect(endpoint?.cluster_id, `endpoint ${id}: expected it on cluster ${onboarded.name} (${onboarded.id}), got ${show(endpoint)}`).to.equal(onboarded.id);
  const listed = await listedCluster(this, onboarded.id);
  const [total, free] = [Number(listed?.cpu_total_workers), Number(listed?.cpu_available_workers)];
  expect(free < total, `cluster ${onboarded.name}: expected workers taken by the deployment (available < total), got ${show(listed)}`).to.equal(true);
});

Then('the deployment is listed among the admin\'s {string} workflows', async function (this: AcceptanceWorld, type: string) {
  const res = await this.bud.listWorkflows(await admin(this), { workflow_type: type, limit: 100 });
  const ids = ((res.body.workflows as Body[] | undefined) ?? []).map((x) => x.id);
  expect(ids, `workflows of type ${type}: expected ${onboarding(this).workflowId}, got ${res.status} ${show(res.body)}`).to.include(onboarding(this).workflowId);
});

Then('within {duration} budsim recommends the onboarded cluster', async function (this: AcceptanceWorld, within: number) {
  const workflowId = String(onboarding(this).workflowId);
  const { id, name } = cluster(this);
  const ids = (r: BudResponse) => ((r.body.clusters as Body[] | undefined) ?? []).map((c) => c.cluster_id ?? c.id);
  await eventually(async () => this.bud.recommendedClusters(await admin(this), workflowId), (r) => r.status === 200 && ids(r).includes(id), {
    within, every: 100, what: `budsim to recommend cluster ${name}`,
  });
});

When('the bud admin deploys the model {int} times at once on the cluster', async function (this: AcceptanceWorld, n: number) {
  const runs: Onboarding[] = Array.from({ length: n }, () => ({ kind: 'deployment', name: this.uniqueName('e2e-endpoint'), projectId: project(this).id }));
  const answers = await Promise.all(runs.map((run) => deploy(this, 4, true, run)));
  answers.forEach((res) => expectOutcome('deployment step', res, ACCEPTED));
  this.remember('bud:deployments', runs);
});

Then('within {duration} every deployment workflow ends {string}', async function (this: AcceptanceWorld, within: number, status: string) {
  const token = await admin(this);
  await Promise.all(this.recall<Onboarding[]>('bud:deployments').map((run) =>
    eventually(() => this.bud.getWorkflow(token, String(run.workflowId)), (r) => r.status === 200 && r.body.status !== 'in_progress', {
      within, every: 100, what: `deployment workflow ${run.workflowId} to finish`,
    }).then((r) => expect(r.body.status, `deployment workflow ${run.workflowId}: expected "${status}", got ${show(r.body)}`).to.equal(status))));
});

/** The endpoint each concurrent deployment's workflow created, as budapp recorded it. */
async function concurrentEndpoints(w: AcceptanceWorld): Promise<Body[]> {
  const token = await admin(w);
  return Promise.all(w.recall<Onboarding[]>('bud:deployments').map(async (run) => {
    const r = await w.bud.getWorkflow(token, String(run.workflowId));
    const endpoint = ((r.body.workflow_steps ?? {}) as Body).endpoint as Body | undefined;
    expect(endpoint?.id, `deployment workflow ${run.workflowId}: expected its endpoint, got ${r.status} ${show(r.body)}`).to.be.a('string');
    return endpoint!;
  }));
}

Then("each deployment has its own endpoint, {string} in the project's endpoint list", async function (this: AcceptanceWorld, status: string) {
  const endpoints = await concurrentEndpoints(this);
  const ids = endpoints.map((e) => String(e.id));
  expect(new Set(ids).size, `endpoints of the concurrent deployments: ${ids.join(', ')}`).to.equal(ids.length);
  for (const id of ids) {
    const found = await findEndpoint(this, project(this).id, id);
    expect(found?.status, `endpoint ${id}: expected "${status}" in the project's endpoint list, got ${show(found)}`).to.equal(status);
  }
});

Then("each deployment's endpoint answers a chat completion through the gateway", async function (this: AcceptanceWorld) {
  for (const endpoint of await concurrentEndpoints(this)) {
    const body = { model: String(endpoint.name), messages: [{ role: 'user', content: `Hello ${endpoint.name}` }], max_tokens: 32 };
    const res = await this.bud.chatCompletion(this.recall<string>('bud:api-key'), body);
    const content = (((res.body.choices as Body[] | undefined) ?? [])[0]?.message as Body | undefined)?.content;
    expect([res.status, res.body.object, res.body.model], `chat completion from endpoint ${endpoint.id}: ${res.status} ${show(res.body)}`).to.deep.equal([200, 'chat.completion', endpoint.name]);
    expect(content, `the answer of endpoint ${endpoint.name} to its own greeting: ${show(res.body)}`).to.be.a('string').and.include(String(endpoint.name));
  }
});

// --- API keys and inference ------------------------------------------------------------------

Given('the bud admin has an API key for the project', async function (this: AcceptanceWorld) {
  const res = await this.bud.createCredential(await admin(this), { name: this.uniqueName('e2e-key'), project_id: project(this).id });
  const key = (res.body.result as Body | undefined)?.key;
  expect([res.status, typeof key], `creating an API key: expected 201 with result.key, got ${res.status} ${show(res.body)}`).to.deep.equal([201, 'string']);
  registerSecret(String(key));
  this.remember('bud:api-key', String(key)); // removed with the project (remove_credential)
});

async function chat(w: AcceptanceWorld, model: string, message: string): Promise<void> {
  const body = { model, messages: [{ role: 'user', content: message }], max_tokens: 32 };
  rememberAnswer(w, 'chat completion', await w.bud.chatCompletion(w.recall<string>('bud:api-key'), body));
}

When('a chat completion is requested from the endpoint with the message {string}', async function (this: AcceptanceWorld, message: string) {
  await chat(this, String(deployedEndpoint(this).name), message);
});

When('a chat completion is requested from a model named {string}', async function (this: AcceptanceWorld, model: string) {
  await chat(this, model, 'Hello');
});

Then('the chat completion comes back from the endpoint as the assistant', function (this: AcceptanceWorld) {
  const { status, body } = answer(this, 'chat completion');
  const got = `${status} ${show(body)}`;
  const choice = ((body.choices as Body[] | undefined) ?? [])[0];
  const message = (choice?.message ?? {}) as Body;
  const usage = (body.usage ?? {}) as Record<string, number>;
  expect([status, body.object, body.model], `chat completion: expected 200 "chat.completion" from the endpoint, got ${got}`)
    .to.deep.equal([200, 'chat.completion', deployedEndpoint(this).name]);
  expect(message.role, `chat completion: expected an assistant message, got ${got}`).to.equal('assistant');
  expect(message.content, `chat completion: expected content, got ${got}`).to.be.a('string').that.is.not.empty;
  expect(usage.total_tokens, `chat completion: expected total = prompt + completion tokens, got ${got}`).to.equal(usage.prompt_tokens + usage.completion_tokens);
});
