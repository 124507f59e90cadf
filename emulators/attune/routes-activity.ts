// Runtime routes: webhook receiver, events, enforcements, executions, keys and inquiries.
// Numeric ids in paths for events/enforcements/executions/inquiries, refs for keys.
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import express, { Request, Router } from 'express';
import { callerOf } from './auth';
import { findVisible, scope } from './catalog';
import type { Ctx } from './context';
import { json, Row } from './db';
import * as dto from './dto';
import { EXEC_COLUMNS, EXEC_FROM, EXEC_SELECT, TERMINAL } from './engine';
import { ApiError, Body, badRequest, conflict, deleted, forbidden, idParam, invalid, notFound, paginated, pageParams, qEnum, qU32, Where } from './http';
import { logPath } from './worker';
import { placementOf } from './workers';
import { listPage, updateRow } from './routes-catalog';

const STATUSES = ['requested', 'scheduling', 'scheduled', 'running', 'completed', 'succeeded_with_errors', 'failed', 'canceling', 'cancelled', 'timeout', 'abandoned'];
const INQUIRY_STATUSES = ['pending', 'responded', 'timeout', 'cancelled'];
// attune_common::models::enums::EnforcementStatus (snake_case).
const ENFORCEMENT_STATUSES = ['created', 'processed', 'disabled'];
const q = (req: Request, k: string): string | undefined => (typeof req.query[k] === 'string' ? (req.query[k] as string) : undefined);
const qId = (req: Request, k: string): number | undefined => {
  const v = q(req, k);
  if (v === undefined) return undefined;
  if (!/^\d{1,15}$/.test(v)) throw badRequest(`${k} must be an integer`);
  return Number(v);
};

/** The webhook receiver: no auth; `{"payload": ...}` body; per-trigger webhook_config checks. */
export function webhookRoutes(ctx: Ctx): Router {
  const r = Router();
  const hits = new Map<number, number[]>(); // trigger id -> request times, for rate_limit
  r.post('/webhooks/:key', express.raw({ type: () => true, limit: '10mb' }), async (req, res) => {
    const trigger = await ctx.db.one('SELECT * FROM trigger WHERE webhook_key = $1 AND webhook_enabled', [req.params.key]);
    if (!trigger) throw notFound('Invalid webhook key');
    const raw: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const cfg = (trigger.webhook_config ?? {}) as Row;
    if (Number.isFinite(cfg.payload_size_limit_kb) && raw.length > cfg.payload_size_limit_kb * 1024) {
      throw badRequest(`Payload too large: ${raw.length} bytes exceeds ${cfg.payload_size_limit_kb} KB`);
    }
    if (cfg.rate_limit?.enabled) {
      const now = Date.now();
      const windowMs = (cfg.rate_limit.window_seconds ?? 60) * 1000;
      const recent = (hits.get(trigger.id) ?? []).filter((t) => now - t < windowMs);
      if (recent.length >= (cfg.rate_limit.requests ?? 100)) {
        throw new ApiError(429, 'TOO_MANY_REQUESTS', `Rate limit exceeded. Maximum ${cfg.rate_limit.requests} requests per ${cfg.rate_limit.window_seconds} seconds`);
      }
      hits.set(trigger.id, [...recent, now]);
    }
    let hmacVerified: boolean | undefined;
    if (cfg.hmac?.enabled) {
      const algorithm = ['sha256', 'sha512', 'sha1'].includes(cfg.hmac.algorithm) ? cfg.hmac.algorithm : 'sha256';
      const given = String(req.headers['x-webhook-signature'] ?? req.headers['x-hub-signature-256'] ?? '');
      const expected = `${algorithm}=${createHmac(algorithm, String(cfg.hmac.secret ?? '')).update(raw).digest('hex')}`;
      if (given.length !== expected.length || !timingSafeEqual(Buffer.from(given), Buffer.from(expected))) {
        throw new ApiError(401, 'UNAUTHORIZED', 'Invalid or missing webhook signature');
      }
      hmacVerified = true;
    }
    let body: any;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (e: any) {
      throw badRequest(`Invalid JSON payload: ${e.message}`);
    }
    if (!body || typeof body !== 'object' || Array.isArray(body) || !('payload' in body)) throw badRequest('Invalid JSON payload: missing field `payload`');
    const receivedAt = new Date().toISOString();
    const event = await ctx.engine.createEvent({
      trigger,
      payload: body.payload,
      sourceRef: 'webhook',
      config: {
        source: 'webhook', webhook_key: trigger.webhook_key, received_at: receivedAt,
        ...(typeof body.source_ip === 'string' ? { source_ip: body.source_ip } : {}),
        ...(typeof body.user_agent === 'string' ? { user_agent: body.user_agent } : {}),
        ...(hmacVerified ? { hmac_verified: true } : {}),
      },
    });
    res.json({ data: { event_id: event.id, trigger_ref: trigger.ref, received_at: receivedAt, message: 'Webhook received successfully' } });
  });
  return r;
}

