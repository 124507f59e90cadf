// Upstream routes a client generated from Attune's OpenAPI spec reads besides the core flows:
// runtimes (routes/runtimes.rs, dto/runtime.rs), an execution's history (routes/history.rs,
// dto/history.rs, written by the record_execution_history() trigger of
// migrations/20250101000009_timescaledb_history.sql) and the OpenAPI document itself
// (/api-spec/openapi.json, utoipa). The runtime table holds the runtimes the worker really has
// (worker.ts). Sensors are sensors.ts.
import { Request, Router } from 'express';
import { callerOf } from './auth';
import { findVisible } from './catalog';
import type { Database, Row } from './db';
import { badRequest, idParam, notFound, paginated, pageParams, Where } from './http';

export const DIALECT_DDL = `
CREATE TABLE IF NOT EXISTS attune.runtime (
  id BIGSERIAL PRIMARY KEY,
  ref TEXT NOT NULL UNIQUE,
  pack BIGINT REFERENCES attune.pack(id) ON DELETE CASCADE,
  pack_ref TEXT,
  description TEXT,
  name TEXT NOT NULL,
  distributions JSONB NOT NULL DEFAULT '{}',
  installation JSONB,
  execution_config JSONB NOT NULL DEFAULT '{}',
  created TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated TIMESTAMPTZ NOT NULL DEFAULT now()
);
INSERT INTO attune.runtime (ref, pack, pack_ref, description, name, distributions, execution_config) VALUES
  ('core.shell', 1, 'core', 'Shell (bash) scripts and inline commands', 'Shell', '{"linux":{"binary":"bash"}}', '{"interpreter":{"binary":"bash","args":["--norc","--noprofile"]}}'),
  ('core.python', 1, 'core', 'Python 3 scripts, with a virtualenv per pack', 'Python', '{"linux":{"binary":"python3"}}', '{"interpreter":{"binary":"python3"},"environment":{"type":"virtualenv"}}'),
  ('core.nodejs', 1, 'core', 'Node.js scripts, with node_modules per pack', 'Node.js', '{"linux":{"binary":"node"}}', '{"interpreter":{"binary":"node"},"environment":{"type":"node_modules"}}'),
  ('core.native', 1, 'core', 'Built-in actions the executor runs itself (core.ask)', 'Native', '{}', '{}')
ON CONFLICT (ref) DO NOTHING;

CREATE TABLE IF NOT EXISTS attune.execution_history (
  time TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
  operation TEXT NOT NULL,
  entity_id BIGINT NOT NULL,
  entity_ref TEXT,
  changed_fields TEXT[] NOT NULL DEFAULT '{}',
  old_values JSONB,
  new_values JSONB
);
CREATE INDEX IF NOT EXISTS execution_history_entity ON attune.execution_history (entity_id, time DESC);
CREATE OR REPLACE FUNCTION attune.record_execution_history() RETURNS TRIGGER LANGUAGE plpgsql AS $$
DECLARE changed TEXT[] := '{}'; old_vals JSONB := '{}'; new_vals JSONB := '{}';
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO attune.execution_history (operation, entity_id, entity_ref, new_values) VALUES ('INSERT', NEW.id, NEW.action_ref,
      jsonb_build_object('status', NEW.status, 'action_ref', NEW.action_ref, 'executor', NEW.executor, 'worker', NEW.worker,
                         'parent', NEW.parent, 'enforcement', NEW.enforcement, 'started_at', NEW.started_at));
    RETURN NEW;
  END IF;
  IF OLD.status IS DISTINCT FROM NEW.status THEN
    changed := array_append(changed, 'status'); old_vals := old_vals || jsonb_build_object('status', OLD.status); new_vals := new_vals || jsonb_build_object('status', NEW.status);
  END IF;
  IF OLD.result IS DISTINCT FROM NEW.result THEN
    changed := array_append(changed, 'result');
    old_vals := old_vals || jsonb_build_object('result', CASE WHEN OLD.result IS NULL THEN NULL ELSE jsonb_build_object('digest', 'md5:' || md5(OLD.result::text), 'size', octet_length(OLD.result::text), 'type', jsonb_typeof(OLD.result)) END);
    new_vals := new_vals || jsonb_build_object('result', CASE WHEN NEW.result IS NULL THEN NULL ELSE jsonb_build_object('digest', 'md5:' || md5(NEW.result::text), 'size', octet_length(NEW.result::text), 'type', jsonb_typeof(NEW.result)) END);
  END IF;
  IF OLD.started_at IS DISTINCT FROM NEW.started_at THEN
    changed := array_append(changed, 'started_at'); old_vals := old_vals || jsonb_build_object('started_at', OLD.started_at); new_vals := new_vals || jsonb_build_object('started_at', NEW.started_at);
  END IF;
  IF array_length(changed, 1) > 0 THEN
    INSERT INTO attune.execution_history (operation, entity_id, entity_ref, changed_fields, old_values, new_values)
      VALUES ('UPDATE', NEW.id, NEW.action_ref, changed, old_vals, new_vals);
  END IF;
  RETURN NEW;
END $$;
DROP TRIGGER IF EXISTS execution_history_trigger ON attune.execution;
CREATE TRIGGER execution_history_trigger AFTER INSERT OR UPDATE ON attune.execution
  FOR EACH ROW EXECUTE FUNCTION attune.record_execution_history();`;

