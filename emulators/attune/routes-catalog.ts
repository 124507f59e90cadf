// Health, auth and the catalog routes: packs, actions, triggers (+ webhooks enable/disable),
// rules and workflows. Paths use refs, as upstream.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import express, { Request, Router } from 'express';
import multer from 'multer';
import { callerOf, hashPassword, verifyPassword } from './auth';
import { assertWritable, createAction, createPack, createRule, createTrigger, createWorkflow, findVisible, ruleRefs, scope } from './catalog';
import type { Ctx } from './context';
import { json, Row } from './db';
import * as dto from './dto';
import { AuthError, Body, badRequest, conflict, deleted, forbidden, idParam, invalid, notFound, pageParams, paginated, Where } from './http';
import { extractPackArchive, registerPack } from './packs';

type Mapper = (r: Row) => unknown;

/** List with the upstream envelope; `size` param name and default differ per route family. */
export async function listPage(ctx: Ctx, req: Request, from: string, w: Where, map: Mapper, order = 'id', sizeParam: 'page_size' | 'per_page' = 'page_size', dflt = 50) {
  const { page, size } = pageParams(req.query, sizeParam, dflt);
  const { rows, total } = await ctx.db.page('*', `FROM ${from} ${w}`, w.params, `ORDER BY ${order} LIMIT ${size} OFFSET ${(page - 1) * size}`, (page - 1) * size);
  return paginated(rows.map(map), page, size, total);
}

