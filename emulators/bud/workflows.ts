import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { Router, type Request } from 'express';
import { authenticate, authorize, permit } from './auth';
import { ADD_MODEL_MODALITIES, HUB, MODALITIES, MODEL_PROVIDER_TYPES } from './catalog';
import { ClientError, notFound } from './errors';
import type { Ctx } from './routes-auth';
import { newModel, readTags } from './routes-models';
import { BudState, now, type Row, type User, type Workflow } from './state';
import { pageParams, paginate, Validator } from './validate';

/** budapp's multi-step workflows: steps are stored and merged, `trigger_workflow` starts the work. */

export const WORKFLOW_TYPES = [
  'model_deployment', 'model_security_scan', 'cluster_onboarding', 'cluster_deletion', 'endpoint_deletion',
  'endpoint_worker_deletion', 'cloud_model_onboarding', 'local_model_onboarding', 'add_worker_to_endpoint',
  'license_faq_fetch', 'local_model_quantization', 'model_benchmark', 'add_adapter', 'delete_adapter',
  'evaluation_creation', 'evaluate_model', 'guardrail_deployment', 'prompt_creation', 'prompt_schema_creation',
  'custom_probe_creation',
] as const;

export interface StepRequest { workflowId?: string; totalSteps?: number; stepNumber: number; trigger: boolean }

/** The common step fields, with the "workflow_id XOR workflow_total_steps" model validator. */
export function readStep(v: Validator): StepRequest {
  const workflowId = v.uuid('workflow_id');
  const totalSteps = v.int('workflow_total_steps', { gt: 0 });
  const stepNumber = v.int('step_number', { required: true, gt: 0 });
  const trigger = v.bool('trigger_workflow');
  const hasId = v.any('workflow_id') !== undefined && v.any('workflow_id') !== null;
  const hasTotal = v.any('workflow_total_steps') !== undefined && v.any('workflow_total_steps') !== null;
  if (hasId && hasTotal) v.valueError(null, 'workflow_total_steps and workflow_id cannot be provided together', null);
  if (!hasId && !hasTotal) v.valueError(null, 'Either workflow_total_steps or workflow_id should be provided', null);
  return { workflowId, totalSteps, stepNumber: stepNumber ?? 1, trigger };
}

const TITLES: Record<string, string> = {
  cloud_model_onboarding: 'Add cloud model', local_model_onboarding: 'Add local model',
  model_deployment: 'Deploy model', cluster_onboarding: 'Add cluster',
};

/** Create the workflow (first step) or continue the caller's in-progress one, and store this step's data. */
export function applyStep(state: BudState, user: User, type: string, s: StepRequest, data: Record<string, unknown>): Workflow {
  let wf: Workflow | undefined;
  if (s.workflowId) {
    wf = state.workflows.get(s.workflowId);
    if (!wf) throw notFound('Workflow');
    // workflow_ops/services.py: another user's workflow and a finished one are ClientExceptions (400).
    if (wf.created_by !== user.id) throw new ClientError(400, 'User is not authorized to perform this action');
    if (wf.workflow_type !== type) throw new ClientError(400, `Workflow is not a ${type} workflow`);
    if (wf.status !== 'in_progress') throw new ClientError(400, 'Workflow is not in progress');
  } else {
    wf = {
      id: randomUUID(), workflow_type: type, title: TITLES[type] ?? type, icon: null, tag: null, progress: null,
      total_steps: s.totalSteps!, current_step: 0, status: 'in_progress', reason: null, created_by: user.id,
      created_at: now(), modified_at: now(), data: {},
    };
    state.workflows.set(wf.id, wf);
  }
  for (const [k, x] of Object.entries(data)) if (x !== undefined) wf.data[k] = x;
  wf.current_step = Math.max(wf.current_step, s.stepNumber);
  wf.modified_at = now();
  return wf;
}

