import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import multer from 'multer';
import { authenticate, authorize, permit } from './auth';
import { MODALITIES, MODEL_PROVIDER_TYPES } from './catalog';
import { ClientError, notFound } from './errors';
import type { Ctx } from './routes-auth';
import { BudState, now, type Row } from './state';
import { pageParams, paginate, Validator } from './validate';

const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 5 * 1024 * 1024, files: 1 } });
const TAG_COLOR = /^#[0-9A-Fa-f]{6}$/;

/** `tags` items `{name, color "#RRGGBB"}` (422 per item otherwise). */
export function readTags(v: Validator, field: string, raw: unknown): { name: string; color: string }[] | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!Array.isArray(raw)) return v.issue(field, 'list_type', 'Input should be a valid list', raw);
  const out: { name: string; color: string }[] = [];
  raw.forEach((t, i) => {
    const name = (t as Row | null)?.name;
    const color = (t as Row | null)?.color;
    if (typeof name !== 'string' || !name || typeof color !== 'string' || !TAG_COLOR.test(color)) {
      v.issues.push({ type: 'value_error', loc: ['body', field, i], msg: 'Value error, tag needs a name and a color like #RRGGBB', input: t });
    } else out.push({ name, color });
  });
  return out;
}

export function newModel(state: BudState, fields: Row | Omit<Row, 'id'>, createdBy: string): Row {
  const m: Row = {
    description: null, tags: [], tasks: [], icon: null, author: null, github_url: null, huggingface_url: null,
    website_url: null, paper_urls: [], modality: [], source: null, provider_type: null, uri: null, local_path: null,
    provider_id: null, provider: null, supported_endpoints: ['/v1/chat/completions'], model_size: null,
    architecture_text_config: null, model_licenses: null, ...fields,
    id: randomUUID(), status: 'active', created_by: createdBy, created_at: now(), modified_at: now(),
  };
  state.models.set(m.id, m);
  return m;
}

function endpointsCount(state: BudState, modelId: string): number {
  return [...state.endpoints.values()].filter((e) => e.model_id === modelId && e.status !== 'deleted').length;
}

function liveModel(state: BudState, id: string): Row {
  const m = state.models.get(id);
  if (!m || m.status === 'deleted') throw notFound('Model');
  return m;
}

const asList = (x: unknown): string[] => (x === undefined ? [] : Array.isArray(x) ? x.map(String) : [String(x)]);

