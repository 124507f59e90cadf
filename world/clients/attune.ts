/**
 * Wire client for Attune, speaking the HEAD upstream dialect (reference/attune/REPORT.md §1):
 * JWT login at /auth, everything else under /api/v1, refs (not ids) in paths for packs, actions,
 * triggers, rules and keys, `{data}` / `{items, pagination}` envelopes. It never asserts: every call
 * answers `{ status, body }` (or the unwrapped data where a failure can only be a broken setup, which
 * throws with what the target said). The plan's words are mapped to upstream words here, once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { AxiosInstance } from 'axios';
import { Client as PgClient } from 'pg';
import { HttpLog, createHttp } from './http';
import { AttuneTarget } from '../targets';
import { describe } from '../wait';
import { registerSecret } from '../redact';

/** Upstream `execution_status_enum` (REPORT §1.10). */
export type ExecutionStatus =
  | 'requested' | 'scheduling' | 'scheduled' | 'running' | 'completed'
  | 'failed' | 'canceling' | 'cancelled' | 'timeout' | 'abandoned'
  // The plan's workflow status under `on_failure: continue`; not upstream's (an @upstream-gap).
  | 'succeeded_with_errors';

/** The plan's status words -> upstream's (the plan says "succeeded", upstream says "completed"). */
export const PLAN_STATUS: Record<string, ExecutionStatus> = {
  requested: 'requested',
  scheduling: 'scheduling',
  scheduled: 'scheduled',
  running: 'running',
  succeeded: 'completed',
  'succeeded with errors': 'succeeded_with_errors',
  completed: 'completed',
  failed: 'failed',
  canceling: 'canceling',
  canceled: 'cancelled',
  cancelled: 'cancelled',
  'timed out': 'timeout',
  abandoned: 'abandoned',
};

export const TERMINAL_STATUSES: ReadonlySet<ExecutionStatus> = new Set(['completed', 'succeeded_with_errors', 'failed', 'cancelled', 'timeout', 'abandoned']);

/** Built-in core timer triggers; the timer itself is the rule's trigger_params (REPORT §3.2). */
export const TIMER_TRIGGERS = {
  interval: 'core.intervaltimer',
  date: 'core.datetimetimer',
  cron: 'core.crontimer',
} as const;

/** The fixture packs use this ref; an upload rewrites it to a unique one (as upstream's own fixture does). */
export const FIXTURE_PACK_REF = 'e2e_fixture';

export interface ApiReply<T = any> {
  status: number;
  body: T;
  /** Response headers (where the rule is in a header, e.g. Retry-After). */
  headers?: Record<string, unknown>;
}

export interface Pack { id: number; ref: string; label: string; version: string }
export interface Trigger { id: number; ref: string; pack_ref?: string; webhook_enabled: boolean; webhook_key?: string }
export interface Rule { id: number; ref: string; action_ref: string; trigger_ref: string; enabled: boolean }
export interface EventSummary { id: number; trigger: number | null; trigger_ref: string; rule: number | null; rule_ref: string | null; created: string }
export interface Event extends EventSummary { payload: unknown }
export interface Enforcement { id: number; rule: number | null; rule_ref: string; trigger_ref: string; event: number | null; status: string; created: string }
/** Upstream's placement of an execution (crates/common/src/scheduling.rs): labels its worker must carry, taints it tolerates. */
export interface WorkerPlacement {
  worker_selector?: Record<string, string>;
  worker_tolerations?: { key: string; operator?: 'equal' | 'exists'; value?: string; effect?: 'no_schedule' | 'prefer_no_schedule' }[];
}

export interface Execution {
  id: number;
  action_ref: string;
  status: ExecutionStatus;
  parent: number | null;
  enforcement: number | null;
  config?: Record<string, unknown> | null;
  result?: ExecutionResult | null;
  started_at?: string | null;
  created: string;
  updated: string;
}
export interface ExecutionResult {
  succeeded?: boolean;
  exit_code?: number;
  error?: string;
  stdout?: string;
  data?: unknown;
  [k: string]: unknown;
}
export interface Key { id: number; ref: string; name: string; owner_type: string; encrypted: boolean; value: unknown }
export interface Identity { id: number; login: string }

export interface RuleSpec {
  ref: string;
  packRef: string;
  actionRef: string;
  triggerRef: string;
  triggerParams?: Record<string, unknown>;
  actionParams?: Record<string, unknown>;
  /** Upstream's rule conditions, e.g. `{expression: "{{ event.payload.level == 'info' }}"}`. */
  conditions?: unknown;
}