export function requireData(wf: Workflow, keys: string[]): void {
  const missing = keys.filter((k) => {
    const x = wf.data[k];
    return x === undefined || x === null || x === '' || (Array.isArray(x) && x.length === 0);
  });
  if (missing.length) throw new ClientError(400, `Missing required data: ${missing.join(', ')}`);
}

export function finish(wf: Workflow, status: 'completed' | 'failed', reason: string | null, message: string): void {
  wf.status = status;
  wf.reason = reason;
  wf.data.workflow_execution_status = { status: status === 'completed' ? 'success' : 'failed', message };
  wf.modified_at = now();
}

export function workflowView(wf: Workflow) {
  return {
    object: 'workflow.get', message: 'Workflow data retrieved successfully', workflow_id: wf.id, status: wf.status,
    current_step: wf.current_step, total_steps: wf.total_steps, reason: wf.reason, workflow_steps: wf.data,
  };
}

export interface StagePlan {
  /** Key under `workflow_steps` holding the progress events. */
  eventsKey: string;
  stepMs: () => number;
  /** A stage's `run` happens when its time is up; it may return an error message, which fails the workflow there. */
  stages: { name: string; run?: () => string | void }[];
  /** Runs after the last stage; may return an error message. */
  done: () => string | void;
  successMessage: string;
  onFail?: () => void;
}

/** Run named stages one after another on real timers, recording progress under `wf.data[eventsKey]`. */
export function runStages(state: BudState, wf: Workflow, plan: StagePlan): void {
  const { stages } = plan;
  const events = { status: 'in_progress', progress: 0, current_stage: stages[0]?.name ?? null, message: null as string | null,
    stages: stages.map((s) => ({ name: s.name, status: 'pending', started_at: null as string | null, finished_at: null as string | null })) };
  wf.data[plan.eventsKey] = events;
  wf.progress = events;
  const fail = (why: string, at: number) => {
    events.stages[at].status = 'failed';
    Object.assign(events, { status: 'failed', message: why });
    finish(wf, 'failed', why, why);
    plan.onFail?.();
  };
  const step = (i: number) => {
    if (state.workflows.get(wf.id) !== wf || wf.status !== 'in_progress') return;
    if (i > 0) Object.assign(events.stages[i - 1], { status: 'completed', finished_at: now() });
    if (i === stages.length) {
      const why = plan.done();
      if (why) return fail(why, i - 1);
      Object.assign(events, { status: 'completed', progress: 100, current_stage: null, message: plan.successMessage });
      return finish(wf, 'completed', null, plan.successMessage);
    }
    Object.assign(events.stages[i], { status: 'in_progress', started_at: now() });
    Object.assign(events, { current_stage: stages[i].name, progress: Math.round((i / stages.length) * 100) });
    state.later(plan.stepMs(), () => {
      if (state.workflows.get(wf.id) !== wf || wf.status !== 'in_progress') return;
      const why = stages[i].run?.();
      if (why) fail(why, i);
      else step(i + 1);
    });
  };
  step(0);
}

