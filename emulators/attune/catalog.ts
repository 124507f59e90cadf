// Creating catalog entities (packs, actions, triggers, rules, workflows), shared by the REST
// routes and pack registration, plus tenant-scoped lookups.
import type { Caller } from './auth';
import { Database, json, Row } from './db';
import { Body, conflict, invalid, notFound, Where } from './http';
import { TIMER_TRIGGERS, timerSpec } from './sensor';
import { runtimeOf } from './worker';

/** Restrict a query to what the caller may see: own tenant plus system rows (tenant NULL); admins see all. */
export function scope(w: Where, caller: Caller, column = 'tenant'): Where {
  if (!caller.isAdmin) w.add(`(${column} IS NULL OR ${column} = ?)`, caller.tenant);
  return w;
}

/** A row by ref or id that the caller may see, else 404 (never 403: no information leak). */
export async function findVisible(db: Database, table: string, column: 'ref' | 'id', value: string | number, caller: Caller, what: string): Promise<Row> {
  const w = scope(new Where().add(`${column} = ?`, value), caller);
  const row = await db.one(`SELECT * FROM ${table} ${w}`, w.params);
  if (!row) throw notFound(`${what} '${value}'`);
  return row;
}

/** Rows of tenant-scoped system objects (core) may be read but not changed by non-admins. */
export function assertWritable(row: Row, caller: Caller, what: string): void {
  if (row.tenant === null && !caller.isAdmin) throw notFound(`${what} '${row.ref ?? row.id}'`);
}

const REF2 = /^[^.\s]+\.[^.\s]+$/;
function checkRef(ref: string, packRef?: string): void {
  if (!REF2.test(ref) || ref !== ref.toLowerCase()) throw invalid(`ref '${ref}' must be lowercase 'pack.name'`);
  if (packRef && !ref.startsWith(`${packRef}.`)) throw invalid(`ref '${ref}' must start with '${packRef}.'`);
}

async function packFor(db: Database, caller: Caller, packRef: string): Promise<Row> {
  const pack = await findVisible(db, 'pack', 'ref', packRef, caller, 'Pack');
  assertWritable(pack, caller, 'Pack');
  return pack;
}

async function insertUnique(db: Database, table: string, ref: string, sql: string, params: unknown[]): Promise<Row> {
  if (await db.one(`SELECT 1 FROM ${table} WHERE ref = $1`, [ref])) throw conflict(`${table[0].toUpperCase()}${table.slice(1)} with ref '${ref}' already exists`);
  return (await db.one(sql, params))!;
}

export async function createPack(db: Database, caller: Caller, b: Body, packDir: string | null = null): Promise<Row> {
  const ref = b.reqStr('ref');
  if (!/^[a-z][a-z0-9_-]+$/.test(ref)) throw invalid(`ref '${ref}' must match ^[a-z][a-z0-9_-]+$`);
  return insertUnique(db, 'pack', ref,
    `INSERT INTO pack (ref, label, description, version, conf_schema, config, meta, tags, runtime_deps, dependencies, is_standard, installed_by, pack_dir, tenant)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING *`,
    [ref, b.reqStr('label'), b.str('description', { max: 10000 }) ?? null, b.reqStr('version', { max: 50 }), json(b.obj('conf_schema', {})),
      json(b.obj('config', {})), json(b.obj('meta', {})), b.strList('tags') ?? [], b.strList('runtime_deps') ?? [], b.strList('dependencies') ?? [],
      b.bool('is_standard', false), caller.id, packDir, caller.tenant]);
}

export async function createAction(db: Database, caller: Caller, b: Body, workflowDef: number | null = null): Promise<Row> {
  const ref = b.reqStr('ref');
  const pack = await packFor(db, caller, b.reqStr('pack_ref'));
  checkRef(ref, pack.ref);
  // CreateActionRequest (crates/api/src/dto/action.rs): `runtime: Option<i64>`, a string there fails
  // axum's Json extractor (422); a runtime_ref must name an installed runtime or one of its aliases.
  if (b.has('runtime') && !Number.isInteger(b.any('runtime'))) {
    throw invalid(`Failed to deserialize the JSON body into the target type: runtime: invalid type: expected i64`);
  }
  const runtimeRef = b.str('runtime_ref');
  if (runtimeRef !== undefined && runtimeOf(runtimeRef) === null) throw notFound(`Runtime '${runtimeRef}'`);
  const format = (k: string, allowed: string[], dflt: string) => {
    const v = b.str(k) ?? dflt;
    if (!allowed.includes(v)) throw invalid(`${k} must be one of ${allowed.join(', ')}`);
    return v;
  };
  return insertUnique(db, 'action', ref,
    `INSERT INTO action (ref, pack, pack_ref, label, description, entrypoint, runtime_ref, param_schema, out_schema, parameter_format, output_format, workflow_def, is_adhoc, tenant)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14) RETURNING *`,
    [ref, pack.id, pack.ref, b.reqStr('label'), b.str('description', { max: 10000 }) ?? null, b.reqStr('entrypoint', { max: 100000 }),
      runtimeRef ?? null, json(b.obj('param_schema')), json(b.obj('out_schema')),
      format('parameter_format', ['json', 'dotenv', 'yaml'], 'json'), format('output_format', ['text', 'json', 'yaml', 'jsonl'], 'text'),
      workflowDef, b.bool('is_adhoc', !pack.pack_dir), caller.tenant]);
}

