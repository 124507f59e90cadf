/**
 * Model and workflow helpers for the bud steps: onboarding bodies, sending a workflow step with its
 * cleanup (workflows and what they create -- models, clusters, endpoints -- are deleted through the
 * API afterwards), and the scenario's onboarded model.
 */
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Body, BudAuth, BudResponse } from '../../world/clients/bud';
import { show, undoing } from './helpers';
import { eventually } from '../../world/wait';

/** budapp's multi-step workflows the scenarios drive. */
export type OnboardingKind = 'cloud' | 'local' | 'cluster' | 'deployment';

export interface Onboarding {
  kind: OnboardingKind;
  /** Name of what the workflow creates (model, cluster, endpoint). */
  name: string;
  workflowId?: string;
  /** Project of a deployment (to find its endpoint). */
  projectId?: string;
}

export interface OnboardedModel {
  id: string;
  name: string;
  /** The model as read right after onboarding. */
  original: Body;
}

const ONBOARDING = 'bud:onboarding';
const LAST_WORKFLOW = 'bud:workflow-answer';
const MODEL = 'bud:model';

export const onboarding = (w: AcceptanceWorld): Onboarding => w.recall<Onboarding>(ONBOARDING);
export const onboardedModel = (w: AcceptanceWorld): OnboardedModel => w.recall<OnboardedModel>(MODEL);
export const admin = (w: AcceptanceWorld): Promise<string> => w.bud.adminAccessToken();
export const modelName = (w: AcceptanceWorld): string => w.uniqueName('e2e-model');

/** The name stem (and count) of the models one step onboarded together, for lists filtered to them. */
export const MODEL_STEM = 'bud:model-stem';
export const MODEL_COUNT = 'bud:model-count';

export const TAGS = [{ name: 'e2e', color: '#3366FF' }];

/** A provider to onboard cloud models from (the first one budapp lists). */
export function cloudProvider(w: AcceptanceWorld): Promise<Body> {
  return w.lazy('bud:provider', async () => {
    const res = await w.bud.providers(await admin(w));
    const first = (res.body.providers as Body[] | undefined)?.[0];
    if (res.status !== 200 || !first) throw new Error(`no model provider to onboard from: ${res.status} ${show(res.body)}`);
    return first;
  });
}

/** Step 1 of a cloud onboarding carrying all the data (the E2E tests' compressed two-step form). */
export async function cloudStep(w: AcceptanceWorld, name: string, extra: Body = {}): Promise<Body> {
  const provider = await cloudProvider(w);
  return {
    workflow_total_steps: 2, step_number: 1, provider_type: 'cloud_model', provider_id: provider.id,
    name, modality: ['text_input', 'text_output'], tags: TAGS, ...extra,
  };
}

/** Step 1 of a local onboarding from a Hugging Face repository. */
export function localStep(name: string, uri: string, extra: Body = {}): Body {
  return {
    workflow_total_steps: 2, step_number: 1, provider_type: 'hugging_face', name, uri,
    author: uri.split('/')[0], tags: TAGS, add_model_modality: ['llm'], ...extra,
  };
}

export function trackModel(w: AcceptanceWorld, id: string, name: string): void {
  trackOnce(w, id, `bud model ${name}`, () => undoing(`deleting bud model ${name}`, async () => w.bud.deleteModel(await admin(w), id)));
}

/** The id of the model a finished workflow created, if any. */
export function createdModelId(workflow: Body): string | undefined {
  const steps = (workflow.workflow_steps ?? {}) as Body;
  return typeof steps.model_id === 'string' ? steps.model_id : undefined;
}

/** Delete once, when first seen: `key` names the entity so a later answer does not track it again. */
function trackOnce(w: AcceptanceWorld, key: string, description: string, undo: () => Promise<unknown>): void {
  if (w.recalled(`bud:tracked:${key}`)) return;
  w.remember(`bud:tracked:${key}`, true);
  w.registry.track(description, undo);
}