export interface KeySpec {
  ref: string;
  name: string;
  value: unknown;
  encrypted?: boolean;
  /** Owned by a pack (its actions receive it) or by an identity (only it may read the key). */
  owner: { pack: string } | { identity: number };
}

export type ExecutionFilter = Partial<Record<'action_ref' | 'status' | 'enforcement' | 'parent' | 'rule_ref' | 'trigger_ref', string | number>>;

interface Tokens {
  access: string;
  refresh: string;
  expiresAt: number;
}

/** Unwrap `{data}` or fail with what the target said (a setup call that cannot go on). */
function dataOf<T>(reply: ApiReply, what: string, ok: number[] = [200, 201]): T {
  if (!ok.includes(reply.status)) throw new Error(`${what}: Attune answered ${reply.status} ${describe(reply.body)}`);
  return (reply.body?.data ?? reply.body) as T;
}

/** Items of a list envelope (`{items}` at HEAD; `{data: [...]}` before May 2026). */
function itemsOf<T>(reply: ApiReply, what: string): T[] {
  if (reply.status !== 200) throw new Error(`${what}: Attune answered ${reply.status} ${describe(reply.body)}`);
  const items = reply.body?.items ?? reply.body?.data;
  if (!Array.isArray(items)) throw new Error(`${what}: expected a list, got ${describe(reply.body)}`);
  return items as T[];
}

const enc = encodeURIComponent;

/** The log text of an execution's log SSE: the data of its `content` and `append` events, in order. */
function logText(sse: string): string {
  const chunks: string[] = [];
  for (const block of sse.split('\n\n')) {
    const lines = block.split('\n');
    const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
    if (event === 'content' || event === 'append') chunks.push(lines.filter((l) => l.startsWith('data: ') || l === 'data:').map((l) => l.replace(/^data: ?/, '')).join('\n'));
  }
  return chunks.join('');
}

export class AttuneClient {
  private readonly http: AxiosInstance;
  private tokens: Tokens | null = null;
  private db: PgClient | null = null;

  constructor(readonly target: AttuneTarget, readonly log: HttpLog) {
    this.http = createHttp(target.apiUrl, log);
    registerSecret(target.password);
  }

  /** A client that presents `token` as it is (never logs in): for proving a bad token is refused. */
  withToken(token: string): AttuneClient {
    const client = new AttuneClient(this.target, this.log);
    client.tokens = { access: token, refresh: '', expiresAt: Number.POSITIVE_INFINITY };
    return client;
  }

  /** The same target seen by another identity. */
  as(login: string, password: string): AttuneClient {
    return new AttuneClient({ ...this.target, login, password }, this.log);
  }

  // ---- authentication ---------------------------------------------------------------------------

  /** A valid access token: logs in on first use, refreshes within a minute of expiry. */
  async accessToken(): Promise<string> {
    if (this.tokens && Date.now() < this.tokens.expiresAt - 60_000) return this.tokens.access;
    if (this.tokens) {
      const refreshed = await this.http.post('/auth/refresh', { refresh_token: this.tokens.refresh });
      if (refreshed.status === 200) return this.keep(refreshed.data.data).access;
    }
    const res = await this.http.post('/auth/login', { login: this.target.login, password: this.target.password });
    return this.keep(dataOf(this.reply(res), `login as ${this.target.login}`)).access;
  }

  private keep(t: { access_token: string; refresh_token: string; expires_in: number }): Tokens {
    registerSecret(t.access_token);
    registerSecret(t.refresh_token);
    this.tokens = { access: t.access_token, refresh: t.refresh_token, expiresAt: Date.now() + t.expires_in * 1000 };
    return this.tokens;
  }

  /** Self-registration (`security.allow_self_registration` must be on): 200 with tokens and user. */
  async register(login: string, password: string): Promise<ApiReply> {
    registerSecret(password);
    return this.reply(await this.http.post('/auth/register', { login, password, display_name: login }));
  }

  async me(): Promise<Identity> {
    return dataOf<Identity>(await this.call('get', '/auth/me'), 'who am I');
  }

  async deleteIdentity(id: number): Promise<ApiReply> {
    return this.call('delete', `/api/v1/identities/${id}`);
  }

  // ---- plumbing ---------------------------------------------------------------------------------

