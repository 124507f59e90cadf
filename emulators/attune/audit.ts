// The execution audit trail (the plan's T3.28). Upstream HEAD has an `audit_event` table and
// `GET /api/v1/audit-events[/{id}|/by-request/{request_id}]` (routes/audit.rs, dto/audit.rs
// AuditEventResponse), written by its `audit_request` middleware for API requests; it records no
// executor or worker lifecycle entries. The emulator keeps upstream's table, fields and routes and
// writes what the plan asks for: one entry per step of an execution's life, each by the component
// that took it (the API for the user's request, the executor for scheduling, the worker for start
// and finish). Entries are append-only: no route changes them and a trigger in the database refuses
// UPDATE and DELETE, so not even a database client can rewrite the trail.
import * as os from 'node:os';
import { Router } from 'express';
import { callerOf } from './auth';
import { scope } from './catalog';
import type { Database, Row } from './db';
import { json } from './db';
import { ApiError, badRequest, idParam, notFound, paginated, pageParams, Where } from './http';

export const AUDIT_DDL = `
CREATE TABLE IF NOT EXISTS attune.audit_event (
  id BIGSERIAL PRIMARY KEY,
  created TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  category TEXT NOT NULL,
  event_type TEXT NOT NULL,
  outcome TEXT NOT NULL,
  actor_identity BIGINT,
  actor_login TEXT,
  actor_token_type TEXT,
  request_id UUID,
  resource_type TEXT,
  resource_id BIGINT,
  resource_ref TEXT,
  details JSONB,
  tenant TEXT
);
CREATE INDEX IF NOT EXISTS audit_event_resource_idx ON attune.audit_event(resource_type, resource_id);
CREATE OR REPLACE FUNCTION attune.audit_event_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'audit_event is append-only: % refused', TG_OP; END $$;
DROP TRIGGER IF EXISTS audit_event_immutable ON attune.audit_event;
CREATE TRIGGER audit_event_immutable BEFORE UPDATE OR DELETE ON attune.audit_event
  FOR EACH ROW EXECUTE FUNCTION attune.audit_event_immutable();`;

/** Who took a step: a user (identity), or one of the platform's services. */
export interface Actor {
  identity?: number | null;
  login: string;
  tokenType: 'access' | 'execution' | 'service';
}

/** The executor and the worker of this process, as they name themselves in the trail. */
export const EXECUTOR: Actor = { login: `executor@${os.hostname()}`, tokenType: 'service' };
export const WORKER: Actor = { login: `worker@${os.hostname()}:${process.pid}`, tokenType: 'service' };

/** Execution status -> the lifecycle step it records (and which component takes it). */
const STEP: Record<string, [string, Actor]> = {
  scheduled: ['execution.scheduled', EXECUTOR],
  running: ['execution.started', WORKER],
  completed: ['execution.completed', WORKER],
  failed: ['execution.failed', WORKER],
  timeout: ['execution.timed_out', WORKER],
  cancelled: ['execution.cancelled', WORKER],
};

const SUMMARY = ['id', 'created', 'category', 'event_type', 'outcome', 'actor_identity', 'actor_login', 'resource_type', 'resource_ref', 'request_id'];

export class Audit {
  constructor(private readonly db: Database) {}

  async init(): Promise<void> {
    await this.db.exec(AUDIT_DDL);
  }

  async record(e: { eventType: string; outcome: string; actor: Actor; exec: Row; details?: Record<string, unknown> }): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_event (category, event_type, outcome, actor_identity, actor_login, actor_token_type, resource_type, resource_id, resource_ref, details, tenant)
       VALUES ('execution', $1, $2, $3, $4, $5, 'execution', $6, $7, $8, $9)`,
      [e.eventType, e.outcome, e.actor.identity ?? null, e.actor.login, e.actor.tokenType, e.exec.id, e.exec.action_ref, json(e.details ?? {}), e.exec.tenant],
    );
  }

  /** An execution was requested by `executor` (an identity; its login read in the same statement) or, without one, by the executor. */
  async created(exec: Row): Promise<void> {
    await this.db.query(
      `INSERT INTO audit_event (category, event_type, outcome, actor_identity, actor_login, actor_token_type, resource_type, resource_id, resource_ref, details, tenant)
       SELECT 'execution', 'execution.created', 'success', i.id, COALESCE(i.login, $2), CASE WHEN i.id IS NULL THEN 'service' WHEN $3::boolean THEN 'execution' ELSE 'access' END,
              'execution', $4, $5, $6, $7
       FROM (SELECT 1) one LEFT JOIN identity i ON i.id = $1`,
      [exec.executor ?? null, EXECUTOR.login, exec.parent != null, exec.id, exec.action_ref, json({ status: exec.status, enforcement: exec.enforcement, parent: exec.parent }), exec.tenant],
    );
  }

  /** A status change: the step it stands for, by the component that made it. */
  async transition(exec: Row, from: string): Promise<void> {
    const step = STEP[exec.status];
    if (!step) return;
    // A failure before scheduling (parameter validation) is the executor's decision, not a worker's.
    const actor = exec.status === 'failed' && from === 'requested' ? EXECUTOR : step[1];
    const outcome = exec.status === 'completed' || exec.status === 'scheduled' || exec.status === 'running' ? 'success' : 'failure';
    await this.record({ eventType: step[0], outcome, actor, exec, details: { old_status: from, status: exec.status } });
  }

  /** GET /audit-events (+ /{id}); nothing changes an entry (405 for every other verb). */
  routes(): Router {
    const r = Router();
    const immutable = () => {
      throw new ApiError(405, 'METHOD_NOT_ALLOWED', 'Audit events are immutable');
    };
    r.get('/audit-events', async (req, res) => {
      const w = scope(new Where(), callerOf(req));
      for (const k of ['category', 'event_type', 'outcome', 'actor_login', 'resource_type', 'resource_ref'] as const) {
        const v = req.query[k];
        if (v !== undefined) w.add(`${k} = ?`, String(v));
      }
      for (const k of ['actor_identity', 'resource_id'] as const) {
        const v = req.query[k];
        if (v === undefined) continue;
        if (!/^\d{1,15}$/.test(String(v))) throw badRequest(`Failed to deserialize query string: ${k}: invalid digit found in string`);
        w.add(`${k} = ?`, Number(v));
      }
      const { page, size } = pageParams(req.query, 'per_page', 50);
      const { rows, total } = await this.db.page('*', `FROM audit_event ${w}`, w.params, `ORDER BY id LIMIT ${size} OFFSET ${(page - 1) * size}`, (page - 1) * size);
      res.json(paginated(rows.map((row) => Object.fromEntries(SUMMARY.map((k) => [k, row[k] ?? null]))), page, size, total));
    });
    r.get('/audit-events/:id', async (req, res) => {
      const w = scope(new Where().add('id = ?', idParam(req.params.id, 'Audit event')), callerOf(req));
      const row = await this.db.one(`SELECT * FROM audit_event ${w}`, w.params);
      if (!row) throw notFound(`Audit event '${req.params.id}'`);
      const { tenant: _tenant, ...rest } = row;
      res.json({ data: { ...rest, actor_ip: null, actor_user_agent: null, http_method: null, http_path: null, http_status: null, duration_ms: null, correlation_chain: null } });
    });
    r.post('/audit-events', immutable);
    r.put('/audit-events/:id', immutable);
    r.patch('/audit-events/:id', immutable);
    r.delete('/audit-events/:id', immutable);
    return r;
  }
}
