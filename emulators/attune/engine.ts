// Rule processing, executor and workflow orchestration: event -> enforcement -> execution ->
// worker (child process), with status changes published to the notifier. Mirrors the roles of
// upstream's attune-executor and attune-worker in one process.
import type { Tokens } from './auth';
import { Database, json, Row } from './db';
import type { Notifier } from './notifier';
import { ConcurrencyGate } from './policy';
import type { Audit } from './audit';
import type { RuleNotices } from './rule-notices';
import type { Crypto } from './secrets';
import { conditionsMatch, Context, render, truthy } from './templates';
import { CANCEL, executionResult, failureMessage, parseOutput, run, RunOutcome, RunSpec, runtimeOf } from './worker';
import { placementOf, WorkerService } from './workers';

export const TERMINAL = new Set(['completed', 'succeeded_with_errors', 'failed', 'cancelled', 'timeout', 'abandoned']);
export const EXEC_COLUMNS = 'e.*, enf.rule_ref, enf.trigger_ref';
export const EXEC_FROM = 'FROM execution e LEFT JOIN enforcement enf ON enf.id = e.enforcement';
export const EXEC_SELECT = `SELECT ${EXEC_COLUMNS} ${EXEC_FROM}`;
const DEFAULT_TIMEOUT_S = 300; // worker.task_timeout

export interface NewExecution {
  action: Row;
  config: Record<string, unknown>;
  executor: number | null;
  tenant: string | null;
  parent?: number | null;
  enforcement?: number | null;
  workflowTask?: Record<string, unknown> | null;
  originalExecution?: number | null;
  envVars?: Record<string, string> | null;
  timeoutSeconds?: number;
  /** Where it may run (workers.ts): `worker_selector` and `worker_tolerations` as given. */
  placement?: { worker_selector?: Record<string, string>; worker_tolerations?: unknown[] };
}

export class Engine {
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly running = new Map<number, AbortController>();
  private readonly waiters = new Map<number, Array<(row: Row) => void>>();
  private readonly secretParams = new Map<number, Record<string, unknown>>();
  private readonly timeouts = new Map<number, number>();
  private readonly inquiryWaiters = new Map<number, (row: Row) => void>();
  private readonly shutdown = new AbortController();
  readonly gate: ConcurrencyGate;
  /** The audit trail (T3.28): each lifecycle step recorded by the component that took it. */
  audit?: Audit;
  /** Rule trigger notifications (T3.16) for rules created with notify_on_trigger. */
  ruleNotices?: RuleNotices;
  /** The worker service in its own process (T3.12, T3.30); without it actions run from this process. */
  workerService?: WorkerService;

  constructor(
    private readonly db: Database,
    private readonly notifier: Notifier,
    private readonly tokens: Tokens,
    private readonly crypto: Crypto,
    private readonly apiUrl: () => string,
  ) {
    this.gate = new ConcurrencyGate(db);
  }

  get stopping(): boolean {
    return this.shutdown.signal.aborted;
  }

  /** Run background work, tracked so stop() can wait for it; errors after shutdown are expected. */
  private track<T>(p: Promise<T>): void {
    const t = p.catch((e) => {
      if (!this.stopping && process.env.E2E_DEBUG) console.error('[attune-emulator]', e);
    });
    this.inflight.add(t);
    void t.finally(() => this.inflight.delete(t));
  }