export function modelRoutes(ctx: Ctx): Router {
  const { state, tokens } = ctx;
  const r = Router();
  const pathId = (req: Request) => {
    const v = new Validator(req.params, 'path');
    const id = v.uuid('model_id', { required: true });
    v.done();
    return id!;
  };

  r.get('/models/providers', async (req, res) => {
    await authorize(req, state, tokens);
    const v = new Validator(req.query, 'query', true);
    const { page, limit } = pageParams(v);
    const caps = v.list('capabilities', (x) => String(x)) ?? [];
    const name = v.str('name');
    const search = v.bool('search');
    v.done();
    const rows = state.providers.filter((p) =>
      caps.every((c) => (p.capabilities as string[]).includes(c)) &&
      (!name || (search ? String(p.name).toLowerCase().includes(name.toLowerCase()) : p.name === name)));
    const { items, ...pg } = paginate(rows, page, limit);
    res.json({ object: 'providers.list', message: 'Successfully listed providers', providers: items, ...pg });
  });

  /** Distinct values of a model attribute: /models/tags, /models/tasks, /models/authors. */
  const distinct = (path: string, key: string, object: string, pick: (m: Row) => unknown[]) =>
    r.get(path, async (req, res) => {
      const caller = await authenticate(req, state, tokens);
      const v = new Validator(req.query, 'query', true);
      const { page, limit } = pageParams(v);
      const name = v.str('name');
      v.done();
      permit(caller, 'model:view');
      const seen = new Map<string, unknown>();
      for (const m of state.models.values()) {
        if (m.status === 'deleted') continue;
        for (const x of pick(m)) {
          const label = typeof x === 'string' ? x : String((x as Row).name);
          if (!name || label.toLowerCase().includes(name.toLowerCase())) seen.set(label, x);
        }
      }
      const { items, ...pg } = paginate([...seen.values()], page, limit);
      res.json({ object, message: `Successfully listed ${key}`, [key]: items, ...pg });
    });
  distinct('/models/tags', 'tags', 'model.tags', (m) => m.tags as unknown[]);
  distinct('/models/tasks', 'tasks', 'model.tasks', (m) => m.tasks as unknown[]);
  distinct('/models/authors', 'authors', 'model.authors', (m) => (m.author ? [m.author] : []));

  r.get('/models/catalog', async (req, res) => {
    await authorize(req, state, tokens);
    const v = new Validator(req.query, 'query', true);
    const { page, limit } = pageParams(v);
    v.done();
    const published = [...state.endpoints.values()].filter((e) => e.is_published && e.status === 'running');
    const { items, ...pg } = paginate(published.map((e) => ({ endpoint_id: e.id, endpoint_name: e.name, model: state.models.get(String(e.model_id)) })), page, limit);
    res.json({ object: 'model.catalog', message: 'Successfully listed catalog models', models: items, ...pg });
  });

  r.get('/models', async (req, res) => {
    const caller = await authenticate(req, state, tokens);
    const v = new Validator(req.query, 'query', true);
    const { page, limit } = pageParams(v);
    const f = {
      name: v.str('name'), source: v.str('source'), author: v.str('author'),
      provider_type: v.oneOf('provider_type', MODEL_PROVIDER_TYPES),
      table_source: v.oneOf('table_source', ['cloud_model', 'model'] as const) ?? 'model',
      modality: v.listOf('modality', MODALITIES) ?? [],
      tags: asList(req.query.tags), tasks: asList(req.query.tasks), search: v.bool('search'),
    };
    v.done();
    permit(caller, 'model:view');
    const text = (s: unknown, q: string) => (f.search ? String(s ?? '').toLowerCase().includes(q.toLowerCase()) : s === q);
    const pool = f.table_source === 'cloud_model' ? state.cloudModels : [...state.models.values()].reverse();
    const rows = pool.filter((m) =>
      m.status !== 'deleted' &&
      (!f.name || text(m.name, f.name)) && (!f.author || text(m.author, f.author)) && (!f.source || m.source === f.source) &&
      (!f.provider_type || m.provider_type === f.provider_type) &&
      f.modality.every((x) => (m.modality as string[]).includes(x)) &&
      f.tags.every((t) => ((m.tags as Row[] | undefined) ?? []).some((x) => x.name === t)) &&
      f.tasks.every((t) => ((m.tasks as unknown[] | undefined) ?? []).some((x) => x === t || (x as Row)?.name === t)));
    const { items, ...pg } = paginate(rows, page, limit);
    res.json({
      object: 'models.list', message: 'Successfully listed models',
      models: items.map((m) => ({ model: m, endpoints_count: endpointsCount(state, m.id) })), ...pg,
    });
  });

  r.get('/models/:model_id', async (req, res) => {
    const caller = await authenticate(req, state, tokens);
    const id = pathId(req);
    permit(caller, 'model:view');
    const m = liveModel(state, id);
    const endpoint = [...state.endpoints.values()].find((e) => e.model_id === m.id && e.status !== 'deleted');
    res.json({
      object: 'model.get', message: 'Successfully retrieved model', model: m, scan_result: null, eval_result: null,
      model_tree: { base_model: [], adapters_count: 0, finetunes_count: 0, merges_count: 0, quantizations_count: 0 },
      endpoints_count: endpointsCount(state, m.id), endpoint_id: endpoint?.id ?? null, endpoint_name: endpoint?.name ?? null,
    });
  });

  r.patch('/models/:model_id', upload.single('license_file'), async (req, res) => {
    const caller = await authenticate(req, state, tokens);
    const id = pathId(req);
    // Form fields only: a JSON body carries no form fields, so it changes nothing (as in FastAPI).
    const form = req.is(['multipart/form-data', 'application/x-www-form-urlencoded']) ? req.body : {};
    const v = new Validator(form, 'body', true);
    const patch: Row | Record<string, unknown> = {};
    const set = (k: string, x: unknown) => x !== undefined && (patch[k] = x);
    set('name', v.str('name', { min: 1, max: 100, strip: true }));
    set('description', v.str('description', { max: 400 }));
    set('icon', v.str('icon', { min: 1, max: 100 }));
    for (const k of ['github_url', 'huggingface_url', 'website_url', 'license_url']) set(k, v.url(k));
    const json = (k: string) => {
      const s = v.str(k);
      if (s === undefined) return undefined;
      try {
        return JSON.parse(s);
      } catch {
        return v.issue(k, 'json_invalid', 'Invalid JSON: expected value', s, { error: 'expected value' });
      }
    };
    set('tags', readTags(v, 'tags', json('tags')));
    const tasks = json('tasks');
    if (tasks !== undefined && !Array.isArray(tasks)) v.issue('tasks', 'list_type', 'Input should be a valid list', tasks);
    else set('tasks', tasks);
    const papers = json('paper_urls');
    if (papers !== undefined && !(Array.isArray(papers) && papers.every((p) => typeof p === 'string'))) {
      v.issue('paper_urls', 'list_type', 'Input should be a valid list of URLs', papers);
    } else set('paper_urls', papers);
    const removeLicense = v.bool('remove_license');
    v.done();
    permit(caller, 'model:manage');
    const m = liveModel(state, id);
    if (typeof patch.name === 'string' && state.activeModelNamed(patch.name, m.id)) throw new ClientError(400, 'Model name already exists');
    const licenseUrl = patch.license_url;
    delete patch.license_url;
    Object.assign(m, patch, { modified_at: now() });
    if (removeLicense) m.model_licenses = null;
    if (req.file) m.model_licenses = { id: randomUUID(), name: req.file.originalname, url: null, size: req.file.size };
    else if (licenseUrl) m.model_licenses = { id: randomUUID(), name: String(licenseUrl), url: licenseUrl };
    res.json({ object: 'model.edit', message: 'Model details updated successfully' });
  });

  r.delete('/models/:model_id', async (req, res) => {
    const caller = await authenticate(req, state, tokens);
    const id = pathId(req);
    permit(caller, 'model:manage');
    const m = liveModel(state, id);
    if (endpointsCount(state, m.id) > 0) throw new ClientError(400, 'Cannot delete model: it has active deployments');
    Object.assign(m, { status: 'deleted', modified_at: now() });
    res.json({ object: 'model.delete', message: 'Model deleted successfully' });
  });

  return r;
}