  private reply(res: { status: number; data: unknown; headers?: unknown }): ApiReply {
    return { status: res.status, body: res.data, headers: { ...(res.headers as Record<string, unknown> | undefined) } };
  }

  /** One authenticated call as this identity (also used by the Tier 3 helpers in attune-tier3.ts). */
  async call(method: 'get' | 'post' | 'put' | 'delete', url: string, body?: unknown, params?: object): Promise<ApiReply> {
    const headers = { Authorization: `Bearer ${await this.accessToken()}` };
    return this.reply(await this.http.request({ method, url, data: body, params, headers }));
  }

  private async list<T>(url: string, params: object, what: string): Promise<T[]> {
    return itemsOf<T>(await this.call('get', url, undefined, params), what);
  }

  // ---- packs ------------------------------------------------------------------------------------

  /**
   * Upload a pack directory laid out as upstream packs are (pack.yaml, actions/*.yaml + scripts,
   * workflows/*.yaml) under a new ref: every `e2e_fixture` in its YAML becomes `ref`.
   * `POST /api/v1/packs/upload` (multipart `pack` = .tar.gz, `force`, `skip_tests`), as upstream's fixture does.
   */
  async uploadPack(dir: string, ref: string): Promise<Pack> {
    const files = walk(dir).map((rel) => {
      const full = path.join(dir, rel);
      let data = fs.readFileSync(full);
      if (/\.ya?ml$/.test(rel)) data = Buffer.from(data.toString('utf8').replace(new RegExp(`\\b${FIXTURE_PACK_REF}\\b`, 'g'), ref));
      return { name: rel.split(path.sep).join('/'), data, mode: fs.statSync(full).mode & 0o777 };
    });
    const form = new FormData();
    form.append('pack', new Blob([tarGz(files)], { type: 'application/gzip' }), `${ref}.tar.gz`);
    form.append('force', 'true');
    form.append('skip_tests', 'true');
    const res = await this.call('post', '/api/v1/packs/upload', form);
    return dataOf<{ pack: Pack }>(res, `upload pack ${ref}`).pack;
  }

  async listPacks(): Promise<Pack[]> {
    return this.list<Pack>('/api/v1/packs', { page_size: 100 }, 'list packs');
  }

  async getPack(ref: string): Promise<ApiReply> {
    return this.call('get', `/api/v1/packs/${enc(ref)}`);
  }

  async deletePack(ref: string): Promise<ApiReply> {
    return this.call('delete', `/api/v1/packs/${enc(ref)}`);
  }

  // ---- actions and workflows --------------------------------------------------------------------

  async getAction(ref: string): Promise<ApiReply> {
    return this.call('get', `/api/v1/actions/${enc(ref)}`);
  }

  async listActions(): Promise<{ ref: string }[]> {
    return this.list('/api/v1/actions', { page_size: 100 }, 'list actions');
  }

  async getWorkflow(ref: string): Promise<ApiReply> {
    return this.call('get', `/api/v1/workflows/${enc(ref)}`);
  }

  // ---- triggers and webhooks --------------------------------------------------------------------

  async createTrigger(ref: string, packRef: string): Promise<Trigger> {
    const res = await this.call('post', '/api/v1/triggers', { ref, pack_ref: packRef, label: ref, enabled: true });
    return dataOf<Trigger>(res, `create trigger ${ref}`);
  }

  async deleteTrigger(ref: string): Promise<ApiReply> {
    return this.call('delete', `/api/v1/triggers/${enc(ref)}`);
  }

  /**
   * Turn the trigger's webhook on; the answer carries `webhook_key` ("wh_" + 32 hex). The key is the
   * only credential a webhook call needs, so reports never show it.
   */
  async enableWebhook(ref: string): Promise<Trigger> {
    const trigger = dataOf<Trigger>(await this.call('post', `/api/v1/triggers/${enc(ref)}/webhooks/enable`), `enable webhook of ${ref}`);
    registerSecret(trigger.webhook_key);
    return trigger;
  }

  /** Fire a webhook: no authentication, body `{"payload": ...}`; 200 `{data: {event_id, ...}}`. */
  async fireWebhook(key: string, payload: unknown): Promise<ApiReply> {
    return this.reply(await this.http.post(`/api/v1/webhooks/${enc(key)}`, { payload }));
  }

  // ---- rules ------------------------------------------------------------------------------------

