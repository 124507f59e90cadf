import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import multer from 'multer';
import { parse as parseYaml } from 'yaml';
import { authenticate, authorize, permit } from './auth';
import { ClientError, notFound } from './errors';
import type { Ctx } from './routes-auth';
import { readTags } from './routes-models';
import { BudState, hexColor, now, type Row, type User, type Workflow } from './state';
import { pageParams, paginate, Validator } from './validate';
import { applyStep, readStep, requireData, runStages, workflowView } from './workflows';

/**
 * The README flows: projects, cluster onboarding (budcluster), deployment with budsim recommendations,
 * endpoints. Clusters have a simulated CPU inventory; deployments reserve workers from it.
 */

const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 1024 * 1024, files: 1 } });
const NODES_PER_CLUSTER = 2;
const WORKERS_PER_NODE = 4;
const CONCURRENCY_PER_REPLICA = 4;

const live = (row: Row | undefined, what: string): Row => {
  if (!row || row.status === 'deleted') throw notFound(what);
  return row;
};

function canSee(user: User, project: Row): boolean {
  return project.created_by === user.id || user.user_type === 'admin';
}

export function ownProject(state: BudState, user: User, id: string): Row {
  const p = live(state.projects.get(id), 'Project');
  if (!canSee(user, p)) throw notFound('Project');
  return p;
}

const idParam = (req: Request, name: string): string => {
  const v = new Validator(req.params, 'path');
  const id = v.uuid(name, { required: true });
  v.done();
  return id!;
};

/** Validate a kubeconfig upload: a mapping with clusters (server URLs), users, contexts and a current-context. */
function readKubeconfig(text: string): { server: string; context: string } {
  let doc: Row;
  try {
    doc = parseYaml(text) as Row;
  } catch (e) {
    throw new ClientError(400, `Invalid configuration file: ${(e as Error).message.split('\n')[0]}`);
  }
  const list = (k: string) => (Array.isArray(doc?.[k]) ? (doc[k] as Row[]) : []);
  const current = typeof doc?.['current-context'] === 'string' ? String(doc['current-context']) : '';
  const context = list('contexts').find((c) => c?.name === current)?.context as Row | undefined;
  const cluster = list('clusters').find((c) => c?.name === context?.cluster)?.cluster as Row | undefined;
  if (!context || !cluster || typeof cluster.server !== 'string' || !list('users').some((u) => u?.name === context.user)) {
    throw new ClientError(400, 'Invalid configuration file: current-context must name a context with a known cluster (server) and user');
  }
  return { server: cluster.server, context: current };
}

interface Recommendation { cluster_id: string; name: string; replicas: number; ttft_ms: number; e2e_latency_ms: number; throughput: number; available_workers: number }

/** budsim: clusters able to serve the deploy_config, best (fewest replicas, then lowest latency) first. */
function simulate(state: BudState, config: Row): Recommendation[] {
  const concurrent = Number(config.concurrent_requests);
  const context = Number(config.avg_context_length ?? 1024);
  const sequence = Number(config.avg_sequence_length ?? 256);
  const maxOf = (x: unknown) => (Array.isArray(x) ? Number(x[x.length - 1]) : x === undefined || x === null ? Infinity : Number(x));
  const replicas = Math.ceil(concurrent / CONCURRENCY_PER_REPLICA);
  const ttft = Math.round(50 + context * 0.5);
  const e2e = Math.round(ttft + sequence * 40);
  return [...state.clusters.values()]
    .filter((c) => c.status === 'available' && Number(c.cpu_available_workers) >= replicas && ttft <= maxOf(config.ttft) && e2e <= maxOf(config.e2e_latency))
    .map((c) => ({ cluster_id: c.id, name: String(c.name), replicas, ttft_ms: ttft, e2e_latency_ms: e2e,
      throughput: Math.round((replicas * CONCURRENCY_PER_REPLICA * 1000) / 40), available_workers: Number(c.cpu_available_workers) }))
    .sort((a, b) => b.available_workers - a.available_workers);
}