export async function createTrigger(db: Database, caller: Caller, b: Body): Promise<Row> {
  const ref = b.reqStr('ref');
  const packRef = b.str('pack_ref');
  const pack = packRef ? await packFor(db, caller, packRef) : null;
  checkRef(ref, pack?.ref);
  return insertUnique(db, 'trigger', ref,
    `INSERT INTO trigger (ref, pack, pack_ref, label, description, enabled, param_schema, out_schema, is_adhoc, tenant)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10) RETURNING *`,
    [ref, pack?.id ?? null, pack?.ref ?? null, b.reqStr('label'), b.str('description', { max: 10000 }) ?? null, b.bool('enabled', true),
      json(b.obj('param_schema')), json(b.obj('out_schema')), !pack?.pack_dir, caller.tenant]);
}

/** Validate the parts of a rule that reference other entities; returns their rows. */
export async function ruleRefs(db: Database, caller: Caller, actionRef: string, triggerRef: string, triggerParams: Row) {
  const action = await findVisible(db, 'action', 'ref', actionRef, caller, 'Action');
  const trigger = await findVisible(db, 'trigger', 'ref', triggerRef, caller, 'Trigger');
  if (TIMER_TRIGGERS.has(trigger.ref)) timerSpec(trigger.ref, triggerParams);
  return { action, trigger };
}

export async function createRule(db: Database, caller: Caller, b: Body): Promise<Row> {
  const ref = b.reqStr('ref');
  const pack = await packFor(db, caller, b.reqStr('pack_ref'));
  checkRef(ref, pack.ref);
  const conditions = b.any('conditions') ?? {};
  if (typeof conditions !== 'object') throw invalid('conditions: expected an object or a list');
  const triggerParams = b.obj('trigger_params', {})!;
  const { action, trigger } = await ruleRefs(db, caller, b.reqStr('action_ref'), b.reqStr('trigger_ref'), triggerParams);
  return insertUnique(db, 'rule', ref,
    `INSERT INTO rule (ref, pack, pack_ref, label, description, action, action_ref, trigger, trigger_ref, conditions, action_params, trigger_params, permission_set_refs, enabled, is_adhoc, owner_identity, tenant, notify_on_trigger)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18) RETURNING *`,
    [ref, pack.id, pack.ref, b.reqStr('label'), b.str('description', { max: 10000 }) ?? null, action.id, action.ref, trigger.id, trigger.ref,
      json(conditions), json(b.obj('action_params', {})), json(triggerParams), b.strList('permission_set_refs') ?? null, b.bool('enabled', true),
      !pack.pack_dir, caller.id, caller.tenant, b.bool('notify_on_trigger', false)]);
}

/** A workflow definition plus its companion action (same ref) so /executions/execute runs it. */
export async function createWorkflow(db: Database, caller: Caller, b: Body): Promise<Row> {
  const ref = b.reqStr('ref');
  const pack = await packFor(db, caller, b.reqStr('pack_ref'));
  checkRef(ref, pack.ref);
  const definition = b.obj('definition');
  if (!definition) throw invalid('definition: field is required');
  if (!Array.isArray(definition.tasks) || definition.tasks.length === 0) throw invalid('definition.tasks must be a non-empty list');
  for (const t of definition.tasks) {
    if (!t || typeof t !== 'object' || typeof t.name !== 'string' || !t.name) throw invalid('every task needs a name');
    if ((t.type ?? 'action') === 'action' && typeof t.action !== 'string') throw invalid(`task '${t.name}' needs an action`);
  }
  if (await db.one('SELECT 1 FROM action WHERE ref = $1', [ref])) throw conflict(`Action with ref '${ref}' already exists`);
  const wf = await insertUnique(db, 'workflow_definition', ref,
    `INSERT INTO workflow_definition (ref, pack, pack_ref, label, description, version, param_schema, out_schema, definition, tags, tenant)
     VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) RETURNING *`,
    [ref, pack.id, pack.ref, b.reqStr('label'), b.str('description', { max: 10000 }) ?? null, b.reqStr('version', { max: 50 }),
      json(b.obj('param_schema')), json(b.obj('out_schema')), json(definition), b.strList('tags') ?? [], caller.tenant]);
  await createAction(db, caller, new Body({ ref, pack_ref: pack.ref, label: wf.label, description: wf.description, entrypoint: ref, param_schema: wf.param_schema, out_schema: wf.out_schema }), wf.id);
  return wf;
}