/** UPDATE only the given columns (undefined = leave alone); jsonb columns get JSON text. */
export async function updateRow(ctx: Ctx, table: string, id: number, fields: Record<string, unknown>, jsonCols: string[] = []): Promise<Row> {
  const w = new Where();
  const sets = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} = ${w.param(jsonCols.includes(k) ? json(v) : v)}`);
  const idParam = w.param(id);
  return (await ctx.db.one(`UPDATE ${table} SET ${[...sets, 'updated = now()'].join(', ')} WHERE id = ${idParam} RETURNING *`, w.params))!;
}

/** Upstream's description patch: a plain string, {"op":"set","value":...} or {"op":"clear"}. */
function descriptionPatch(b: Body): string | null | undefined {
  const d = b.any('description');
  if (d === undefined) return undefined;
  if (d === null || typeof d === 'string') return d;
  if (typeof d === 'object' && (d as Row).op === 'clear') return null;
  if (typeof d === 'object' && (d as Row).op === 'set' && typeof (d as Row).value === 'string') return (d as Row).value;
  throw invalid('description: expected a string or a patch object');
}

export function healthAndAuthRoutes(ctx: Ctx): Router {
  const r = Router();
  r.get('/health', (_req, res) => void res.json({ status: 'ok' }));
  r.get('/health/live', (_req, res) => void res.json({ status: 'ok' }));
  r.get('/health/ready', (_req, res) => void res.status(200).end());
  r.get('/health/detailed', (_req, res) => void res.json({ status: 'ok', version: '0.1.0', database: 'connected' }));

  r.post('/auth/register', async (req, res) => {
    const b = new Body(req.body);
    const login = b.reqStr('login', { min: 3 });
    const password = b.reqStr('password', { min: 8, max: 128 });
    const tenant = b.str('tenant') ?? login;
    if (await ctx.db.one('SELECT 1 FROM identity WHERE login = $1', [login])) throw conflict(`Identity with login '${login}' already exists`);
    const identity = await ctx.db.one(
      'INSERT INTO identity (login, display_name, password_hash, tenant) VALUES ($1,$2,$3,$4) RETURNING *',
      [login, b.str('display_name') ?? login, await hashPassword(password), tenant],
    );
    res.status(200).json({ data: await ctx.tokens.tokenResponse(identity!) });
  });
  r.post('/auth/login', async (req, res) => {
    const b = new Body(req.body);
    const identity = await ctx.db.one('SELECT * FROM identity WHERE login = $1', [b.reqStr('login')]);
    if (!identity || !(await verifyPassword(b.reqStr('password', { max: 128 }), identity.password_hash))) {
      return void res.status(401).json({ error: 'Invalid login or password', code: 'UNAUTHORIZED' });
    }
    if (identity.frozen) return void res.status(403).json({ error: 'Identity is frozen', code: 'FORBIDDEN' });
    res.json({ data: await ctx.tokens.tokenResponse(identity) });
  });
  r.post('/auth/refresh', async (req, res) => {
    const token = new Body(req.body).reqStr('refresh_token', { max: 10000 });
    const caller = await ctx.tokens.verify(token, ['refresh']).catch(() => {
      throw new AuthError('Invalid refresh token');
    });
    const identity = await ctx.db.one('SELECT * FROM identity WHERE id = $1', [caller.id]);
    res.json({ data: await ctx.tokens.tokenResponse(identity!, false) });
  });
  r.get('/auth/settings', (_req, res) =>
    void res.json({
      data: {
        authentication_enabled: true, local_password_enabled: true, local_password_visible_by_default: true,
        oidc_enabled: false, oidc_visible_by_default: false, oidc_provider_name: null, oidc_provider_label: null, oidc_provider_icon_url: null,
        ldap_enabled: false, ldap_visible_by_default: false, ldap_provider_name: null, ldap_provider_label: null, ldap_provider_icon_url: null,
        self_registration_enabled: true,
      },
    }));
  const me = async (req: Request) => {
    const caller = callerOf(req);
    const identity = (await ctx.db.one('SELECT * FROM identity WHERE id = $1', [caller.id]))!;
    const actions = caller.isAdmin ? ['read', 'create', 'update', 'delete', 'execute', 'cancel', 'respond', 'decrypt', 'manage'] : ['read', 'create', 'update', 'delete', 'execute', 'cancel', 'respond', 'decrypt'];
    return {
      data: {
        id: Number(identity.id), login: identity.login, display_name: identity.display_name, auth_provider: 'local', is_local: true, can_change_password: true,
        effective_permissions: ['packs', 'actions', 'rules', 'triggers', 'executions', 'events', 'enforcements', 'inquiries', 'keys'].map((resource) => ({ resource, actions })),
        assigned_permission_set_refs: caller.isAdmin ? ['core.admin'] : [],
      },
    };
  };
  r.get('/auth/me', ctx.tokens.middleware(), async (req, res) => void res.json(await me(req)));
  r.put('/auth/me', ctx.tokens.middleware(), async (req, res) => {
    const name = new Body(req.body).str('display_name');
    if (name !== undefined) await ctx.db.query('UPDATE identity SET display_name = $2, updated = now() WHERE id = $1', [callerOf(req).id, name]);
    res.json(await me(req));
  });
  r.post('/auth/change-password', ctx.tokens.middleware(), async (req, res) => {
    const b = new Body(req.body);
    const identity = (await ctx.db.one('SELECT * FROM identity WHERE id = $1', [callerOf(req).id]))!;
    if (!(await verifyPassword(b.reqStr('current_password', { max: 128 }), identity.password_hash))) throw new AuthError('Current password is incorrect');
    await ctx.db.query('UPDATE identity SET password_hash = $2, updated = now() WHERE id = $1', [identity.id, await hashPassword(b.reqStr('new_password', { min: 8, max: 128 }))]);
    res.json({ data: { success: true, message: 'Password changed successfully' } });
  });
  return r;
}

export function catalogRoutes(ctx: Ctx): Router {
  const r = Router();
  const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 100 * 1024 * 1024 } });
  /** `:ref` of `table` as the caller may see it (read) or change it (write: not system rows). */
  const byRef = (table: string, what: string, write = false) => async (req: Request): Promise<Row> => {
    const caller = callerOf(req);
    const row = await findVisible(ctx.db, table, 'ref', req.params.ref as string, caller, what);
    if (write) assertWritable(row, caller, what);
    return row;
  };
  const pack = byRef('pack', 'Pack', true);
  const action = byRef('action', 'Action', true);
  const trigger = byRef('trigger', 'Trigger', true);
  const rule = byRef('rule', 'Rule', true);
  const workflow = byRef('workflow_definition', 'Workflow', true);

  // ------------------------------------------------------------------ packs
  r.get('/packs', async (req, res) => void res.json(await listPage(ctx, req, 'pack', scope(new Where(), callerOf(req)), dto.packSummary)));
  r.post('/packs', async (req, res) => void res.status(201).json({ data: dto.packDto(await createPack(ctx.db, callerOf(req), new Body(req.body))) }));

  const registered = async (pack: Row) => {
    await ctx.sensor.syncAll();
    return { data: { pack: dto.packDto(pack), test_result: null, tests_skipped: true } };
  };
  r.post('/packs/register', async (req, res) => {
    const b = new Body(req.body);
    const dir = path.resolve(b.reqStr('path', { max: 4096 }));
    if (!fs.existsSync(path.join(dir, 'pack.yaml'))) throw badRequest(`No pack.yaml found in '${dir}'`);
    res.status(201).json(await registered(await registerPack(ctx.db, callerOf(req), dir, ctx.packsRoot, b.bool('force', false))));
  });
  r.post('/packs/upload', upload.single('pack'), async (req, res) => {
    if (!req.file) throw badRequest("Missing multipart field 'pack' (a .tar.gz of the pack directory)");
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-upload-'));
    try {
      const dir = extractPackArchive(req.file.buffer, tmp);
      const force = String(req.body?.force ?? 'false') === 'true';
      res.status(201).json(await registered(await registerPack(ctx.db, callerOf(req), dir, ctx.packsRoot, force)));
    } finally {
      await fs.promises.rm(tmp, { recursive: true, force: true });
    }
  });
  r.get('/packs/:ref', async (req, res) => void res.json({ data: dto.packDto(await byRef('pack', 'Pack')(req)) }));
  r.put('/packs/:ref', async (req, res) => {
    const p = await pack(req);
    const b = new Body(req.body);
    const row = await updateRow(ctx, 'pack', p.id, {
      label: b.str('label'), description: descriptionPatch(b), version: b.str('version', { max: 50 }), conf_schema: b.obj('conf_schema'),
      config: b.obj('config'), meta: b.obj('meta'), tags: b.strList('tags'), runtime_deps: b.strList('runtime_deps'), dependencies: b.strList('dependencies'),
    }, ['conf_schema', 'config', 'meta']);
    res.json({ data: dto.packDto(row) });
  });
  r.delete('/packs/:ref', async (req, res) => {
    const p = await pack(req);
    // The built-in core pack (is_standard, installed from packs/core with `system: true`) carries the
    // timer triggers every rule on the instance uses; it is never removable through the API.
    if (p.is_standard) throw forbidden(`Pack '${p.ref}' is a standard pack and cannot be deleted`);
    await ctx.db.query('DELETE FROM pack WHERE id = $1', [p.id]);
    await ctx.sensor.syncAll();
    if (p.pack_dir && p.pack_dir.startsWith(ctx.packsRoot)) await fs.promises.rm(p.pack_dir, { recursive: true, force: true });
    res.json(deleted('Pack', p.ref));
  });
  const perPack = (sub: string, table: string, map: (r: Row) => unknown) =>
    r.get(`/packs/:ref/${sub}`, async (req, res) => {
      const p = await byRef('pack', 'Pack')(req);
      res.json(await listPage(ctx, req, table, scope(new Where().add('pack = ?', p.id), callerOf(req)), map));
    });
  perPack('actions', 'action', dto.actionSummary);
  perPack('triggers', 'trigger', dto.triggerSummary);
  perPack('rules', 'rule', dto.ruleSummary);
  perPack('workflows', 'workflow_definition', dto.workflowDto);

  // ------------------------------------------------------------------ actions
  r.get('/actions', async (req, res) => void res.json(await listPage(ctx, req, 'action', scope(new Where(), callerOf(req)), dto.actionSummary)));
  r.post('/actions', async (req, res) => void res.status(201).json({ data: dto.actionDto(await createAction(ctx.db, callerOf(req), new Body(req.body))) }));
  r.get('/actions/:ref', async (req, res) => void res.json({ data: dto.actionDto(await byRef('action', 'Action')(req)) }));
  r.put('/actions/:ref', async (req, res) => {
    const a = await action(req);
    const b = new Body(req.body);
    const row = await updateRow(ctx, 'action', a.id, {
      label: b.str('label'), description: descriptionPatch(b), entrypoint: b.str('entrypoint', { max: 100000 }), runtime_ref: b.str('runtime_ref'),
      param_schema: b.obj('param_schema'), out_schema: b.obj('out_schema'),
    }, ['param_schema', 'out_schema']);
    res.json({ data: dto.actionDto(row) });
  });
  r.delete('/actions/:ref', async (req, res) => {
    const a = await action(req);
    await ctx.db.query('DELETE FROM action WHERE id = $1', [a.id]);
    res.json(deleted('Action', a.ref));
  });
  r.get('/actions/:ref/queue-stats', async (req, res) => {
    const a = await byRef('action', 'Action')(req);
    const stats = await ctx.engine.gate.stats(a.id);
    if (!stats) throw notFound(`Queue statistics for action '${a.ref}'`);
    res.json({ data: { ...stats, action_ref: a.ref } });
  });
  r.get('/actions/:ref/rules', async (req, res) => {
    const a = await byRef('action', 'Action')(req);
    res.json(await listPage(ctx, req, 'rule', scope(new Where().add('action = ?', a.id), callerOf(req)), dto.ruleSummary));
  });

  // ------------------------------------------------------------------ triggers and webhooks
  r.get('/triggers', async (req, res) => void res.json(await listPage(ctx, req, 'trigger', scope(new Where(), callerOf(req)), dto.triggerSummary)));
  r.get('/triggers/enabled', async (req, res) => void res.json(await listPage(ctx, req, 'trigger', scope(new Where().add('enabled'), callerOf(req)), dto.triggerSummary)));
  r.post('/triggers', async (req, res) => void res.status(201).json({ data: dto.triggerDto(await createTrigger(ctx.db, callerOf(req), new Body(req.body))) }));
  r.get('/triggers/:ref', async (req, res) => void res.json({ data: dto.triggerDto(await byRef('trigger', 'Trigger')(req)) }));
  r.put('/triggers/:ref', async (req, res) => {
    const t = await trigger(req);
    const b = new Body(req.body);
    const row = await updateRow(ctx, 'trigger', t.id, {
      label: b.str('label'), description: descriptionPatch(b), enabled: b.has('enabled') ? b.bool('enabled', true) : undefined,
      param_schema: b.obj('param_schema'), out_schema: b.obj('out_schema'),
    }, ['param_schema', 'out_schema']);
    res.json({ data: dto.triggerDto(row) });
  });
  r.delete('/triggers/:ref', async (req, res) => {
    const t = await trigger(req);
    await ctx.db.query('DELETE FROM trigger WHERE id = $1', [t.id]);
    res.json(deleted('Trigger', t.ref));
  });
  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    r.post(`/triggers/:ref/${verb}`, async (req, res) => {
      const row = await updateRow(ctx, 'trigger', (await trigger(req)).id, { enabled });
      res.json({ data: dto.triggerDto(row), message: `Trigger ${verb}d successfully` });
    });
  }
  const newKey = () => `wh_${randomBytes(16).toString('hex')}`;
  r.post('/triggers/:ref/webhooks/enable', async (req, res) => {
    const t = await trigger(req);
    const row = await updateRow(ctx, 'trigger', t.id, { webhook_enabled: true, webhook_key: t.webhook_key ?? newKey() });
    res.json({ data: dto.triggerDto(row) });
  });
  r.post('/triggers/:ref/webhooks/disable', async (req, res) => {
    const t = await trigger(req);
    await ctx.db.query('UPDATE trigger SET webhook_enabled = false, webhook_key = NULL, updated = now() WHERE id = $1', [t.id]);
    res.json({ data: dto.triggerDto((await ctx.db.one('SELECT * FROM trigger WHERE id = $1', [t.id]))!) });
  });
  r.post('/triggers/:ref/webhooks/regenerate', async (req, res) => {
    const t = await trigger(req);
    if (!t.webhook_enabled) throw badRequest('Webhooks are not enabled for this trigger. Enable webhooks first.');
    res.json({ data: dto.triggerDto(await updateRow(ctx, 'trigger', t.id, { webhook_key: newKey() })) });
  });
  r.get('/triggers/:ref/rules', async (req, res) => {
    const t = await byRef('trigger', 'Trigger')(req);
    res.json(await listPage(ctx, req, 'rule', scope(new Where().add('trigger = ?', t.id), callerOf(req)), dto.ruleSummary));
  });

  // ------------------------------------------------------------------ rules
  r.get('/rules', async (req, res) => void res.json(await listPage(ctx, req, 'rule', scope(new Where(), callerOf(req)), dto.ruleSummary)));
  r.get('/rules/enabled', async (req, res) => void res.json(await listPage(ctx, req, 'rule', scope(new Where().add('enabled'), callerOf(req)), dto.ruleSummary)));
  r.post('/rules', async (req, res) => {
    const rule = await createRule(ctx.db, callerOf(req), new Body(req.body));
    await ctx.sensor.sync(rule.id);
    res.status(201).json({ data: dto.ruleDto(rule) });
  });
  r.get('/rules/:ref', async (req, res) => void res.json({ data: dto.ruleDto(await byRef('rule', 'Rule')(req)) }));
  r.put('/rules/:ref', async (req, res) => {
    const existing = await rule(req);
    const b = new Body(req.body);
    const conditions = b.any('conditions');
    if (conditions !== undefined && (conditions === null || typeof conditions !== 'object')) throw invalid('conditions: expected an object or a list');
    const triggerParams = b.obj('trigger_params');
    await ruleRefs(ctx.db, callerOf(req), existing.action_ref, existing.trigger_ref, triggerParams ?? existing.trigger_params ?? {});
    const row = await updateRow(ctx, 'rule', existing.id, {
      label: b.str('label'), description: descriptionPatch(b), conditions, action_params: b.obj('action_params'), trigger_params: triggerParams,
      enabled: b.has('enabled') ? b.bool('enabled', true) : undefined,
      notify_on_trigger: b.has('notify_on_trigger') ? b.bool('notify_on_trigger', false) : undefined,
    }, ['conditions', 'action_params', 'trigger_params']);
    await ctx.sensor.sync(row.id);
    res.json({ data: dto.ruleDto(row) });
  });
  r.delete('/rules/:ref', async (req, res) => {
    const existing = await rule(req);
    ctx.sensor.disarm(existing.id);
    await ctx.db.query('DELETE FROM rule WHERE id = $1', [existing.id]);
    res.json(deleted('Rule', existing.ref));
  });
  for (const [verb, enabled] of [['enable', true], ['disable', false]] as const) {
    r.post(`/rules/:ref/${verb}`, async (req, res) => {
      const row = await updateRow(ctx, 'rule', (await rule(req)).id, { enabled });
      await ctx.sensor.sync(row.id);
      res.json({ data: dto.ruleDto(row), message: `Rule ${verb}d successfully` });
    });
  }

  // ------------------------------------------------------------------ identities (admins only)
  const admin = (req: Request) => {
    if (!callerOf(req).isAdmin) throw forbidden('Insufficient permissions: identities:manage required');
  };
  const identity = async (req: Request) => {
    admin(req);
    const row = await ctx.db.one('SELECT * FROM identity WHERE id = $1', [idParam(req.params.id as string, 'Identity')]);
    if (!row) throw notFound(`Identity '${req.params.id}'`);
    return row;
  };
  r.get('/identities', async (req, res) => {
    admin(req);
    res.json(await listPage(ctx, req, 'identity', new Where(), dto.identityDto));
  });
  r.post('/identities', async (req, res) => {
    admin(req);
    const b = new Body(req.body);
    const login = b.reqStr('login', { min: 3 });
    const password = b.str('password', { min: 8, max: 128 });
    if (await ctx.db.one('SELECT 1 FROM identity WHERE login = $1', [login])) throw conflict(`Identity with login '${login}' already exists`);
    const row = await ctx.db.one(
      'INSERT INTO identity (login, display_name, password_hash, attributes, tenant) VALUES ($1,$2,$3,$4,$5) RETURNING *',
      [login, b.str('display_name') ?? login, password ? await hashPassword(password) : null, json(b.obj('attributes', {})), b.str('tenant') ?? callerOf(req).tenant], // an operator's identities join the operator's organisation
    );
    res.status(201).json({ data: dto.identityDto(row!) });
  });
  r.get('/identities/:id', async (req, res) => void res.json({ data: dto.identityDto(await identity(req)) }));
  r.delete('/identities/:id', async (req, res) => {
    const row = await identity(req);
    if (row.id === callerOf(req).id) throw badRequest('Cannot delete your own identity');
    await ctx.db.query('DELETE FROM identity WHERE id = $1', [row.id]);
    res.json(deleted('Identity', row.login));
  });

  // ------------------------------------------------------------------ workflows
  r.get('/workflows', async (req, res) => {
    const w = scope(new Where(), callerOf(req));
    if (typeof req.query.pack_ref === 'string') w.add('pack_ref = ?', req.query.pack_ref);
    if (typeof req.query.search === 'string') w.add('(ref ILIKE ? OR label ILIKE ?)', `%${req.query.search}%`, `%${req.query.search}%`);
    res.json(await listPage(ctx, req, 'workflow_definition', w, dto.workflowDto));
  });
  r.post('/workflows', async (req, res) => {
    const wf = await createWorkflow(ctx.db, callerOf(req), new Body(req.body));
    res.status(201).json({ data: dto.workflowDto(wf), message: 'Workflow created successfully' });
  });
  r.get('/workflows/:ref', async (req, res) => void res.json({ data: dto.workflowDto(await byRef('workflow_definition', 'Workflow')(req)) }));
  r.put('/workflows/:ref', async (req, res) => {
    const wf = await workflow(req);
    const b = new Body(req.body);
    const definition = b.obj('definition');
    if (definition && (!Array.isArray(definition.tasks) || !definition.tasks.length)) throw invalid('definition.tasks must be a non-empty list');
    const row = await updateRow(ctx, 'workflow_definition', wf.id, {
      label: b.str('label'), description: descriptionPatch(b), version: b.str('version', { max: 50 }), definition,
      param_schema: b.obj('param_schema'), out_schema: b.obj('out_schema'), tags: b.strList('tags'),
    }, ['definition', 'param_schema', 'out_schema']);
    res.json({ data: dto.workflowDto(row), message: 'Workflow updated successfully' });
  });
  r.delete('/workflows/:ref', async (req, res) => {
    const wf = await workflow(req);
    await ctx.db.query('DELETE FROM workflow_definition WHERE id = $1', [wf.id]);
    res.json(deleted('Workflow', wf.ref));
  });
  return r;
}

export const jsonBody = express.json({ limit: '10mb' });