/** The project's endpoint with this id as the endpoint list shows it (undefined once deleted). */
export async function findEndpoint(w: AcceptanceWorld, projectId: string, id: string): Promise<Body | undefined> {
  const res = await w.bud.listEndpoints(await admin(w), { project_id: projectId, limit: 100 });
  if (res.status !== 200) throw new Error(`listing endpoints answered ${res.status} ${show(res.body)}`);
  return ((res.body.endpoints as Body[] | undefined) ?? []).find((e) => e.id === id);
}

const SETTLE = { within: 60_000, every: 100 };

/** Wait until a workflow (e.g. a deletion budapp started) is no longer in progress, then delete it. */
export async function deleteWorkflowWhenDone(w: AcceptanceWorld, id: string): Promise<void> {
  const token = await admin(w);
  await eventually(() => w.bud.getWorkflow(token, id), (r) => r.status !== 200 || r.body.status !== 'in_progress', { ...SETTLE, what: `workflow ${id} to finish` });
  await undoing(`deleting bud workflow ${id}`, () => w.bud.deleteWorkflow(token, id));
}

/**
 * Start a deletion workflow (endpoint, cluster) and wait until it is done and deleted itself.
 * budapp's own 404 means the entity is gone already.
 */
async function deleteThrough(w: AcceptanceWorld, what: string, start: () => Promise<BudResponse>): Promise<void> {
  const res = await start();
  if (res.status === 404 && res.body.object === 'error') return;
  if (res.status !== 200 || typeof res.body.workflow_id !== 'string') throw new Error(`${what} answered ${res.status} ${show(res.body)}`);
  await deleteWorkflowWhenDone(w, res.body.workflow_id);
}

/** Endpoint undo: wait out a deployment in progress, then delete it through its deletion workflow. */
async function removeEndpoint(w: AcceptanceWorld, projectId: string, id: string): Promise<void> {
  await eventually(() => findEndpoint(w, projectId, id), (e) => e?.status !== 'deploying', { ...SETTLE, what: `endpoint ${id} to finish deploying` });
  if (await findEndpoint(w, projectId, id)) await deleteThrough(w, `deleting endpoint ${id}`, async () => w.bud.deleteEndpoint(await admin(w), id));
}

/**
 * Track what a workflow answer reveals, at the moment it appears: the workflow itself, and what it
 * created -- a model (onboarding), a cluster (cluster onboarding) or an endpoint (deployment).
 */
export function trackWorkflowAnswer(w: AcceptanceWorld, o: Onboarding, res: BudResponse): void {
  if (res.status !== 200) return;
  const id = res.body.workflow_id;
  if (typeof id === 'string' && o.workflowId !== id) {
    o.workflowId = id;
    trackOnce(w, id, `bud workflow ${id}`, () => undoing(`deleting bud workflow ${id}`, async () => w.bud.deleteWorkflow(await admin(w), id)));
  }
  const steps = (res.body.workflow_steps ?? {}) as Body;
  const modelId = createdModelId(res.body);
  if (modelId && (o.kind === 'cloud' || o.kind === 'local')) trackModel(w, modelId, o.name);
  const clusterId = steps.cluster_id;
  if (o.kind === 'cluster' && typeof clusterId === 'string') {
    trackOnce(w, clusterId, `bud cluster ${o.name}`, () => deleteThrough(w, `deleting bud cluster ${o.name}`, async () => w.bud.deleteCluster(await admin(w), clusterId)));
  }
  const endpointId = (steps.endpoint as Body | undefined)?.id;
  if (o.kind === 'deployment' && typeof endpointId === 'string' && o.projectId) {
    const projectId = o.projectId;
    trackOnce(w, endpointId, `bud endpoint ${o.name}`, () => removeEndpoint(w, projectId, endpointId));
  }
}