  async stop(): Promise<void> {
    this.shutdown.abort();
    this.gate.stop();
    for (const c of this.running.values()) c.abort();
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  // ---------------------------------------------------------------- events and rules

  /** Record an event (created = the moment it happened, e.g. when a timer fired) and process it. */
  async createEvent(e: { trigger: Row; payload: unknown; config: unknown; sourceRef: string; rule?: Row; at?: Date }): Promise<Row> {
    const event = (await this.db.one(
      `INSERT INTO event (trigger, trigger_ref, config, payload, source_ref, rule, rule_ref, tenant, created, updated)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$9) RETURNING *`,
      [e.trigger.id, e.trigger.ref, json(e.config), json(e.payload), e.sourceRef, e.rule?.id ?? null, e.rule?.ref ?? null, e.rule?.tenant ?? e.trigger.tenant, (e.at ?? new Date()).toISOString()],
    ))!;
    this.notifier.publish({
      channel: 'event_created', entityType: 'event', entityId: event.id, tenant: event.tenant,
      payload: { entity_type: 'event', entity_id: event.id, id: event.id, trigger: event.trigger, trigger_ref: event.trigger_ref, source: event.source, source_ref: event.source_ref, rule: event.rule, rule_ref: event.rule_ref, has_payload: event.payload != null, created: event.created },
    });
    this.track(this.processEvent(event));
    return event;
  }

  private async processEvent(event: Row): Promise<void> {
    const rules = event.rule
      ? await this.db.query('SELECT * FROM rule WHERE id = $1 AND enabled', [event.rule])
      : await this.db.query('SELECT * FROM rule WHERE trigger = $1 AND enabled ORDER BY id', [event.trigger]);
    const pack = async (id: number) => (await this.db.one('SELECT config FROM pack WHERE id = $1', [id]))?.config ?? {};
    for (const rule of rules) {
      if (this.stopping) return;
      const ctx: Context = {
        event: { id: event.id, trigger: event.trigger, trigger_ref: event.trigger_ref, payload: event.payload ?? {}, created: event.created },
        pack: { config: await pack(rule.pack) },
        system: { timestamp: new Date().toISOString() },
        // Criteria may compare with the key store (the plan's T2.5 `datastore.threshold`).
        keystore: await this.keystore({ tenant: rule.tenant, pack: rule.pack, packRef: rule.pack_ref, identity: rule.owner_identity }),
      };
      if (!conditionsMatch(rule.conditions, ctx)) continue;
      const enforcement = (await this.db.one(
        `INSERT INTO enforcement (rule, rule_ref, trigger_ref, config, event, status, payload, condition, conditions, tenant)
         VALUES ($1,$2,$3,$4,$5,'created',$6,'all',$7,$8) RETURNING *`,
        [rule.id, rule.ref, event.trigger_ref, json(rule.action_params), event.id, json(event.payload ?? {}), json(rule.conditions ?? {}), rule.tenant],
      ))!;
      this.publishEnforcement(enforcement, 'enforcement_created');
      this.ruleNotices?.fired(rule, event, enforcement);
      const action = rule.action ? await this.db.one('SELECT * FROM action WHERE id = $1', [rule.action]) : undefined;
      if (action) {
        const params = render(rule.action_params ?? {}, ctx);
        await this.createExecution({
          action, config: (params ?? {}) as Record<string, unknown>, executor: rule.owner_identity, tenant: rule.tenant, enforcement: enforcement.id,
        });
      }
      const done = (await this.db.one(
        `UPDATE enforcement SET status = 'processed', resolved_at = now(), updated = now() WHERE id = $1 RETURNING *`, [enforcement.id],
      ))!;
      this.publishEnforcement(done, 'enforcement_status_changed', 'created');
    }
  }

  private publishEnforcement(e: Row, channel: string, oldStatus?: string): void {
    this.notifier.publish({
      channel, entityType: 'enforcement', entityId: e.id, tenant: e.tenant,
      payload: { entity_type: 'enforcement', entity_id: e.id, id: e.id, rule: e.rule, rule_ref: e.rule_ref, trigger_ref: e.trigger_ref, event: e.event, status: e.status, ...(oldStatus ? { old_status: oldStatus } : {}), condition: e.condition, created: e.created, resolved_at: e.resolved_at },
    });
  }

  // ---------------------------------------------------------------- executions

  /** Insert an execution in `requested` and hand it to the executor. */
  async createExecution(n: NewExecution): Promise<Row> {
    const schema = (n.action.param_schema ?? {}) as Record<string, any>;
    const params: Record<string, unknown> = {};
    for (const [k, s] of Object.entries(schema)) if (s && typeof s === 'object' && s.default !== undefined) params[k] = s.default;
    Object.assign(params, n.config);
    const redacted = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, schema[k]?.secret ? '********' : v]));
    const row = (await this.db.one(
      `INSERT INTO execution (action, action_ref, config, env_vars, parent, enforcement, executor, status, workflow_task, original_execution, tenant, worker_selector, worker_tolerations)
       VALUES ($1,$2,$3,$4,$5,$6,$7,'requested',$8,$9,$10,$11,$12) RETURNING id`,
      [n.action.id, n.action.ref, json(redacted), json(n.envVars ?? null), n.parent ?? null, n.enforcement ?? null, n.executor, json(n.workflowTask ?? null), n.originalExecution ?? null, n.tenant,
        json(n.placement?.worker_selector ?? null), json(n.placement?.worker_tolerations ?? null)],
    ))!;
    this.secretParams.set(row.id, params);
    if (n.timeoutSeconds) this.timeouts.set(row.id, n.timeoutSeconds);
    const exec = await this.load(row.id);
    this.publishExecution(exec, 'execution_created');
    await this.audit?.created(exec);
    this.track(this.execute(exec));
    return exec;
  }

  async load(id: number): Promise<Row> {
    return (await this.db.one(`${EXEC_SELECT} WHERE e.id = $1`, [id]))!;
  }

  private publishExecution(e: Row, channel: string, oldStatus?: string): void {
    const payload = {
      entity_type: 'execution', entity_id: e.id, id: e.id, action_id: e.action, action_ref: e.action_ref, status: e.status,
      ...(oldStatus ? { old_status: oldStatus } : {}),
      enforcement: e.enforcement, rule_ref: e.rule_ref, trigger_ref: e.trigger_ref, parent: e.parent, started_at: e.started_at,
      workflow_task: e.workflow_task, created: e.created, updated: e.updated,
    };
    this.notifier.publish({ channel, entityType: 'execution', entityId: e.id, tenant: e.tenant, payload });
    if (channel === 'execution_status_changed' && e.workflow_task) {
      this.notifier.publish({ channel: 'workflow_execution_status_changed', entityType: 'execution', entityId: e.id, tenant: e.tenant, payload });
    }
  }

  /** Compare-and-set a status transition; returns the new row, or undefined if the status moved on. */
  async transition(id: number, from: string[], to: string, set: { result?: unknown; started?: boolean } = {}): Promise<Row | undefined> {
    // One statement: the change, the row as EXEC_SELECT reads it, and the status before (the
    // subquery sees the snapshot before the update), so the notification leaves right after it.
    const updated = await this.db.one(
      `WITH u AS (
         UPDATE execution SET status = $2, updated = now(),
           result = CASE WHEN $3::boolean THEN $4::jsonb ELSE result END,
           started_at = CASE WHEN $5::boolean THEN now() ELSE started_at END
         WHERE id = $1 AND status::text = ANY($6::text[]) RETURNING *, (SELECT status FROM execution WHERE id = $1) AS old_status)
       SELECT u.*, enf.rule_ref, enf.trigger_ref FROM u LEFT JOIN enforcement enf ON enf.id = u.enforcement`,
      [id, to, set.result !== undefined, json(set.result ?? null), !!set.started, from],
    );
    if (!updated) return undefined;
    const { old_status: old, ...row } = updated;
    this.publishExecution(row, 'execution_status_changed', old);
    await this.audit?.transition(row, old);
    if (TERMINAL.has(to)) {
      this.track(this.gate.release(id));
      this.secretParams.delete(id);
      this.timeouts.delete(id);
      for (const w of this.waiters.get(id) ?? []) w(row);
      this.waiters.delete(id);
    }
    return row;
  }

  /** Resolves with the execution row once it reaches a terminal status. */
  async waitFor(id: number): Promise<Row> {
    const p = new Promise<Row>((resolve) => this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]));
    const now = await this.load(id);
    if (now && TERMINAL.has(now.status)) return now;
    return p;
  }

  async cancel(exec: Row): Promise<Row | undefined> {
    const early = await this.transition(exec.id, ['requested', 'scheduling', 'scheduled'], 'cancelled', {
      result: { error: 'Cancelled by user before execution started' },
    });
    if (early) return early;
    const canceling = await this.transition(exec.id, ['running'], 'canceling');
    if (canceling) {
      this.running.get(exec.id)?.abort(CANCEL);
      for (const child of await this.db.query(`SELECT * FROM execution WHERE parent = $1 AND status::text <> ALL($2::text[])`, [exec.id, [...TERMINAL]])) {
        await this.cancel(child);
      }
    }
    return canceling;
  }

  /** The executor's part for an execution just created (`requested`, as createExecution loaded it). */
  private async execute(requested: Row): Promise<void> {
    const id = requested.id;
    const policyAction = requested.action ? await this.db.one('SELECT * FROM action WHERE id = $1 AND workflow_def IS NULL', [requested.action]) : undefined;
    // Parameters are validated against the action's param_schema before scheduling (T3.13): an
    // invalid execution goes requested -> failed and never reaches a worker.
    const given = this.secretParams.get(id) ?? requested.config ?? {};
    const missing = Object.entries((policyAction?.param_schema ?? {}) as Row).filter(([k, s]) => s?.required && given[k] === undefined).map(([k]) => k);
    if (missing.length) {
      await this.transition(id, ['requested'], 'failed', { result: { succeeded: false, error: `Missing required parameter${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}` } });
      return;
    }
    if (policyAction && !(await this.gate.admit(id, policyAction))) {
      await this.transition(id, ['requested'], 'cancelled', { result: { error: 'Cancelled by concurrency policy' } });
      return;
    }
    if (!(await this.transition(id, ['requested'], 'scheduling'))) return;
    if (!(await this.transition(id, ['scheduling'], 'scheduled'))) return;
    // An action waits, scheduled, until a worker accepts work (none may be up: killed, draining).
    if (this.workerService && policyAction && policyAction.runtime_ref !== 'core.native') await this.workerService.available(placementOf(requested.worker_selector, requested.worker_tolerations));
    const exec = await this.transition(id, ['scheduled'], 'running', { started: true });
    if (!exec) return;
    const action = exec.action ? await this.db.one('SELECT * FROM action WHERE id = $1', [exec.action]) : undefined;
    const controller = new AbortController();
    if (this.stopping) return;
    this.running.set(id, controller);
    try {
      if (!action) {
        await this.transition(id, ['running'], 'failed', { result: { succeeded: false, error: `Action '${exec.action_ref}' no longer exists` } });
      } else if (action.workflow_def) {
        await this.runWorkflow(exec, action, controller.signal);
      } else if (action.runtime_ref === 'core.native' && action.entrypoint === 'ask') {
        await this.runAsk(exec, controller.signal);
      } else {
        await this.runAction(exec, action, controller.signal);
      }
    } finally {
      this.running.delete(id);
    }
  }

  private async runAction(exec: Row, action: Row, signal: AbortSignal): Promise<void> {
    const pack = await this.db.one('SELECT ref, pack_dir FROM pack WHERE id = $1', [action.pack]);
    const params = { ...(await this.secretsFor(exec, action)), ...(this.secretParams.get(exec.id) ?? exec.config ?? {}) };
    const given = this.secretParams.get(exec.id) ?? exec.config ?? {};
    const missing = Object.entries((action.param_schema ?? {}) as Row).filter(([k, s]) => s?.required && given[k] === undefined).map(([k]) => k);
    if (missing.length) {
      await this.transition(exec.id, ['running'], 'failed', { result: { succeeded: false, error: `Missing required parameter(s): ${missing.join(', ')}` } });
      return;
    }
    const runtime = runtimeOf(action.runtime_ref, action.entrypoint);
    const rule: Record<string, string> = exec.rule_ref ? { ATTUNE_RULE: exec.rule_ref, ATTUNE_TRIGGER: exec.trigger_ref ?? '' } : {};
    const executor = exec.executor ? await this.db.one('SELECT * FROM identity WHERE id = $1', [exec.executor]) : undefined;
    const token = executor ? await this.tokens.issue(executor, 'execution', { execution_id: exec.id }) : undefined;
    const timeoutS = this.timeouts.get(exec.id) ?? DEFAULT_TIMEOUT_S;
    const outcome = runtime
      ? await this.runOnWorker(exec, {
          runtime,
          entrypoint: action.entrypoint,
          packDir: pack?.pack_dir ?? null,
          parameters: params,
          parameterFormat: action.parameter_format,
          timeoutMs: timeoutS * 1000,
          signal,
          env: {
            ...((exec.env_vars ?? {}) as Record<string, string>),
            ATTUNE_EXEC_ID: String(exec.id),
            ATTUNE_ACTION: action.ref,
            ATTUNE_PACK_REF: action.pack_ref,
            ATTUNE_API_URL: this.apiUrl(),
            ...(token ? { ATTUNE_API_TOKEN: token } : {}),
            ...rule,
          },
        })
      : undefined;
    if (!outcome) {
      await this.transition(exec.id, ['running'], 'failed', { result: { succeeded: false, error: `Unsupported runtime '${action.runtime_ref}'` } });
      return;
    }
    if (outcome === 'lost') {
      // The worker that ran it died (its heartbeats stopped): upstream's execution timeout monitor.
      await this.transition(exec.id, ['running', 'canceling'], 'abandoned', {
        result: { succeeded: false, error: 'Execution abandoned: its worker stopped sending heartbeats', abandoned_by: 'execution_timeout_monitor' },
      });
      return;
    }
    const succeeded = outcome.exitCode === 0 && !outcome.timedOut && !outcome.cancelled && !outcome.error;
    const data = succeeded ? parseOutput(outcome.stdout, action.output_format) : undefined;
    const error = outcome.error
      ?? (outcome.timedOut ? `Execution timed out after ${timeoutS} seconds` : undefined)
      ?? (outcome.cancelled ? 'Execution cancelled by user' : undefined)
      ?? (succeeded ? undefined : failureMessage(outcome.exitCode, outcome.stderr));
    const result = executionResult(exec.id, outcome, data, error);
    if (outcome.timedOut && exec.workflow_task) {
      await this.db.query(`UPDATE execution SET workflow_task = workflow_task || '{"timed_out": true}'::jsonb WHERE id = $1`, [exec.id]);
    }
    if (outcome.cancelled) await this.transition(exec.id, ['canceling', 'running'], 'cancelled', { result });
    else await this.transition(exec.id, ['running'], succeeded ? 'completed' : 'failed', { result });
  }

  /** Hand the run to the worker service when there is one (else run it from this process). */
  private runOnWorker(exec: Row, spec: RunSpec): Promise<RunOutcome | 'lost'> {
    return this.workerService ? this.workerService.run(exec.id, spec, placementOf(exec.worker_selector, exec.worker_tolerations)) : run(spec);
  }

  /**
   * Keys delivered with the parameters, as upstream's worker does: system-, pack-, action- and
   * executor-identity-owned keys (more specific wins), keyed by key name, decrypted.
   */
  private async secretsFor(exec: Row, action: Row): Promise<Record<string, unknown>> {
    return this.keysFor({ tenant: exec.tenant, pack: action.pack, packRef: action.pack_ref, action: action.id, actionRef: action.ref, identity: exec.executor });
  }

  /**
   * The keys a pack's code sees (system, the pack's, the action's, the identity's; more specific
   * wins), by name and decrypted; a key whose TTL has passed is gone.
   */
  private async keysFor(o: { tenant: string | null; pack: number | null; packRef: string | null; action?: number | null; actionRef?: string | null; identity: number | null }): Promise<Record<string, unknown>> {
    const rows = await this.db.query(
      `SELECT * FROM key WHERE (tenant IS NULL OR tenant IS NOT DISTINCT FROM $1) AND (expires_at IS NULL OR expires_at > now()) AND (
         owner_type = 'system' OR (owner_type = 'pack' AND (owner_pack = $2 OR owner_pack_ref = $3))
         OR (owner_type = 'action' AND (owner_action = $4 OR owner_action_ref = $5))
         OR (owner_type = 'identity' AND owner_identity = $6))`,
      [o.tenant, o.pack, o.packRef, o.action ?? null, o.actionRef ?? null, o.identity],
    );
    const rank: Record<string, number> = { system: 0, pack: 1, action: 2, identity: 3 };
    rows.sort((a, b) => rank[a.owner_type] - rank[b.owner_type]);
    const out: Record<string, unknown> = {};
    for (const r of rows) {
      try {
        out[r.name] = this.crypto.valueOf(r);
      } catch {
        /* undecryptable (other key): skip */
      }
    }
    return out;
  }

  /** The `keystore.*` template namespace: keys by name; a dotted name is also nested (`config.api_url`). */
  private async keystore(o: Parameters<Engine['keysFor']>[0]): Promise<Record<string, unknown>> {
    const flat = await this.keysFor(o);
    const out: Record<string, any> = { ...flat };
    for (const [name, value] of Object.entries(flat)) {
      const parts = name.split('.');
      let node: Record<string, any> | undefined = out;
      for (const p of parts.slice(0, -1)) {
        if (node![p] === undefined) node![p] = {};
        node = node![p] && typeof node![p] === 'object' ? node![p] : undefined;
        if (!node) break;
      }
      if (node && parts.length > 1) node[parts[parts.length - 1]] ??= value;
    }
    return out;
  }

  // ---------------------------------------------------------------- inquiries (core.ask)

  /** The native core.ask action: open an inquiry for this execution and wait for its outcome. */
  private async runAsk(exec: Row, signal: AbortSignal): Promise<void> {
    const p = (this.secretParams.get(exec.id) ?? exec.config ?? {}) as Row;
    // The inquiry's TTL: core.ask's `timeout` input, else the workflow task's `timeout`.
    const ttl = Number.isFinite(p.timeout) ? Number(p.timeout) : this.timeouts.get(exec.id);
    const timeoutAt = ttl ? new Date(Date.now() + ttl * 1000).toISOString() : null;
    const inquiry = (await this.db.one(
      `INSERT INTO inquiry (execution, prompt, response_schema, assigned_to, timeout_at, tenant) VALUES ($1,$2,$3,$4,$5,$6) RETURNING *`,
      [exec.id, String(p.prompt ?? ''), json(p.response_schema ?? null), Number.isInteger(p.assigned_to) ? p.assigned_to : null, timeoutAt, exec.tenant],
    ))!;
    this.publishInquiry(inquiry, 'inquiry_created');
    const outcome = await new Promise<Row | undefined>((resolve) => {
      this.inquiryWaiters.set(inquiry.id, resolve);
      signal.addEventListener('abort', () => resolve(undefined), { once: true });
    });
    this.inquiryWaiters.delete(inquiry.id);
    if (!outcome || outcome.status === 'cancelled') {
      await this.transition(exec.id, ['running', 'canceling'], 'cancelled', { result: { error: 'Inquiry cancelled' } });
    } else if (outcome.status === 'timeout' && p.default_response !== undefined) {
      // The plan's default response on timeout (upstream HEAD has none): the ask completes with the
      // default as its response, marked timed out so `timed_out()` transitions still see it.
      await this.transition(exec.id, ['running'], 'completed', {
        result: { response: p.default_response, inquiry: inquiry.id, timed_out: true, default_response_used: true },
      });
    } else if (outcome.status === 'timeout') {
      await this.transition(exec.id, ['running'], 'timeout', { result: { error: 'Inquiry timed out', inquiry: inquiry.id, timed_out: true } });
    } else {
      await this.transition(exec.id, ['running'], 'completed', { result: { response: outcome.response, inquiry: inquiry.id } });
    }
  }

  /** Called when an inquiry leaves `pending` (responded, timed out, cancelled). */
  inquiryResolved(inquiry: Row): void {
    this.inquiryWaiters.get(inquiry.id)?.(inquiry);
  }

  publishInquiry(row: Row, channel: string): void {
    this.notifier.publish({
      channel, entityType: 'inquiry', entityId: row.id, tenant: row.tenant,
      payload: { entity_type: 'inquiry', entity_id: row.id, id: row.id, execution: row.execution, status: row.status, timeout_at: row.timeout_at, created: row.created, updated: row.updated },
    });
  }

  // ---------------------------------------------------------------- workflows

  private async runWorkflow(exec: Row, action: Row, signal: AbortSignal): Promise<void> {
    const wf = await this.db.one('SELECT * FROM workflow_definition WHERE id = $1', [action.workflow_def]);
    const def = (wf?.definition ?? {}) as Record<string, any>;
    const tasks: Row[] = Array.isArray(def.tasks) ? def.tasks : [];
    const ctx: Context = { parameters: this.secretParams.get(exec.id) ?? exec.config ?? {}, workflow: { ...(def.vars ?? {}) }, task: {}, item: null, index: null };
    ctx.vars = ctx.workflow;
    ctx.tasks = ctx.task;
    const byName = new Map(tasks.map((t) => [String(t.name), t]));
    const targets = new Set(tasks.flatMap((t) => transitions(t).flatMap((tr) => tr.do)));
    // The plan's `depends_on: [a, b]`: a task starts once every task it depends on has completed.
    const dependsOn = (t: Row): string[] => (Array.isArray(t.depends_on) ? t.depends_on.map(String) : t.depends_on ? [String(t.depends_on)] : []);
    for (const t of tasks) if (dependsOn(t).length) targets.add(String(t.name));
    const completed = new Set<string>();
    const started = new Set<string>();
    const launched: Promise<void>[] = [];
    let failure: string | undefined;
    let withErrors = false; // a task failed under the plan's `on_failure: continue`
    const launch = (task: Row) => {
      started.add(String(task.name));
      launched.push(
        (async () => {
          // keystore.* as it is when the task starts (an earlier task may have written keys).
          ctx.keystore = await this.keystore({ tenant: exec.tenant, pack: action.pack, packRef: action.pack_ref, identity: exec.executor });
          // A template that cannot be rendered fails the task with the evaluator's message.
          const outcome = await this.runTask(exec, task, ctx, signal).catch((e: Error) => ({
            status: 'failed', result: { error: `Task '${task.name}': template error: ${e.message}` } as unknown, timedOut: false,
          }));
          (ctx.task as Row)[task.name] = { result: outcome.result, status: outcome.status };
          const fns = {
            succeeded: () => outcome.status === 'completed',
            failed: () => outcome.status !== 'completed',
            timed_out: () => outcome.timedOut,
            result: () => outcome.result,
          };
          let handled = outcome.status === 'completed';
          for (const tr of transitions(task)) {
            const when = tr.when === undefined ? true : truthy(render(tr.when, { ...ctx, ...fns }));
            if (!when) continue;
            handled = true;
            if (tr.continued) withErrors = true;
            for (const [k, v] of Object.entries(tr.publish)) (ctx.workflow as Row)[k] = render(v, { ...ctx, ...fns });
            for (const next of tr.do) {
              const t = byName.get(next);
              if (t && !signal.aborted) launch(t);
            }
          }
          if (!handled) failure ??= `Task '${task.name}' ${outcome.status}`;
          if (outcome.status === 'completed') completed.add(String(task.name));
          for (const t of tasks) {
            const deps = dependsOn(t);
            if (deps.length && !started.has(String(t.name)) && deps.every((d) => completed.has(d)) && !signal.aborted) launch(t);
          }
        })(),
      );
    };
    for (const t of tasks.filter((t) => !targets.has(t.name))) launch(t);
    for (let i = 0; i < launched.length; i++) await launched[i];
    if (signal.aborted) {
      await this.transition(exec.id, ['canceling', 'running'], 'cancelled', { result: { error: 'Workflow cancelled' } });
      return;
    }
    const output = def.output_map ? render(def.output_map, ctx) : undefined;
    const result = { succeeded: !failure, tasks: ctx.task, ...(output !== undefined ? { output } : {}), ...(failure ? { error: failure } : {}) };
    await this.transition(exec.id, ['running'], failure ? 'failed' : withErrors ? 'succeeded_with_errors' : 'completed', { result });
  }

  /** One workflow task: a single child execution, or one per item (with_items) with a concurrency cap. */
  private async runTask(wfExec: Row, task: Row, ctx: Context, signal: AbortSignal) {
    const action = await this.db.one('SELECT * FROM action WHERE ref = $1 AND (tenant IS NULL OR tenant IS NOT DISTINCT FROM $2)', [task.action, wfExec.tenant]);
    if (!action) return { status: 'failed', result: { error: `Action '${task.action}' not found` }, timedOut: false };
    if (task.with_items === undefined) {
      const r = await this.runChild(wfExec, task, action, render(task.input ?? {}, ctx), undefined, signal);
      return { status: r.status, result: r.result, timedOut: r.timedOut };
    }
    const items = render(task.with_items, ctx);
    if (!Array.isArray(items)) return { status: 'failed', result: { error: `with_items of task '${task.name}' is not a list` }, timedOut: false };
    const limit = Number.isInteger(task.concurrency) && task.concurrency > 0 ? task.concurrency : items.length || 1;
    const results: Row[] = new Array(items.length);
    let next = 0;
    const lane = async () => {
      while (next < items.length && !signal.aborted) {
        const index = next++;
        results[index] = await this.runChild(wfExec, task, action, render(task.input ?? {}, { ...ctx, item: items[index], index }), index, signal);
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
    const failed = results.some((r) => !r || r.status !== 'completed');
    return { status: failed ? 'failed' : 'completed', result: results.map((r) => r?.result ?? null), timedOut: results.some((r) => r?.timedOut) };
  }

  /** A child execution of a workflow task, retried per the task's retry policy. */
  private async runChild(wfExec: Row, task: Row, action: Row, input: unknown, index: number | undefined, signal: AbortSignal) {
    const retry = (task.retry ?? {}) as Row;
    const maxRetries = Number.isInteger(retry.count) ? retry.count : 0;
    let original: number | null = null;
    for (let attempt = 0; ; attempt++) {
      const child = await this.createExecution({
        action,
        config: (input && typeof input === 'object' ? input : { value: input }) as Record<string, unknown>,
        executor: wfExec.executor,
        tenant: wfExec.tenant,
        parent: wfExec.id,
        originalExecution: original,
        timeoutSeconds: Number.isFinite(task.timeout) ? task.timeout : undefined,
        workflowTask: {
          workflow_execution: wfExec.id, task_name: task.name, ...(index !== undefined ? { task_index: index } : {}),
          retry_count: attempt, max_retries: maxRetries, ...(task.timeout ? { timeout_seconds: task.timeout } : {}), timed_out: false,
        },
      });
      original ??= child.id;
      const done = await this.waitFor(child.id);
      const timedOut = !!done.result?.timed_out || done.status === 'timeout';
      if (done.status === 'completed' || attempt >= maxRetries || signal.aborted || this.stopping) {
        return { status: done.status as string, result: done.result?.data ?? done.result, timedOut };
      }
      await this.sleep(backoff(retry, attempt) * 1000);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.shutdown.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }
}

interface Transition {
  when?: string;
  /** The plan's `on_failure: continue`: the failure is carried on past, the workflow ends succeeded_with_errors. */
  continued?: boolean;
  publish: Record<string, unknown>;
  do: string[];
}

/** A task's transitions in canonical `next` form (legacy on_success/on_failure/on_complete normalised). */
function transitions(task: Row): Transition[] {
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v ? [String(v)] : []);
  const publish = (p: unknown): Record<string, unknown> =>
    Array.isArray(p) ? Object.assign({}, ...p.filter((x) => x && typeof x === 'object')) : p && typeof p === 'object' ? (p as Row) : {};
  if (Array.isArray(task.next)) return task.next.map((n: Row) => ({ when: n.when, publish: publish(n.publish), do: list(n.do) }));
  const out: Transition[] = [];
  if (task.on_success) out.push({ when: '{{ succeeded() }}', publish: publish(task.publish), do: list(task.on_success) });
  // The plan's failure policies as keywords (not task names): `abort` leaves the failure unhandled,
  // `continue` follows the success transitions anyway (upstream: on_failure names a task).
  if (task.on_failure === 'continue') out.push({ when: '{{ failed() }}', publish: {}, do: list(task.on_success), continued: true });
  else if (task.on_failure && task.on_failure !== 'abort') out.push({ when: '{{ failed() }}', publish: {}, do: list(task.on_failure) });
  if (task.on_timeout) out.push({ when: '{{ timed_out() }}', publish: {}, do: list(task.on_timeout) });
  if (task.on_complete) out.push({ publish: {}, do: list(task.on_complete) });
  return out;
}

function backoff(retry: Row, attempt: number): number {
  const delay = Number.isFinite(retry.delay) ? retry.delay : 1;
  const d = retry.backoff === 'exponential' ? delay * 2 ** attempt : retry.backoff === 'linear' ? delay * (attempt + 1) : delay;
  return Number.isFinite(retry.max_delay) ? Math.min(d, retry.max_delay) : d;
}