function readDeployConfig(v: Validator): Row | undefined {
  const raw = v.any('deploy_config');
  if (raw === undefined || raw === null) return undefined;
  const d = new Validator(raw, 'body');
  d.int('concurrent_requests', { required: true, gt: 0 });
  d.int('avg_sequence_length', { gt: 0 });
  d.int('avg_context_length', { gt: 0, le: 200000 });
  for (const i of d.issues) v.issues.push({ ...i, loc: ['body', 'deploy_config', ...i.loc.slice(1)] });
  return raw as Row;
}

function release(state: BudState, endpoint: Row): void {
  const c = state.clusters.get(String(endpoint.cluster_id));
  if (c && endpoint.reserved_workers) c.cpu_available_workers = Number(c.cpu_available_workers) + Number(endpoint.reserved_workers);
  endpoint.reserved_workers = 0;
}

export function endpointView(state: BudState, e: Row) {
  const { reserved_workers: _r, created_by: _c, ...rest } = e;
  return { ...rest, model: state.models.get(String(e.model_id)) ?? null, cluster: state.clusters.get(String(e.cluster_id)) ?? null };
}

export function deployRoutes(ctx: Ctx): Router {
  const { state, tokens } = ctx;
  const r = Router();
  const stepMs = () => state.timings.deployment_step_ms;

  // ---- projects
  r.post('/projects', async (req, res) => {
    const user = await authenticate(req, state, tokens);
    const v = new Validator(req.body, 'body');
    const name = v.str('name', { required: true, min: 1, max: 100 });
    const description = v.str('description', { max: 400 });
    const tags = readTags(v, 'tags', v.any('tags'));
    const icon = v.str('icon');
    const projectType = v.oneOf('project_type', ['client_app', 'admin_app'] as const) ?? 'client_app';
    const benchmark = v.bool('benchmark');
    v.done();
    permit(user, 'project:manage');
    const taken = [...state.projects.values()].some((p) => p.status !== 'deleted' && String(p.name).toLowerCase() === name!.toLowerCase());
    if (taken) throw new ClientError(400, 'Project name already exists');
    const project: Row = {
      id: randomUUID(), name, description: description ?? null, tags: tags ?? [], icon: icon ?? null, project_type: projectType,
      benchmark, status: 'active', created_by: user.id, created_at: now(), modified_at: now(),
    };
    state.projects.set(project.id, project);
    res.json({ object: 'project.create', message: 'Project created successfully', project });
  });

  const counts = (p: Row) => ({
    endpoints_count: [...state.endpoints.values()].filter((e) => e.project_id === p.id && e.status !== 'deleted').length,
    credentials_count: [...state.credentials.values()].filter((c) => c.project_id === p.id).length,
  });

  r.get('/projects', async (req, res) => {
    const user = await authenticate(req, state, tokens);
    const v = new Validator(req.query, 'query', true);
    const { page, limit } = pageParams(v);
    const name = v.str('name');
    const search = v.bool('search');
    v.done();
    permit(user, 'project:view');
    const rows = [...state.projects.values()].reverse().filter((p) => p.status !== 'deleted' && canSee(user, p) &&
      (!name || (search ? String(p.name).toLowerCase().includes(name.toLowerCase()) : p.name === name)));
    const { items, ...pg } = paginate(rows, page, limit);
    res.json({
      object: 'project.list', message: 'Successfully listed projects',
      projects: items.map((project) => ({ project, users_count: 1, ...counts(project), profile_colors: [hexColor()] })), ...pg,
    });
  });

  r.get('/projects/:project_id', async (req, res) => {
    const user = await authenticate(req, state, tokens);
    const id = idParam(req, 'project_id');
    permit(user, 'project:view');
    const project = ownProject(state, user, id);
    const credentials = [...state.credentials.values()].filter((c) => c.project_id === project.id).map(({ key: _k, ...c }) => c);
    res.json({ object: 'project.retrieve', message: 'Project retrieved successfully', project, ...counts(project), credentials });
  });

  r.delete('/projects/:project_id', async (req, res) => {
    const user = await authenticate(req, state, tokens);
    const id = idParam(req, 'project_id');
    permit(user, 'project:manage');
    const project = ownProject(state, user, id);
    if (counts(project).endpoints_count > 0) throw new ClientError(400, 'Cannot delete project with active endpoints');
    for (const [id, c] of state.credentials) if (c.project_id === project.id) state.credentials.delete(id);
    Object.assign(project, { status: 'deleted', modified_at: now() });
    res.json({ object: 'project.delete', message: 'Project deleted successfully' });
  });

  // ---- clusters (budcluster)
  r.post('/clusters/clusters', upload.single('configuration_file'), async (req, res) => {
    const user = await authenticate(req, state, tokens);
    const v = new Validator(req.is('multipart/form-data') ? req.body : {}, 'body', true);
    const s = readStep(v);
    const data = { name: v.str('name', { min: 1, max: 100 }), icon: v.str('icon', { min: 1, max: 100 }), ingress_url: v.url('ingress_url') };
    v.done();
    permit(user, 'cluster:manage');
    const kube = req.file ? readKubeconfig(req.file.buffer.toString('utf8')) : undefined;
    const wf = applyStep(state, user, 'cluster_onboarding', s, { ...data, ...(kube ? { configuration: { server: kube.server, context: kube.context } } : {}) });
    if (s.trigger) {
      requireData(wf, ['name', 'ingress_url', 'configuration']);
      const name = String(wf.data.name);
      const taken = () => [...state.clusters.values()].some((c) => c.status !== 'deleted' && String(c.name).toLowerCase() === name.toLowerCase());
      if (taken()) throw new ClientError(400, 'Cluster name already exists');
      runStages(state, wf, {
        eventsKey: 'create_cluster_events', stepMs, successMessage: 'Cluster onboarded successfully',
        stages: [{ name: 'verify_cluster_connection' }, { name: 'install_node_info_collector' }, { name: 'fetch_node_info' }, { name: 'register_cluster' }],
        done: () => {
        if (taken()) return 'Cluster name already exists';
        const workers = NODES_PER_CLUSTER * WORKERS_PER_NODE;
        const cluster: Row = {
          id: randomUUID(), cluster_id: randomUUID(), name, icon: wf.data.icon ?? null, ingress_url: wf.data.ingress_url,
          cluster_type: 'ON_PREM', status: 'available', cpu_count: NODES_PER_CLUSTER, gpu_count: 0, hpu_count: 0,
          cpu_total_workers: workers, cpu_available_workers: workers, gpu_total_workers: 0, gpu_available_workers: 0,
          hpu_total_workers: 0, hpu_available_workers: 0, total_nodes: NODES_PER_CLUSTER, available_nodes: NODES_PER_CLUSTER,
          endpoint_count: 0, created_by: user.id, created_at: now(), modified_at: now(),
        };
        state.clusters.set(cluster.id, cluster);
        Object.assign(wf.data, { cluster_id: cluster.id, cluster });
        wf.current_step = s.stepNumber + 1;
        },
      });
    }
    res.json(workflowView(wf));
  });

  const clusterView = (c: Row) => ({
    ...c, endpoint_count: [...state.endpoints.values()].filter((e) => e.cluster_id === c.id && e.status !== 'deleted').length,
  });

  r.get('/clusters/clusters', async (req, res) => {
    const caller = await authenticate(req, state, tokens);
    const v = new Validator(req.query, 'query', true);
    const { page, limit } = pageParams(v);
    const name = v.str('name');
    const search = v.bool('search');
    v.done();
    permit(caller, 'cluster:view');
    const rows = [...state.clusters.values()].reverse().filter((c) => c.status !== 'deleted' &&
      (!name || (search ? String(c.name).toLowerCase().includes(name.toLowerCase()) : c.name === name)));
    const { items, ...pg } = paginate(rows.map(clusterView), page, limit);
    res.json({ object: 'cluster.list', message: 'Successfully listed clusters', clusters: items, ...pg });
  });

  r.get('/clusters/recommended/:workflow_id', async (req, res) => {
    const user = await authenticate(req, state, tokens);
    const id = idParam(req, 'workflow_id');
    permit(user, 'cluster:view');
    const wf = state.workflows.get(id);
    if (!wf || wf.created_by !== user.id || wf.workflow_type !== 'model_deployment') throw notFound('Workflow');
    const events = wf.data.bud_simulator_events as Row | undefined;
    res.json({
      object: 'cluster.recommended', message: 'Recommended clusters', workflow_id: wf.id,
      status: events?.status ?? 'in_progress', clusters: (events?.results as unknown[]) ?? [],
    });
  });

  r.get('/clusters/:cluster_id', async (req, res) => {
    const caller = await authenticate(req, state, tokens);
    const id = idParam(req, 'cluster_id');
    permit(caller, 'cluster:view');
    res.json({ object: 'cluster.get', message: 'Cluster retrieved successfully', cluster: clusterView(live(state.clusters.get(id), 'Cluster')) });
  });

  r.post('/clusters/:cluster_id/delete-workflow', async (req, res) => {
    const user = await authenticate(req, state, tokens);
    const id = idParam(req, 'cluster_id');
    permit(user, 'cluster:manage');
    const cluster = live(state.clusters.get(id), 'Cluster');
    if (clusterView(cluster).endpoint_count > 0) throw new ClientError(400, 'Cluster has active endpoints; delete them first');
    if (cluster.status === 'deleting') throw new ClientError(400, 'Cluster is already being deleted');
    cluster.status = 'deleting';
    const wf = applyStep(state, user, 'cluster_deletion', { totalSteps: 1, stepNumber: 1, trigger: true }, { cluster_id: cluster.id });
    runStages(state, wf, {
      eventsKey: 'delete_cluster_events', stepMs, stages: [{ name: 'delete_cluster' }], successMessage: 'Cluster deleted successfully',
      done: () => void Object.assign(cluster, { status: 'deleted', modified_at: now() }),
    });
    res.json({ object: 'cluster.delete', message: 'Cluster deletion started', workflow_id: wf.id });
  });

  // ---- deployment (model_deployment workflow with budsim simulation)
  r.post('/models/deploy-workflow', async (req, res) => {
    const user = await authenticate(req, state, tokens);
    const v = new Validator(req.body, 'body');
    const s = readStep(v);
    const data = {
      model_id: v.uuid('model_id'), project_id: v.uuid('project_id'), cluster_id: v.uuid('cluster_id'),
      template_id: v.uuid('template_id'), credential_id: v.uuid('credential_id'),
      endpoint_name: v.str('endpoint_name', { min: 1, max: 100 }), deploy_config: readDeployConfig(v),
      hardware_mode: v.oneOf('hardware_mode', ['dedicated', 'shared'] as const), simulator_id: v.uuid('simulator_id'),
    };
    v.done();
    permit(user, 'endpoint:manage');
    const model = data.model_id ? live(state.models.get(data.model_id), 'Model') : undefined;
    const project = data.project_id ? ownProject(state, user, data.project_id) : undefined;
    const cluster = data.cluster_id ? live(state.clusters.get(data.cluster_id), 'Cluster') : undefined;
    const wf = applyStep(state, user, 'model_deployment', s, { ...data, model, project, cluster });
    if (data.deploy_config) startSimulation(wf);
    if (s.trigger) trigger(user, wf, s.stepNumber);
    res.json(workflowView(wf));
  });

  function startSimulation(wf: Workflow): void {
    const simulatorId = randomUUID();
    wf.data.simulator_id = simulatorId;
    const events: Row = { id: simulatorId, status: 'in_progress', results: [] };
    wf.data.bud_simulator_events = events;
    state.later(stepMs(), () => {
      if (wf.data.simulator_id !== simulatorId) return;
      const results = simulate(state, wf.data.deploy_config as Row);
      Object.assign(events, { status: results.length ? 'completed' : 'failed', results,
        reason: results.length ? null : 'No cluster has enough free resources for this deployment configuration' });
    });
  }

  function trigger(user: User, wf: Workflow, stepNumber: number): void {
    requireData(wf, ['model_id', 'project_id', 'cluster_id', 'endpoint_name', 'deploy_config']);
    const name = String(wf.data.endpoint_name);
    const clash = [...state.endpoints.values()].some((e) => e.project_id === wf.data.project_id && e.status !== 'deleted' && String(e.name) === name);
    if (clash) throw new ClientError(400, 'An endpoint with this name already exists in the project');
    const cluster = state.clusters.get(String(wf.data.cluster_id))!;
    if (cluster.status !== 'available') throw new ClientError(400, `Cluster is ${cluster.status}`);
    const model = state.models.get(String(wf.data.model_id))!;
    const endpoint: Row = {
      id: randomUUID(), name, status: 'deploying', model_id: model.id, project_id: wf.data.project_id, cluster_id: cluster.id,
      deploy_config: wf.data.deploy_config, supported_endpoints: model.supported_endpoints, is_deprecated: false,
      is_published: false, published_date: null, published_by: null, reserved_workers: 0, created_by: user.id,
      created_at: now(), modified_at: now(),
    };
    state.endpoints.set(endpoint.id, endpoint);
    wf.data.endpoint = endpointView(state, endpoint);
    const needed = Math.ceil(Number((wf.data.deploy_config as Row).concurrent_requests) / CONCURRENCY_PER_REPLICA);
    runStages(state, wf, {
      eventsKey: 'budserve_cluster_events', stepMs, successMessage: 'Model deployed successfully',
      stages: [
        {
          name: 'reserve_resources',
          run: () => {
            if (cluster.status !== 'available') return `Cluster ${cluster.name} is ${cluster.status}`;
            if (Number(cluster.cpu_available_workers) < needed) {
              return `Insufficient resources on cluster ${cluster.name}: ${needed} workers needed, ${cluster.cpu_available_workers} available`;
            }
            cluster.cpu_available_workers = Number(cluster.cpu_available_workers) - needed;
            endpoint.reserved_workers = needed;
          },
        },
        { name: 'deploy_model' },
        { name: 'verify_health' },
      ],
      done: () => {
        Object.assign(endpoint, { status: 'running', replicas: needed, modified_at: now() });
        wf.data.endpoint = endpointView(state, endpoint);
        wf.current_step = stepNumber + 1;
      },
      // A failed deployment leaves a failed endpoint and frees what it reserved.
      onFail: () => {
        release(state, endpoint);
        Object.assign(endpoint, { status: 'failure', modified_at: now() });
        wf.data.endpoint = endpointView(state, endpoint);
      },
    });
  }

  // ---- endpoints
  r.get('/endpoints', async (req, res) => {
    const user = await authenticate(req, state, tokens);
    const v = new Validator(req.query, 'query', true);
    const { page, limit } = pageParams(v);
    const projectId = v.uuid('project_id');
    const name = v.str('name');
    // endpoint_ops/schemas.py EndpointFilter.status is an EndpointStatusEnum: anything else is a 422.
    const status = v.oneOf('status', ['pending', 'deploying', 'running', 'unhealthy', 'failure', 'deleting', 'deleted'] as const);
    const search = v.bool('search');
    v.done();
    permit(user, 'project:view', 'endpoint:view');
    const rows = [...state.endpoints.values()].reverse().filter((e) => e.status !== 'deleted' &&
      canSee(user, state.projects.get(String(e.project_id))!) && (!projectId || e.project_id === projectId) &&
      (!status || e.status === status) && (!name || (search ? String(e.name).toLowerCase().includes(name.toLowerCase()) : e.name === name)));
    const { items, ...pg } = paginate(rows.map((e) => endpointView(state, e)), page, limit);
    res.json({ object: 'endpoints.list', message: 'Successfully listed endpoints', endpoints: items, ...pg });
  });

  r.post('/endpoints/:endpoint_id/delete-workflow', async (req, res) => {
    const user = await authenticate(req, state, tokens);
    const id = idParam(req, 'endpoint_id');
    permit(user, 'endpoint:manage');
    const endpoint = live(state.endpoints.get(id), 'Endpoint');
    if (!canSee(user, state.projects.get(String(endpoint.project_id))!)) throw notFound('Endpoint');
    if (endpoint.status === 'deleting') throw new ClientError(400, 'Endpoint is already being deleted');
    if (endpoint.status === 'deploying') throw new ClientError(400, 'Endpoint is still deploying');
    endpoint.status = 'deleting';
    const wf = applyStep(state, user, 'endpoint_deletion', { totalSteps: 1, stepNumber: 1, trigger: true }, { endpoint_id: endpoint.id });
    runStages(state, wf, {
      eventsKey: 'delete_endpoint_events', stepMs, stages: [{ name: 'delete_deployment' }], successMessage: 'Endpoint deleted successfully',
      done: () => {
        release(state, endpoint);
        Object.assign(endpoint, { status: 'deleted', modified_at: now() });
      },
    });
    res.json({ object: 'endpoint.delete', message: 'Endpoint deletion started', workflow_id: wf.id });
  });

  return r;
}