  async createRule(spec: RuleSpec): Promise<Rule> {
    const res = await this.call('post', '/api/v1/rules', {
      ref: spec.ref,
      pack_ref: spec.packRef,
      label: spec.ref,
      action_ref: spec.actionRef,
      trigger_ref: spec.triggerRef,
      trigger_params: spec.triggerParams ?? {},
      action_params: spec.actionParams ?? {},
      conditions: spec.conditions ?? {},
      enabled: true,
    });
    return dataOf<Rule>(res, `create rule ${spec.ref}`);
  }

  async enableRule(ref: string): Promise<ApiReply> {
    return this.call('post', `/api/v1/rules/${enc(ref)}/enable`);
  }

  async disableRule(ref: string): Promise<ApiReply> {
    return this.call('post', `/api/v1/rules/${enc(ref)}/disable`);
  }

  async deleteRule(ref: string): Promise<ApiReply> {
    return this.call('delete', `/api/v1/rules/${enc(ref)}`);
  }

  // ---- events, enforcements, executions ---------------------------------------------------------

  async listEvents(filter: Partial<Record<'trigger_ref' | 'rule_ref', string>>): Promise<EventSummary[]> {
    return this.list<EventSummary>('/api/v1/events', { ...filter, per_page: 100 }, 'list events');
  }

  async getEvent(id: number): Promise<ApiReply> {
    return this.call('get', `/api/v1/events/${id}`);
  }

  async listEnforcements(filter: Partial<Record<'rule_ref' | 'event' | 'trigger_ref', string | number>>): Promise<Enforcement[]> {
    return this.list<Enforcement>('/api/v1/enforcements', { ...filter, per_page: 100 }, 'list enforcements');
  }

  async getEnforcement(id: number): Promise<ApiReply> {
    return this.call('get', `/api/v1/enforcements/${id}`);
  }

  async listExecutions(filter: ExecutionFilter): Promise<Execution[]> {
    return this.list<Execution>('/api/v1/executions', { ...filter, per_page: 100 }, 'list executions');
  }

  async getExecution(id: number): Promise<ApiReply> {
    return this.call('get', `/api/v1/executions/${id}`);
  }

  /** The full execution (with result and config), or an error if the target will not give it. */
  async execution(id: number): Promise<Execution> {
    return dataOf<Execution>(await this.getExecution(id), `get execution ${id}`);
  }