export function activityRoutes(ctx: Ctx): Router {
  const r = Router();

  // ------------------------------------------------------------------ events
  r.get('/events', async (req, res) => {
    const w = scope(new Where(), callerOf(req));
    const trigger = qId(req, 'trigger');
    if (trigger !== undefined) w.add('trigger = ?', trigger);
    for (const k of ['trigger_ref', 'rule_ref', 'source_ref'] as const) if (q(req, k) !== undefined) w.add(`${k} = ?`, q(req, k));
    if (q(req, 'source') !== undefined) w.add('source_ref = ?', q(req, 'source'));
    res.json(await listPage(ctx, req, 'event', w, dto.eventSummary, 'id DESC', 'per_page', 50));
  });
  r.get('/events/:id', async (req, res) => void res.json({ data: dto.eventDto(await findVisible(ctx.db, 'event', 'id', idParam(req.params.id, 'Event'), callerOf(req), 'Event')) }));
  r.post('/events', async (req, res) => {
    const b = new Body(req.body);
    const trigger = await findVisible(ctx.db, 'trigger', 'ref', b.reqStr('trigger_ref'), callerOf(req), 'Trigger');
    const event = await ctx.engine.createEvent({ trigger, payload: b.any('payload') ?? null, config: b.any('config') ?? null, sourceRef: b.str('source_ref') ?? 'api' });
    res.status(201).json({ data: dto.eventDto(event) });
  });

  // ------------------------------------------------------------------ enforcements
  r.get('/enforcements', async (req, res) => {
    const w = scope(new Where(), callerOf(req));
    for (const k of ['rule', 'event'] as const) if (qId(req, k) !== undefined) w.add(`${k} = ?`, qId(req, k));
    for (const k of ['trigger_ref', 'rule_ref'] as const) if (q(req, k) !== undefined) w.add(`${k}::text = ?`, q(req, k));
    const status = qEnum(req.query, 'status', ENFORCEMENT_STATUSES);
    if (status !== undefined) w.add('status::text = ?', status);
    res.json(await listPage(ctx, req, 'enforcement', w, dto.enforcementSummary, 'id DESC', 'per_page', 50));
  });
  r.get('/enforcements/:id', async (req, res) => void res.json({ data: dto.enforcementDto(await findVisible(ctx.db, 'enforcement', 'id', idParam(req.params.id, 'Enforcement'), callerOf(req), 'Enforcement')) }));
  r.get('/enforcements/:id/executions', async (req, res) => {
    const enf = await findVisible(ctx.db, 'enforcement', 'id', idParam(req.params.id, 'Enforcement'), callerOf(req), 'Enforcement');
    res.json(await listExecutions(ctx, req, new Where().add('e.enforcement = ?', enf.id)));
  });

  // ------------------------------------------------------------------ executions
  r.post('/executions/execute', async (req, res) => {
    const caller = callerOf(req);
    const b = new Body(req.body);
    const action = await findVisible(ctx.db, 'action', 'ref', b.reqStr('action_ref'), caller, 'Action');
    const envVars = b.obj('env_vars');
    if (envVars && Object.values(envVars).some((v) => typeof v !== 'string')) throw invalid('env_vars: values must be strings');
    const placement = placementOf(req.body?.worker_selector, req.body?.worker_tolerations); // 422 when malformed
    const exec = await ctx.engine.createExecution({
      placement: { worker_selector: Object.keys(placement.selector).length ? placement.selector : undefined, worker_tolerations: placement.tolerations.length ? placement.tolerations : undefined },
      action, config: b.obj('parameters', {})!, envVars: envVars as Record<string, string> | undefined,
      executor: caller.id, tenant: caller.tenant,
      parent: caller.tokenType === 'execution' ? caller.executionId ?? null : null,
    });
    res.status(201).json({ data: dto.executionDto(exec) });
  });
  r.get('/executions', async (req, res) => {
    const w = new Where();
    const status = qEnum(req.query, 'status', STATUSES);
    if (status !== undefined) w.add('e.status::text = ?', status);
    for (const k of ['action_ref'] as const) if (q(req, k) !== undefined) w.add(`e.${k} = ?`, q(req, k));
    for (const k of ['rule_ref', 'trigger_ref'] as const) if (q(req, k) !== undefined) w.add(`enf.${k} = ?`, q(req, k));
    if (q(req, 'pack_name') !== undefined) w.add(`e.action_ref LIKE ?`, `${q(req, 'pack_name')}.%`);
    for (const k of ['executor', 'enforcement', 'parent'] as const) if (qId(req, k) !== undefined) w.add(`e.${k} = ?`, qId(req, k));
    if (qId(req, 'rule') !== undefined) w.add('enf.rule = ?', qId(req, 'rule'));
    if (q(req, 'top_level_only') === 'true') w.add('e.parent IS NULL');
    if (q(req, 'result_contains') !== undefined) w.add('e.result::text ILIKE ?', `%${q(req, 'result_contains')}%`);
    res.json(await listExecutions(ctx, req, w));
  });
  r.get('/executions/status/:status', async (req, res) => {
    if (!STATUSES.includes(req.params.status)) throw badRequest(`Invalid execution status '${req.params.status}'`);
    res.json(await listExecutions(ctx, req, new Where().add('e.status::text = ?', req.params.status)));
  });
  const execution = async (req: Request) => {
    const caller = callerOf(req);
    const w = scope(new Where().add('e.id = ?', idParam(req.params.id as string, 'Execution')), caller, 'e.tenant');
    const row = await ctx.db.one(`${EXEC_SELECT} ${w}`, w.params);
    if (!row) throw notFound(`Execution '${req.params.id}'`);
    return row;
  };
  r.get('/executions/:id', async (req, res) => void res.json({ data: dto.executionDto(await execution(req)) }));
  // Upstream routes/executions.rs stream_execution_log: SSE over the worker's log file, `content`
  // events (id = byte offset) for what is there, `append` for what follows, `done` once terminal.
  r.get('/executions/:id/logs/:stream/stream', async (req, res) => {
    const exec = await execution(req);
    const stream = req.params.stream;
    if (stream !== 'stdout' && stream !== 'stderr') throw badRequest(`Invalid log stream '${stream}': expected stdout or stderr`);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let offset = Number(qU32(req.query, 'offset', 0));
    let kind = 'content';
    let closed = false;
    let lastLook = false; // the file is complete before the status turns terminal: read it once more
    req.on('close', () => (closed = true));
    const file = logPath(exec.id, stream);
    while (!closed) {
      const text = fs.existsSync(file) ? fs.readFileSync(file).subarray(offset) : Buffer.alloc(0);
      if (text.length) {
        offset += text.length;
        res.write(`id: ${offset}\nevent: ${kind}\n${text.toString('utf8').split('\n').map((l) => `data: ${l}`).join('\n')}\n\n`);
        continue;
      }
      kind = 'append';
      const now = await ctx.db.one('SELECT status::text AS status FROM execution WHERE id = $1', [exec.id]);
      if (!now || TERMINAL.has(now.status)) {
        if (!lastLook) {
          lastLook = true;
          continue;
        }
        res.write('event: done\ndata: Execution complete\n\n');
        break;
      }
      res.write('event: waiting\ndata: Waiting for log output\n\n');
      await new Promise((r) => setTimeout(r, 250));
    }
    res.end();
  });
  r.post('/executions/:id/cancel', async (req, res) => {
    const exec = await execution(req);
    if (TERMINAL.has(exec.status) || exec.status === 'canceling') {
      throw conflict(`Execution ${exec.id} is in status '${exec.status}' and cannot be cancelled`);
    }
    const row = (await ctx.engine.cancel(exec)) ?? (await ctx.engine.load(exec.id));
    res.json({ data: dto.executionDto(row) });
  });
  r.get('/executions/:id/inquiries', async (req, res) => {
    const exec = await execution(req);
    res.json(await listInquiries(ctx, req, new Where().add('execution = ?', exec.id)));
  });

  // ------------------------------------------------------------------ keys
  r.get('/keys', async (req, res) => {
    const w = scope(new Where().add('(expires_at IS NULL OR expires_at > now())'), callerOf(req));
    if (q(req, 'owner_type') !== undefined) w.add('owner_type::text = ?', q(req, 'owner_type'));
    if (q(req, 'owner') !== undefined) w.add('owner = ?', q(req, 'owner'));
    res.json(await listPage(ctx, req, 'key', w, dto.keySummary, 'ref', 'per_page', 50));
  });
  r.post('/keys', async (req, res) => {
    const caller = callerOf(req);
    const b = new Body(req.body);
    const ref = b.reqStr('ref');
    if (!/^[^.\s]+(\.[^.\s]+)*$/.test(ref) || ref !== ref.toLowerCase()) throw invalid(`ref '${ref}' must be lowercase dot-separated`);
    const ownerType = b.str('owner_type') ?? 'system';
    if (!['system', 'identity', 'pack', 'action', 'sensor'].includes(ownerType)) throw invalid('owner_type must be system, identity, pack, action or sensor');
    if (!('value' in b.raw)) throw invalid('value: field is required');
    const encrypted = b.bool('encrypted', false);
    const value = b.any('value');
    const ttl = b.int('ttl');
    if (ttl !== undefined && ttl <= 0) throw invalid('ttl must be a positive number of seconds');
    await ctx.db.query('DELETE FROM key WHERE ref = $1 AND expires_at <= now()', [ref]);
    if (await ctx.db.one('SELECT 1 FROM key WHERE ref = $1', [ref])) throw conflict(`Key with ref '${ref}' already exists`);
    const ownerRef = async (table: string, id: number | undefined, ref: string | undefined) =>
      id !== undefined ? findVisible(ctx.db, table, 'id', id, caller, table) : ref !== undefined ? findVisible(ctx.db, table, 'ref', ref, caller, table) : undefined;
    const ownerPack = await ownerRef('pack', b.int('owner_pack'), b.str('owner_pack_ref'));
    const ownerAction = await ownerRef('action', b.int('owner_action'), b.str('owner_action_ref'));
    const row = await ctx.db.one(
      `INSERT INTO key (ref, owner_type, owner, owner_identity, owner_pack, owner_pack_ref, owner_action, owner_action_ref, owner_sensor, owner_sensor_ref, name, encrypted, encryption_key_hash, value, tenant, expires_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15, now() + make_interval(secs => $16::int)) RETURNING *`,
      [ref, ownerType, b.str('owner') ?? null, b.int('owner_identity') ?? (ownerType === 'identity' ? caller.id : null), ownerPack?.id ?? null,
        ownerPack?.ref ?? null, ownerAction?.id ?? null, ownerAction?.ref ?? null, b.int('owner_sensor') ?? null,
        b.str('owner_sensor_ref') ?? null, b.str('name') ?? ref, encrypted, encrypted ? ctx.crypto.keyHash : null,
        json(encrypted ? ctx.crypto.encrypt(value) : value ?? null), caller.tenant, ttl ?? null],
    );
    res.status(201).json({ data: dto.keyDto(row!, value ?? null) });
  });
  const key = async (req: Request) => {
    const row = await findVisible(ctx.db, 'key', 'ref', req.params.ref as string, callerOf(req), 'Key');
    if (row.expires_at && new Date(row.expires_at).getTime() <= Date.now()) throw notFound(`Key '${row.ref}'`);
    return row;
  };
  r.get('/keys/:ref', async (req, res) => {
    const row = await key(req);
    res.json({ data: dto.keyDto(row, ctx.crypto.valueOf(row)) });
  });
  r.put('/keys/:ref', async (req, res) => {
    const row = await key(req);
    const b = new Body(req.body);
    const encrypted = b.bool('encrypted', row.encrypted);
    const value = 'value' in b.raw ? b.any('value') : ctx.crypto.valueOf(row);
    const updated = await updateRow(ctx, 'key', row.id, {
      name: b.str('name'), encrypted, encryption_key_hash: encrypted ? ctx.crypto.keyHash : null,
      value: encrypted ? ctx.crypto.encrypt(value) : value ?? null,
    }, ['value']);
    res.json({ data: dto.keyDto(updated, value ?? null) });
  });
  r.delete('/keys/:ref', async (req, res) => {
    const row = await key(req);
    await ctx.db.query('DELETE FROM key WHERE id = $1', [row.id]);
    res.json(deleted('Key', row.ref));
  });

  // ------------------------------------------------------------------ inquiries
  r.get('/inquiries', async (req, res) => {
    const w = new Where();
    const status = qEnum(req.query, 'status', INQUIRY_STATUSES);
    if (status !== undefined) w.add('status::text = ?', status);
    for (const k of ['execution', 'assigned_to'] as const) if (qId(req, k) !== undefined) w.add(`${k} = ?`, qId(req, k));
    res.json(await listInquiries(ctx, req, w));
  });
  r.get('/inquiries/status/:status', async (req, res) => {
    if (!INQUIRY_STATUSES.includes(req.params.status)) throw badRequest(`Invalid inquiry status '${req.params.status}'`);
    res.json(await listInquiries(ctx, req, new Where().add('status::text = ?', req.params.status)));
  });
  r.post('/inquiries', async (req, res) => {
    const caller = callerOf(req);
    const b = new Body(req.body);
    const execId = b.int('execution');
    if (execId === undefined) throw invalid('execution: field is required');
    const exec = await findVisible(ctx.db, 'execution', 'id', execId, caller, 'Execution');
    const timeoutAt = b.str('timeout_at');
    if (timeoutAt !== undefined && Number.isNaN(Date.parse(timeoutAt))) throw invalid('timeout_at must be an ISO 8601 date-time');
    const row = (await ctx.db.one(
      `INSERT INTO inquiry (execution, prompt, response_schema, assigned_to, timeout_at, tenant) VALUES ($1,$2,$3,$4,$5,$6) RETURNING *`,
      [exec.id, b.reqStr('prompt', { max: 10000 }), json(b.obj('response_schema')), b.int('assigned_to') ?? null, timeoutAt ?? null, exec.tenant],
    ))!;
    ctx.engine.publishInquiry(row, 'inquiry_created');
    res.status(201).json({ data: dto.inquiryDto(row) });
  });
  const inquiry = (req: Request) => findVisible(ctx.db, 'inquiry', 'id', idParam(req.params.id as string, 'Inquiry'), callerOf(req), 'Inquiry');
  r.get('/inquiries/:id', async (req, res) => void res.json({ data: dto.inquiryDto(await inquiry(req)) }));
  r.put('/inquiries/:id', async (req, res) => {
    const row = await inquiry(req);
    const b = new Body(req.body);
    const status = b.str('status');
    if (status !== undefined && !INQUIRY_STATUSES.includes(status)) throw invalid('status must be pending, responded, timeout or cancelled');
    const updated = await updateRow(ctx, 'inquiry', row.id, { status, response: b.obj('response'), assigned_to: b.int('assigned_to') }, ['response']);
    if (updated.status !== 'pending') ctx.engine.inquiryResolved(updated);
    res.json({ data: dto.inquiryDto(updated) });
  });
  r.delete('/inquiries/:id', async (req, res) => {
    const row = await inquiry(req);
    await ctx.db.query('DELETE FROM inquiry WHERE id = $1', [row.id]);
    ctx.engine.inquiryResolved({ ...row, status: 'cancelled' });
    res.json(deleted('Inquiry', row.id));
  });
  r.post('/inquiries/:id/respond', async (req, res) => {
    const caller = callerOf(req);
    const row = await inquiry(req);
    const response = new Body(req.body).obj('response');
    if (!response) throw invalid('response: expected an object');
    if (row.status !== 'pending') throw badRequest(`Inquiry is not pending (status '${row.status}')`);
    if (row.timeout_at && new Date(row.timeout_at).getTime() <= Date.now()) throw badRequest('Inquiry has timed out and can no longer be responded to');
    if (row.assigned_to !== null && row.assigned_to !== caller.id) throw forbidden('Inquiry is assigned to another identity');
    if (caller.executionId !== undefined && (await isSelfOrDescendant(ctx, caller.executionId, row.execution))) {
      throw forbidden('An execution (or its descendant) cannot respond to its own inquiry: privilege loop');
    }
    const updated = (await ctx.db.one(
      `UPDATE inquiry SET status = 'responded', response = $2, responded_at = now(), updated = now() WHERE id = $1 AND status = 'pending' RETURNING *`,
      [row.id, json(response)],
    ))!;
    ctx.engine.publishInquiry(updated, 'inquiry_responded');
    ctx.engine.inquiryResolved(updated);
    res.json({ data: dto.inquiryDto(updated), message: 'Response submitted successfully' });
  });
  return r;
}