const pick = (r: Row, keys: string[]) => Object.fromEntries(keys.map((k) => [k, r[k] ?? null]));
const runtimeDto = (r: Row) => pick(r, ['id', 'ref', 'pack', 'pack_ref', 'description', 'name', 'distributions', 'installation', 'execution_config', 'created', 'updated']);
const runtimeSummary = (r: Row) => pick(r, ['id', 'ref', 'pack_ref', 'description', 'name', 'created', 'updated']);
const historyDto = (r: Row) => pick(r, ['time', 'operation', 'entity_id', 'entity_ref', 'changed_fields', 'old_values', 'new_values']);

export async function initDialect(db: Database): Promise<void> {
  await db.exec(DIALECT_DDL);
}

/** `{items, pagination}` of `SELECT * FROM table [w] ORDER BY order`, page/page_size as upstream's PaginationParams. */
async function page(db: Database, req: Request, table: string, w: Where, map: (r: Row) => unknown, order: string) {
  const { page: p, size } = pageParams(req.query, 'page_size', 50);
  const { rows, total } = await db.page('*', `FROM ${table} ${w}`, w.params, `ORDER BY ${order} LIMIT ${size} OFFSET ${(p - 1) * size}`, (p - 1) * size);
  return paginated(rows.map(map), p, size, total);
}

export function dialectRoutes(db: Database): Router {
  const r = Router();
  const one = async (table: string, ref: string, what: string) => {
    const row = await db.one(`SELECT * FROM ${table} WHERE ref = $1`, [ref]);
    if (!row) throw notFound(`${what} '${ref}'`);
    return row;
  };
  r.get('/runtimes', async (req, res) => void res.json(await page(db, req, 'runtime', new Where(), runtimeSummary, 'ref')));
  r.get('/runtimes/:ref', async (req, res) => void res.json({ data: runtimeDto(await one('runtime', req.params.ref, 'Runtime')) }));
  r.get('/packs/:ref/runtimes', async (req, res) => {
    const pack = await findVisible(db, 'pack', 'ref', req.params.ref, callerOf(req), 'Pack');
    res.json(await page(db, req, 'runtime', new Where().add('pack = ?', pack.id), runtimeSummary, 'ref'));
  });
  // Newest first, as EntityHistoryRepository::query orders them. The emulator answers only for an
  // execution the caller may see (upstream answers any id to any authenticated caller; see README).
  r.get('/executions/:id/history', async (req, res) => {
    const exec = await findVisible(db, 'execution', 'id', idParam(req.params.id, 'Execution'), callerOf(req), 'Execution');
    res.json(await page(db, req, 'execution_history', new Where().add('entity_id = ?', exec.id), historyDto, 'time DESC'));
  });
  r.get('/history/:entity_type', async (req, res) => {
    if (!['execution', 'worker'].includes(req.params.entity_type)) throw badRequest(`Unknown history entity type '${req.params.entity_type}'; expected execution or worker`);
    if (req.params.entity_type === 'worker' || !callerOf(req).isAdmin) return void res.json(paginated([], 1, 50, 0));
    res.json(await page(db, req, 'execution_history', new Where(), historyDto, 'time DESC'));
  });
  return r;
}

/** Every route the app serves, as an OpenAPI 3.1 document (what utoipa serves upstream at /api-spec/openapi.json). */
export function openApiRoute(app: { router?: { stack: unknown[] } }): Router {
  const r = Router();
  r.get('/api-spec/openapi.json', (_req, res) => {
    const paths: Record<string, Record<string, unknown>> = {};
    const walk = (stack: any[], prefix: string) => {
      for (const layer of stack) {
        if (layer.route) {
          const p = `${prefix}${layer.route.path}`.replace(/:(\w+)/g, '{$1}');
          for (const m of Object.keys(layer.route.methods)) (paths[p] ??= {})[m] = { responses: { 200: { description: 'OK' } } };
        } else if (layer.handle?.stack) {
          walk(layer.handle.stack, `${prefix}${layer.rawPath && layer.rawPath !== '/' ? layer.rawPath : ''}`);
        }
      }
    };
    walk(app.router?.stack ?? [], '');
    res.json({ openapi: '3.1.0', info: { title: 'Attune API', version: '0.1.0' }, paths });
  });
  return r;
}