  /**
   * What the execution wrote to stdout or stderr, as a real Attune exposes it: the worker keeps the
   * log as a file (`result.stderr_log`) and the API serves it as SSE on
   * `/executions/{id}/logs/{stream}/stream` (`content`/`append` events, then `done`).
   */
  async executionLog(id: number, stream: 'stdout' | 'stderr'): Promise<string> {
    const reply = await this.call('get', `/api/v1/executions/${id}/logs/${stream}/stream`);
    if (reply.status !== 200) throw new Error(`the ${stream} log of execution ${id} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    return logText(String(reply.body));
  }

  /**
   * Follow the log stream of a running execution (the SSE of executionLog) the way an operator
   * watches it: true the moment `text` shows in it, false when the stream ends (`done`) or `withinMs`
   * passes without it.
   */
  async logShows(id: number, stream: 'stdout' | 'stderr', text: string, withinMs: number): Promise<boolean> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), withinMs);
    try {
      const res = await this.http.request({
        method: 'get', url: `/api/v1/executions/${id}/logs/${stream}/stream`, responseType: 'stream', timeout: 0, signal: controller.signal,
        headers: { Authorization: `Bearer ${await this.accessToken()}` },
      });
      if (res.status !== 200) throw new Error(`the ${stream} log of execution ${id} answered ${res.status}`);
      let seen = '';
      for await (const chunk of res.data as AsyncIterable<Buffer>) {
        seen += chunk.toString('utf8');
        if (logText(seen).includes(text)) return true;
      }
      return false;
    } catch (e) {
      if (controller.signal.aborted) return false;
      throw e;
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  }

  /** `POST /api/v1/executions/execute`: 201 with the new execution (status `requested`); `placement` (worker_selector, worker_tolerations) says which workers may run it. */
  async execute(actionRef: string, parameters: Record<string, unknown>, placement: WorkerPlacement = {}): Promise<ApiReply> {
    return this.call('post', '/api/v1/executions/execute', { action_ref: actionRef, parameters, ...placement });
  }

  // ---- workflows defined over the API and inquiries (Tier 2) ------------------------------------

  /** `POST /api/v1/workflows` (creates the companion action of the same ref, REPORT §1.13). */
  async createWorkflow(ref: string, packRef: string, definition: Record<string, unknown>): Promise<ApiReply> {
    return this.call('post', '/api/v1/workflows', { ref, pack_ref: packRef, label: ref, version: '1.0.0', definition });
  }

  async deleteWorkflow(ref: string): Promise<ApiReply> {
    return this.call('delete', `/api/v1/workflows/${enc(ref)}`);
  }

  /** `GET /api/v1/executions/{id}/inquiries`: the inquiries an execution opened. */
  async inquiriesOf(executionId: number): Promise<{ id: number; status: string; prompt: string; timeout_at: string | null }[]> {
    return this.list(`/api/v1/executions/${executionId}/inquiries`, {}, `inquiries of execution ${executionId}`);
  }

  async getInquiry(id: number): Promise<ApiReply> {
    return this.call('get', `/api/v1/inquiries/${id}`);
  }

  /** `POST /api/v1/inquiries/{id}/respond` with `{response}`. */
  async respondInquiry(id: number, response: unknown): Promise<ApiReply> {
    return this.call('post', `/api/v1/inquiries/${id}/respond`, { response });
  }

  // ---- keys (the plan's "datastore") ------------------------------------------------------------

  async setKey(spec: KeySpec): Promise<Key> {
    const owner = 'pack' in spec.owner
      ? { owner_type: 'pack', owner_pack_ref: spec.owner.pack }
      : { owner_type: 'identity', owner_identity: spec.owner.identity };
    const body = { ref: spec.ref, name: spec.name, value: spec.value, encrypted: spec.encrypted ?? false, ...owner };
    // An encrypted key holds a secret: reports never show its value.
    if (spec.encrypted && typeof spec.value === 'string') registerSecret(spec.value);
    return dataOf<Key>(await this.call('post', '/api/v1/keys', body), `store key ${spec.ref}`);
  }

  async getKey(ref: string): Promise<ApiReply> {
    return this.call('get', `/api/v1/keys/${enc(ref)}`);
  }

  async listKeys(): Promise<Key[]> {
    return this.list<Key>('/api/v1/keys', { per_page: 100 }, 'list keys');
  }

  async deleteKey(ref: string): Promise<ApiReply> {
    return this.call('delete', `/api/v1/keys/${enc(ref)}`);
  }

  // ---- database probe (database-level steps; target.databaseUrl) --------------------------------

  /**
   * SQL over the configured database URL: the operator's back door for what upstream does by SQL
   * (seeding policies) and the database-level checks of the plan.
   */
  async sql<T = Record<string, any>>(text: string, params: unknown[] = []): Promise<T[]> {
    if (!this.target.databaseUrl) throw new Error('no database URL is configured for attune (attune.database_url)');
    if (!this.db) {
      this.db = new PgClient({ connectionString: this.target.databaseUrl });
      await this.db.connect();
    }
    return (await this.db.query(text, params)).rows as T[];
  }

  /** The row of table `key` as stored (value as the database holds it, encrypted or not). */
  async storedKey(ref: string): Promise<({ value: unknown; encrypted: boolean } & Record<string, any>) | null> {
    const [row] = await this.sql<{ value: unknown; encrypted: boolean }>('SELECT * FROM key WHERE ref = $1', [ref]);
    return row ?? null;
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = null;
    await db?.end();
  }
}

// ---- a minimal ustar writer (packs travel as .tar.gz; no tar package in the toolchain) ----------

function walk(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const p = path.join(rel, e.name);
    return e.isDirectory() ? walk(dir, p) : [p];
  });
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width, '0') + '\0';
}

export function tarGz(files: { name: string; data: Buffer; mode: number }[]): Buffer {
  const parts: Buffer[] = [];
  const mtime = Math.floor(Date.now() / 1000);
  for (const f of files) {
    const h = Buffer.alloc(512);
    h.write(f.name, 0, 100, 'utf8');
    h.write(octal(f.mode, 7), 100);
    h.write(octal(0, 7), 108);
    h.write(octal(0, 7), 116);
    h.write(octal(f.data.length, 11), 124);
    h.write(octal(mtime, 11), 136);
    h.fill(' ', 148, 156);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    parts.push(h, f.data, Buffer.alloc((512 - (f.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}