/** Send one step of workflow `o` (as the admin unless `auth` says otherwise) and track what it reveals. */
export async function runStep(w: AcceptanceWorld, o: Onboarding, body: Body, auth?: BudAuth, kubeconfig?: string): Promise<BudResponse> {
  const token = auth === undefined ? await admin(w) : auth;
  const res = await {
    cloud: () => w.bud.cloudModelWorkflow(token, body),
    local: () => w.bud.localModelWorkflow(token, body),
    cluster: () => w.bud.clusterWorkflow(token, body as Record<string, string | number | boolean>, kubeconfig),
    deployment: () => w.bud.deployWorkflow(token, body),
  }[o.kind]();
  trackWorkflowAnswer(w, o, res);
  return res;
}

/** Send one step of the scenario's workflow (a new one unless the body names it) and remember it. */
export async function sendStep(w: AcceptanceWorld, kind: OnboardingKind, body: Body, auth?: BudAuth, kubeconfig?: string): Promise<BudResponse> {
  const continuing = w.recalled(ONBOARDING) && onboarding(w).kind === kind && body.workflow_id;
  const name = String(body.name ?? body.endpoint_name ?? '');
  const o: Onboarding = continuing ? onboarding(w) : { kind, name, projectId: body.project_id as string | undefined };
  w.remember(ONBOARDING, o);
  return w.remember(LAST_WORKFLOW, await runStep(w, o, body, auth, kubeconfig));
}

/** The latest workflow answer (a step's or a lookup's). */
export const lastWorkflow = (w: AcceptanceWorld): BudResponse => w.recall<BudResponse>(LAST_WORKFLOW);

/** Read the onboarding workflow (tracking a model it may have created meanwhile). */
export async function readWorkflow(w: AcceptanceWorld): Promise<BudResponse> {
  const o = onboarding(w);
  if (!o.workflowId) throw new Error(`the ${o.kind} onboarding of "${o.name}" has no workflow id (was its first step accepted?)`);
  const res = await w.bud.getWorkflow(await admin(w), o.workflowId);
  trackWorkflowAnswer(w, o, res);
  return w.remember(LAST_WORKFLOW, res);
}

/** Onboard a cloud model in two steps (start, trigger) and remember it as the scenario's model. */
export async function onboardCloudModel(w: AcceptanceWorld, name = modelName(w)): Promise<OnboardedModel> {
  const first = await sendStep(w, 'cloud', await cloudStep(w, name));
  expect(first.status, `starting the cloud onboarding of ${name}: expected 200, got ${first.status} ${show(first.body)}`).to.equal(200);
  const res = await sendStep(w, 'cloud', { workflow_id: first.body.workflow_id, step_number: 2, trigger_workflow: true });
  const id = createdModelId(res.body);
  expect(id, `triggering the cloud onboarding of ${name}: expected the created model_id, got ${res.status} ${show(res.body)}`).to.be.a('string');
  return rememberModel(w, id!, name);
}

/** Read the model once and keep it as the scenario's model. */
export async function rememberModel(w: AcceptanceWorld, id: string, name: string): Promise<OnboardedModel> {
  const got = await w.bud.getModel(await admin(w), id);
  expect(got.status, `reading model ${name}: expected 200, got ${got.status} ${show(got.body)}`).to.equal(200);
  return w.remember(MODEL, { id, name, original: got.body.model as Body });
}

/** The scenario's model as budapp reads it now. */
export async function currentModel(w: AcceptanceWorld): Promise<Body> {
  const m = onboardedModel(w);
  const got = await w.bud.getModel(await admin(w), m.id);
  expect(got.status, `reading model ${m.name}: expected 200, got ${got.status} ${show(got.body)}`).to.equal(200);
  return got.body.model as Body;
}

/** Models in a list answer, unwrapped from `{model, endpoints_count}`. */
export function listedModels(res: BudResponse): Body[] {
  return ((res.body.models as Body[] | undefined) ?? []).map((item) => (item.model ?? {}) as Body);
}
