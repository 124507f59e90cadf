/**
 * Tier 3 calls of the Attune wire client, in upstream's dialect (reference/attune/REPORT.md):
 * ad-hoc actions, raw rule creation (to see a refusal), execution pages, permission sets and
 * their assignments, audit events. Like AttuneClient they never assert: each answers `{status, body}`
 * (headers too where the rule is in a header).
 */
import { Client as PgClient } from 'pg';
import { ApiReply, AttuneClient, RuleSpec } from './attune';

const enc = encodeURIComponent;

export interface AdhocAction {
  ref: string;
  packRef: string;
  /** Inline shell code (upstream's core.shell ad-hoc actions). */
  shell: string;
  /** StackStorm-style flat parameter schema, as upstream's param_schema. */
  params?: Record<string, { type: string; required?: boolean; secret?: boolean; default?: unknown }>;
}

/** `POST /api/v1/actions`: an action whose entrypoint is inline shell code. */
export function createAdhocAction(client: AttuneClient, a: AdhocAction): Promise<ApiReply> {
  return client.call('post', '/api/v1/actions', {
    ref: a.ref, pack_ref: a.packRef, label: a.ref, entrypoint: a.shell, runtime_ref: 'core.shell', param_schema: a.params ?? {},
  });
}

export function deleteAction(client: AttuneClient, ref: string): Promise<ApiReply> {
  return client.call('delete', `/api/v1/actions/${enc(ref)}`);
}

/**
 * `POST /api/v1/rules` with the answer as it is (a refusal is an answer, not an error).
 * `notifyOnTrigger` is the plan's `notify_on_trigger` (T3.16; not in upstream HEAD, which ignores it).
 */
export function createRuleReply(client: AttuneClient, spec: RuleSpec & { notifyOnTrigger?: boolean }): Promise<ApiReply> {
  return client.call('post', '/api/v1/rules', {
    ref: spec.ref, pack_ref: spec.packRef, label: spec.ref, action_ref: spec.actionRef, trigger_ref: spec.triggerRef,
    trigger_params: spec.triggerParams ?? {}, action_params: spec.actionParams ?? {}, conditions: spec.conditions ?? {}, enabled: true,
    ...(spec.notifyOnTrigger !== undefined ? { notify_on_trigger: spec.notifyOnTrigger } : {}),
  });
}

/** One page of executions: upstream pages executions with `page` + `per_page` (totals on `include_total`). */
export function executionPage(client: AttuneClient, filter: Record<string, string | number>, page: number, perPage: number): Promise<ApiReply> {
  return client.call('get', '/api/v1/executions', undefined, { ...filter, page, per_page: perPage, include_total: true });
}

// ---- identities and permission sets (routes/permissions.rs) ---------------------------------------

/** An identity created by the operator; `attributes.rate_limit` configures its API rate limit (T3.29). */
export function createIdentity(client: AttuneClient, login: string, password: string, attributes: Record<string, unknown> = {}): Promise<ApiReply> {
  return client.call('post', '/api/v1/identities', { login, display_name: login, password, attributes });
}

export function listPermissionSets(client: AttuneClient): Promise<ApiReply> {
  return client.call('get', '/api/v1/permissions/sets');
}

/** Give an identity a permission set directly (`POST /api/v1/permissions/assignments`). */
export function assignPermissionSet(client: AttuneClient, identityId: number, permissionSetRef: string): Promise<ApiReply> {
  return client.call('post', '/api/v1/permissions/assignments', { identity_id: identityId, permission_set_ref: permissionSetRef });
}

export function deleteAssignment(client: AttuneClient, id: number): Promise<ApiReply> {
  return client.call('delete', `/api/v1/permissions/assignments/${id}`);
}

// ---- audit trail (routes/audit.rs: GET /api/v1/audit-events) --------------------------------------

export function auditEvents(client: AttuneClient, filter: Record<string, string | number>): Promise<ApiReply> {
  return client.call('get', '/api/v1/audit-events', undefined, { ...filter, per_page: 100 });
}

export function auditEvent(client: AttuneClient, id: number): Promise<ApiReply> {
  return client.call('get', `/api/v1/audit-events/${id}`);
}

// ---- the database, over its own URL (attune.database_url), as an administrator with psql ---------

/** A `pg` connection to Attune's PostgreSQL; opened on first use, closed with the scenario. */
export class AttuneDatabase {
  private client: PgClient | null = null;

  constructor(private readonly url: string | undefined) {}

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    if (!this.url) throw new Error('no database URL is configured for attune (attune.database_url)');
    if (!this.client) {
      this.client = new PgClient({ connectionString: this.url });
      await this.client.connect();
    }
    return (await this.client.query(sql, params)).rows as T[];
  }

  /**
   * Every text value the database holds: each text/json column of each table in the `attune` schema,
   * and for json columns every string inside them, with where it was found. With `containing`, only
   * the values that contain one of those strings; with `maxLength`, only values up to that length
   * (both filtered in the database, so large logs and results are never transferred needlessly).
   */
  async textValues(containing: string[] = [], maxLength?: number): Promise<{ where: string; value: string }[]> {
    const columns = await this.query<{ table_name: string; column_name: string; data_type: string }>(
      `SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
       WHERE c.table_schema = 'attune' AND c.data_type IN ('text', 'character varying', 'jsonb', 'json', 'ARRAY')`,
    );
    if (!columns.length) throw new Error('no text columns found in the attune schema');
    const conditions = [
      ...(containing.length ? [`(${containing.map((_, i) => `strpos(v, $${i + 1}) > 0`).join(' OR ')})`] : []),
      ...(maxLength !== undefined ? [`length(v) <= ${Math.floor(maxLength)}`] : []),
    ];
    const filter = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const union = columns
      .map((c) => `SELECT '${c.table_name}.${c.column_name}' AS w, '${c.data_type}' AS t, "${c.column_name}"::text AS v FROM attune."${c.table_name}" WHERE "${c.column_name}" IS NOT NULL`)
      .join('\n UNION ALL ');
    const rows = await this.query<{ w: string; t: string; v: string }>(`SELECT w, t, v FROM (${union}) all_text ${filter}`, containing);
    const strings = (v: unknown, into: string[]) => {
      if (typeof v === 'string') into.push(v);
      else if (v && typeof v === 'object') for (const x of Object.values(v)) strings(x, into);
    };
    const out = new Map<string, { where: string; value: string }>();
    for (const r of rows) {
      const found = [r.v];
      if (r.t === 'jsonb' || r.t === 'json') strings(JSON.parse(r.v), found);
      for (const value of found) out.set(`${r.w}\0${value}`, { where: r.w, value });
    }
    return [...out.values()];
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end();
  }
}