function cloudModelStep(state: BudState, user: User, body: unknown) {
  const v = new Validator(body, 'body');
  const s = readStep(v);
  const data = {
    provider_type: v.oneOf('provider_type', MODEL_PROVIDER_TYPES),
    provider_id: v.uuid('provider_id'),
    name: v.str('name', { max: 100 }),
    modality: v.listOf('modality', MODALITIES),
    uri: v.str('uri'),
    tags: readTags(v, 'tags', v.any('tags')),
    cloud_model_id: v.uuid('cloud_model_id'),
    add_model_modality: v.listOf('add_model_modality', ADD_MODEL_MODALITIES),
  };
  v.done();
  permit(user, 'model:manage');
  if (data.provider_type && data.provider_type !== 'cloud_model') throw new ClientError(400, 'Provider type must be cloud_model for cloud model onboarding');
  const provider = data.provider_id ? state.providers.find((p) => p.id === data.provider_id) : undefined;
  // The workflow service raises ClientException for an unknown provider; the route turns it into 400 ErrorResponse.
  if (data.provider_id && !provider) throw new ClientError(400, 'Provider not found');
  const cloudModel = data.cloud_model_id ? state.cloudModels.find((m) => m.id === data.cloud_model_id) : undefined;
  if (data.cloud_model_id && !cloudModel) throw new ClientError(400, 'Cloud model not found');
  const wf = applyStep(state, user, 'cloud_model_onboarding', s, { ...data, provider, cloud_model: cloudModel });
  if (!s.trigger) return wf;
  requireData(wf, ['provider_type', 'provider_id', 'tags', 'name']);
  const name = String(wf.data.name);
  if (state.activeModelNamed(name)) throw new ClientError(400, 'Model name already exists');
  const p = wf.data.provider as Row;
  const cm = wf.data.cloud_model as Row | undefined;
  const model = newModel(state, {
    name, tags: wf.data.tags, modality: wf.data.modality ?? cm?.modality ?? ['text_input', 'text_output'],
    uri: wf.data.uri ?? cm?.uri ?? name, source: p.type, provider_type: 'cloud_model', provider_id: p.id, provider: p,
    icon: p.icon, supported_endpoints: cm?.supported_endpoints ?? ['/v1/chat/completions'],
  }, user.id);
  Object.assign(wf.data, { model_id: model.id, model });
  wf.current_step = s.stepNumber + 1;
  finish(wf, 'completed', null, 'Model successfully added to the repository');
  return wf;
}

/** What budmodel's extraction finds (or why it fails) for a local model source. */
function locate(provider: string, uri: string, credential: unknown): { error?: string; repo?: (typeof HUB)[number] } {
  if (provider === 'hugging_face') {
    const repo = HUB.find((h) => h.uri.toLowerCase() === uri.toLowerCase());
    if (!repo) return { error: `Repository Not Found for url: https://huggingface.co/api/models/${uri}. Please make sure you specified the correct repo_id.` };
    if (repo.gated && !credential) return { error: `Access to model ${repo.uri} is restricted. You must have access to it and be authenticated.` };
    return { repo };
  }
  if (provider === 'url') {
    try {
      const u = new URL(uri);
      return u.protocol === 'http:' || u.protocol === 'https:' ? {} : { error: `Invalid model URL: ${uri}` };
    } catch {
      return { error: `Invalid model URL: ${uri}` };
    }
  }
  return existsSync(uri) ? {} : { error: `Model path does not exist: ${uri}` };
}