async function listExecutions(ctx: Ctx, req: Request, w: Where) {
  scope(w, callerOf(req), 'e.tenant');
  const { page, size } = pageParams(req.query, 'per_page', 20);
  const { rows, total } = await ctx.db.page(EXEC_COLUMNS, `${EXEC_FROM} ${w}`, w.params, `ORDER BY e.id DESC LIMIT ${size} OFFSET ${(page - 1) * size}`, (page - 1) * size);
  return paginated(rows.map(dto.executionSummary), page, size, total);
}

/** Inquiries page with offset/limit (default 50, max 500), as upstream. */
async function listInquiries(ctx: Ctx, req: Request, w: Where) {
  scope(w, callerOf(req));
  const limit = Math.min(Math.max(Number(q(req, 'limit') ?? 50) || 50, 1), 500);
  const offset = Math.max(Number(q(req, 'offset') ?? 0) || 0, 0);
  const { rows, total } = await ctx.db.page('*', `FROM inquiry ${w}`, w.params, `ORDER BY id DESC LIMIT ${limit} OFFSET ${offset}`, offset);
  return paginated(rows.map(dto.inquirySummary), Math.floor(offset / limit) + 1, limit, total);
}

async function isSelfOrDescendant(ctx: Ctx, execId: number, ancestor: number): Promise<boolean> {
  for (let id: number | null = execId, depth = 0; id !== null && depth < 100; depth++) {
    if (id === ancestor) return true;
    id = ((await ctx.db.one('SELECT parent FROM execution WHERE id = $1', [id]))?.parent ?? null) as number | null;
  }
  return false;
}

/** The plan's key TTL (upstream keys never expire): keys past their `expires_at` are removed. */
export async function expireKeys(ctx: Ctx): Promise<void> {
  await ctx.db.query('DELETE FROM key WHERE expires_at <= now()');
}

/** Upstream's inquiry_timeout task: every second, expired pending inquiries become `timeout`. */
export async function expireInquiries(ctx: Ctx): Promise<void> {
  const rows = await ctx.db.query(`UPDATE inquiry SET status = 'timeout', updated = now() WHERE status = 'pending' AND timeout_at IS NOT NULL AND timeout_at <= now() RETURNING *`);
  for (const row of rows) {
    ctx.engine.publishInquiry(row, 'inquiry_timeout');
    ctx.engine.inquiryResolved(row);
  }
}