function localModelStep(state: BudState, user: User, body: unknown) {
  const v = new Validator(body, 'body');
  const s = readStep(v);
  const data = {
    provider_type: v.oneOf('provider_type', ['hugging_face', 'url', 'disk'] as const),
    name: v.str('name', { max: 100 }),
    uri: v.str('uri'),
    author: v.str('author'),
    tags: readTags(v, 'tags', v.any('tags')),
    icon: v.str('icon'),
    proprietary_credential_id: v.uuid('proprietary_credential_id'),
    add_model_modality: v.listOf('add_model_modality', ADD_MODEL_MODALITIES),
    callback_topic: v.str('callback_topic'),
  };
  if (data.provider_type === 'hugging_face' && data.icon) v.valueError('icon', 'Icon is not supported for hugging_face models', data.icon);
  if (data.provider_type && data.provider_type !== 'hugging_face' && data.proprietary_credential_id) {
    v.valueError('proprietary_credential_id', 'Proprietary credential is only supported for hugging_face models', data.proprietary_credential_id);
  }
  v.done();
  permit(user, 'model:manage');
  const wf = applyStep(state, user, 'local_model_onboarding', s, data);
  if (!s.trigger) return wf;
  requireData(wf, ['provider_type', 'name', 'uri']);
  const name = String(wf.data.name);
  if (state.activeModelNamed(name)) throw new ClientError(400, 'Model name already exists');
  const provider = String(wf.data.provider_type);
  const uri = String(wf.data.uri);
  const found = locate(provider, uri, wf.data.proprietary_credential_id);
  const repo = found.repo;
  runStages(state, wf, {
    eventsKey: 'model_extraction_events',
    stepMs: () => state.timings.local_model_step_ms,
    stages: [{ name: 'validation', run: () => found.error }, { name: 'download' }, { name: 'extraction' }, { name: 'security_scan' }, { name: 'save' }],
    successMessage: 'Model successfully added to the repository',
    done: () => {
    if (state.activeModelNamed(name)) return 'Model name already exists';
    const model = newModel(state, {
      name, uri, author: wf.data.author ?? repo?.uri.split('/')[0] ?? null, tags: wf.data.tags ?? [],
      tasks: repo?.tasks ?? [], icon: wf.data.icon ?? null, source: 'local', provider_type: provider,
      modality: repo?.modality ?? ['text_input', 'text_output'],
      huggingface_url: repo ? `https://huggingface.co/${repo.uri}` : null,
      local_path: `models-registry/${name.replace(/[^A-Za-z0-9._-]+/g, '_')}_${randomUUID().slice(0, 8)}`,
      model_size: repo?.parameters ?? null,
      architecture_text_config: repo ? { architecture: repo.architecture, num_parameters: repo.parameters, size_bytes: repo.size_bytes } : null,
    }, user.id);
    Object.assign(wf.data, { model_id: model.id, model });
    wf.current_step = s.stepNumber + 1;
    },
  });
  return wf;
}

export function workflowRoutes({ state, tokens }: Ctx): Router {
  const r = Router();

  r.post('/models/cloud-model-workflow', async (req, res) => {
    const user = await authenticate(req, state, tokens);
    res.json(workflowView(cloudModelStep(state, user, req.body)));
  });
  r.post('/models/local-model-workflow', async (req, res) => {
    const user = await authenticate(req, state, tokens);
    res.json(workflowView(localModelStep(state, user, req.body)));
  });

  const own = async (req: Request) => {
    const user = await authorize(req, state, tokens);
    const v = new Validator(req.params, 'path');
    const id = v.uuid('workflow_id', { required: true });
    v.done();
    const wf = state.workflows.get(id!);
    if (!wf || wf.created_by !== user.id) throw notFound('Workflow');
    return wf;
  };

  r.get('/workflows', async (req, res) => {
    const user = await authorize(req, state, tokens);
    const v = new Validator(req.query, 'query', true);
    const { page, limit } = pageParams(v);
    const type = v.oneOf('workflow_type', WORKFLOW_TYPES);
    const status = v.oneOf('status', ['in_progress', 'completed', 'failed'] as const);
    v.done();
    const rows = [...state.workflows.values()].reverse()
      .filter((w) => w.created_by === user.id && (!type || w.workflow_type === type) && (!status || w.status === status))
      .map(({ data: _data, created_by: _by, ...w }) => w);
    const { items, ...pg } = paginate(rows, page, limit);
    res.json({ object: 'workflow.list', message: 'Successfully listed workflows', workflows: items, ...pg });
  });
  r.get('/workflows/:workflow_id', async (req, res) => {
    res.json(workflowView(await own(req)));
  });
  r.patch('/workflows/:workflow_id', async (req, res) => {
    const wf = await own(req);
    if (wf.status === 'in_progress') finish(wf, 'completed', null, 'Workflow marked as completed');
    const { data: _data, created_by: _by, ...view } = wf;
    res.json({ object: 'workflow.get', message: 'Workflow marked as completed', ...view });
  });
  r.delete('/workflows/:workflow_id', async (req, res) => {
    const wf = await own(req);
    state.workflows.delete(wf.id);
    res.json({ object: 'workflow.delete', message: 'Workflow deleted successfully' });
  });

  return r;
}
