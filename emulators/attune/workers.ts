// The executor's side of the worker services (worker-service.ts runs each in its own OS process):
// dispatch an action run to a worker over IPC, hold executions back while no worker that may take
// them accepts work (queued, as upstream's executions wait in the worker queue), and watch each
// worker's heartbeats. A worker silent for HEARTBEAT_TIMEOUT_MS is dead: each execution it was
// running is reported lost, and the engine marks it `abandoned` (upstream: the execution timeout
// monitor, `result.abandoned_by = "execution_timeout_monitor"`, REPORT §1.10).
//
// Placement, as upstream's crates/common/src/scheduling.rs: a worker carries labels and taints (in
// its capabilities); an execution may carry `worker_selector` (labels the worker must have) and
// `worker_tolerations`. A worker takes an execution when the selector matches its labels and every
// `no_schedule` taint is tolerated. The deployment's own worker, `default`, has neither.
//
// Operator interface (what `systemctl kill|stop|start attune-worker@NAME` is on a real deployment),
// on the API server, for admin identities only:
//   GET    /__admin/workers                      every worker's status
//   POST   /__admin/workers {name, labels?, taints?}  start another worker (201)
//   GET    /__admin/workers/:name                {name, pid, state, labels, taints, last_heartbeat, exit_code, exit_signal, running}
//   POST   /__admin/workers/:name/signal {signal} SIGTERM (graceful drain) or SIGKILL
//   POST   /__admin/workers/:name/start          start it again (when it is not running)
//   DELETE /__admin/workers/:name                stop it and forget it (204)
import { ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import * as path from 'node:path';
import { Router } from 'express';
import { callerOf } from './auth';
import { badRequest, conflict, forbidden, invalid, notFound } from './http';
import type { RunOutcome, RunSpec } from './worker';
import type { FromWorker } from './worker-service';

export const HEARTBEAT_TIMEOUT_MS = 10_000;

const WORKER_NICENESS = 10;
/**
 * On a real deployment the workers run on hosts of their own, apart from the API; here they share
 * the machine, so a worker (and the actions it starts, which inherit it) yields the CPU to the API
 * when both want it: set as it is forked, before it loads anything. Only ever raised, which needs no
 * privilege; where even that is refused it runs at the API's priority.
 */
function yieldCpu(pid: number | undefined): void {
  try {
    if (pid && getPriority(pid) < WORKER_NICENESS) setPriority(pid, WORKER_NICENESS);
  } catch {
    /* not permitted or already gone */
  }
}

/** Process groups led by the direct children of `pid` (Linux /proc; none elsewhere). */
function childGroups(pid: number): number[] {
  const groups = new Set<number>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  for (const e of entries) {
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces, so parse after ')'.
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid && Number(pgrp) === Number(e)) groups.add(Number(pgrp));
    } catch {
      /* gone meanwhile */
    }
  }
  return [...groups];
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

type State = 'starting' | 'ready' | 'draining' | 'stopped';
type Labels = Record<string, string>;
interface Taint { key: string; value?: string; effect: 'no_schedule' | 'prefer_no_schedule' }
interface Toleration { key: string; operator: 'equal' | 'exists'; value?: string; effect?: Taint['effect'] }
export interface Placement { selector: Labels; tolerations: Toleration[] }

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const EFFECTS = ['no_schedule', 'prefer_no_schedule'];

/** upstream validate_label_map: non-empty keys, non-empty string values. */
function labelMap(field: string, value: unknown): Labels {
  if (value === undefined || value === null) return {};
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) throw invalid(`${field} must be an object of string labels`);
  for (const [k, v] of Object.entries(value)) {
    if (!k.trim()) throw invalid(`${field} must be non-empty`);
    if (!(v as string).trim()) throw invalid(`${field}['${k}'] must be a non-empty string`);
  }
  return value as Labels;
}

function list<T>(field: string, noun: string, value: unknown, item: (v: Record<string, unknown>) => T): T[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every(isObject)) throw invalid(`${field} must be an array of ${noun}`);
  return value.map(item);
}

/** An execution's placement from its `worker_selector` and `worker_tolerations` (upstream's parse_* and validate_*). */
export function placementOf(selector: unknown, tolerations: unknown): Placement {
  return {
    selector: labelMap('worker_selector', selector),
    tolerations: list('worker_tolerations', 'tolerations', tolerations, (t) => {
      const operator = t.operator ?? 'equal';
      if (typeof t.key !== 'string' || !t.key.trim()) throw invalid('worker_tolerations key must be non-empty');
      if (operator !== 'equal' && operator !== 'exists') throw invalid(`worker_tolerations '${t.key}': operator must be equal or exists`);
      if (t.effect !== undefined && !EFFECTS.includes(t.effect as string)) throw invalid(`worker_tolerations '${t.key}': effect must be no_schedule or prefer_no_schedule`);
      if (t.value !== undefined && (typeof t.value !== 'string' || (operator === 'equal' && !t.value.trim()))) throw invalid(`worker_tolerations '${t.key}' value must be non-empty when provided`);
      return { key: t.key, operator, ...(t.value !== undefined ? { value: t.value as string } : {}), ...(t.effect !== undefined ? { effect: t.effect as Taint['effect'] } : {}) };
    }),
  };
}

function taintsOf(value: unknown): Taint[] {
  return list('taints', 'taints', value, (t) => {
    if (typeof t.key !== 'string' || !t.key.trim()) throw invalid('worker taint key must be non-empty');
    if (t.value !== undefined && (typeof t.value !== 'string' || !t.value.trim())) throw invalid(`worker taint '${t.key}' value must be non-empty when provided`);
    const effect = t.effect ?? 'no_schedule';
    if (!EFFECTS.includes(effect as string)) throw invalid(`worker taint '${t.key}': effect must be no_schedule or prefer_no_schedule`);
    return { key: t.key, ...(t.value !== undefined ? { value: t.value as string } : {}), effect: effect as Taint['effect'] };
  });
}

/** upstream worker_matches_placement (selector and taints; affinity is not modelled). */
function takes(w: { labels: Labels; taints: Taint[] }, p: Placement): boolean {
  return Object.entries(p.selector).every(([k, v]) => w.labels[k] === v)
    && w.taints.every((taint) => taint.effect !== 'no_schedule' || p.tolerations.some((t) =>
      t.key === taint.key && (!t.effect || t.effect === taint.effect) && (t.operator === 'exists' || t.value === taint.value)));
}

/** One worker service process and the executor's view of it. */
class Worker {
  child: ChildProcess | null = null;
  private killed: ChildProcess | null = null;
  state: State = 'stopped';
  private lastHeartbeat = 0;
  private exit: { code: number | null; signal: string | null } | null = null;
  readonly inFlight = new Map<number, (outcome: RunOutcome | 'lost' | 'refused') => void>();

  constructor(readonly name: string, readonly labels: Labels, readonly taints: Taint[], private readonly changed: () => void) {}

  /** Start the worker process; resolves once it announced itself. */
  start(): Promise<void> {
    if (this.child && this.state !== 'stopped') throw conflict(`worker '${this.name}' (pid ${this.child.pid}) is already ${this.state}`);
    const child = fork(path.join(__dirname, 'worker-service.ts'), [], {
      execArgv: ['-r', 'ts-node/register/transpile-only'],
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
      stdio: ['ignore', 'ignore', process.env.E2E_DEBUG ? 'inherit' : 'ignore', 'ipc'],
    });
    yieldCpu(child.pid);
    this.child = child;
    this.state = 'starting';
    this.exit = null;
    this.lastHeartbeat = Date.now();
    child.on('message', (m: FromWorker) => this.receive(child, m));
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      this.exit = { code, signal };
      this.state = 'stopped';
    });
    return new Promise((resolve) => {
      const onReady = (m: FromWorker) => m.type === 'ready' && (child.off('message', onReady), resolve());
      child.on('message', onReady);
      child.once('exit', () => resolve());
    });
  }

  private receive(child: ChildProcess, m: FromWorker): void {
    if (this.child !== child || this.killed === child) return;
    this.lastHeartbeat = Date.now();
    if (m.type === 'ready') {
      this.state = 'ready';
      this.changed();
    } else if (m.type === 'draining') this.state = 'draining';
    else if (m.type === 'done') {
      this.inFlight.get(m.id)?.(m.outcome);
      this.inFlight.delete(m.id);
    } else if (m.type === 'refused') {
      this.inFlight.get(m.id)?.('refused');
      this.inFlight.delete(m.id);
    }
  }

  /** Heartbeat monitor: a worker silent for too long is dead, and what it ran is lost. */
  check(): void {
    if (this.inFlight.size && Date.now() - this.lastHeartbeat > HEARTBEAT_TIMEOUT_MS) this.loseAll();
  }

  loseAll(): void {
    for (const lost of this.inFlight.values()) lost('lost');
    this.inFlight.clear();
  }

  /** Run one action on this worker: its outcome, 'lost' when the worker died with it, 'refused' when it began draining. */
  run(id: number, spec: RunSpec): Promise<RunOutcome | 'lost' | 'refused'> {
    const { signal, ...rest } = spec;
    const child = this.child;
    if (!child || !child.connected) return Promise.resolve('refused');
    return new Promise((resolve) => {
      this.inFlight.set(id, resolve);
      const cancel = () => child.connected && child.send({ type: 'cancel', id, reason: signal.reason });
      if (signal.aborted) cancel();
      else signal.addEventListener('abort', cancel, { once: true });
      child.send({ type: 'run', id, spec: rest });
    });
  }

  status() {
    return {
      name: this.name, labels: this.labels, taints: this.taints,
      pid: this.child?.pid ?? null, state: this.state, last_heartbeat: new Date(this.lastHeartbeat).toISOString(),
      heartbeat_age_ms: Date.now() - this.lastHeartbeat, exit_code: this.exit?.code ?? null, exit_signal: this.exit?.signal ?? null,
      running: [...this.inFlight.keys()],
    };
  }

  signal(sig: string): void {
    if (sig !== 'SIGTERM' && sig !== 'SIGKILL') throw badRequest('signal must be SIGTERM or SIGKILL');
    if (!this.child || this.state === 'stopped') throw conflict(`worker '${this.name}' is not running`);
    // Asked to stop, the worker takes no new work from now on (as systemd's "deactivating").
    if (sig === 'SIGTERM' && this.state === 'ready') this.state = 'draining';
    // SIGKILL takes the worker's actions with it, as `systemctl kill -s KILL` kills the unit's
    // whole control group (each action runs in a process group of its own, a child of the worker).
    // All at once, as a cgroup is killed: the worker first (its groups noted before, while they are
    // still its children), and nothing it says after the kill counts (an action it saw die a moment
    // before its own end does not report as failed).
    const groups = sig === 'SIGKILL' && this.child.pid ? childGroups(this.child.pid) : [];
    if (sig === 'SIGKILL') this.killed = this.child;
    this.child.kill(sig);
    for (const pgid of groups) killGroup(pgid);
  }

  async stop(): Promise<void> {
    this.loseAll();
    const child = this.child;
    if (!child || this.state === 'stopped') return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.disconnect();
      setTimeout(() => (child.kill('SIGKILL'), resolve()), 3000).unref();
    });
  }
}

const NAME = /^[A-Za-z0-9_.-]{1,100}$/;

/** The deployment's worker services: `default` from the start, others as the operator starts them. */
export class WorkerService {
  private readonly workers = new Map<string, Worker>();
  private waiters: Array<{ placement: Placement; resolve: () => void }> = [];
  private readonly monitor: NodeJS.Timeout;
  private closed = false;

  constructor() {
    this.monitor = setInterval(() => this.workers.forEach((w) => w.check()), 250);
    this.monitor.unref();
  }

  /** Start a worker process (a new one under `name`, or `name` again once stopped); resolves once it announced itself. */
  start(name = 'default', labels: Labels = {}, taints: Taint[] = []): Promise<void> {
    if (this.closed) throw conflict('the service is stopping');
    let worker = this.workers.get(name);
    if (!worker) this.workers.set(name, (worker = new Worker(name, labels, taints, () => this.wake())));
    return worker.start();
  }

  private worker(name: string): Worker {
    const w = this.workers.get(name);
    if (!w) throw notFound(`Worker '${name}'`);
    return w;
  }

  private ready(placement: Placement): Worker | undefined {
    return [...this.workers.values()].find((w) => w.state === 'ready' && takes(w, placement));
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => (this.ready(w.placement) ? (w.resolve(), false) : true));
  }

  /** Resolves once a worker that may take the execution accepts work (it waits here, queued, while none does). */
  available(placement: Placement): Promise<void> {
    if (this.closed || this.ready(placement)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ placement, resolve }));
  }

  /** Run one action on a worker that may take it; 'lost' when that worker died with it. Refused
   *  work (the worker began draining as it was sent) waits for the next one. */
  async run(id: number, spec: RunSpec, placement: Placement): Promise<RunOutcome | 'lost'> {
    for (;;) {
      await this.available(placement);
      const worker = this.ready(placement);
      if (this.closed) return 'lost';
      if (!worker) continue;
      const outcome = await worker.run(id, spec);
      if (outcome !== 'refused') return outcome;
    }
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearInterval(this.monitor);
    for (const w of this.waiters.splice(0)) w.resolve();
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
  }

  /** The operator routes (mounted at /__admin behind the API's authentication; admins only). */
  routes(): Router {
    const r = Router();
    r.use((req, _res, next) => next(callerOf(req).isAdmin ? undefined : forbidden('operator routes are for admins')));
    r.get('/workers', (_req, res) => void res.json({ data: [...this.workers.values()].map((w) => w.status()) }));
    r.post('/workers', async (req, res) => {
      const name = String(req.body?.name ?? '');
      if (!NAME.test(name)) throw badRequest('name: 1 to 100 letters, digits, _ . or -');
      if (this.workers.has(name)) throw conflict(`worker '${name}' exists`);
      await this.start(name, labelMap('labels', req.body?.labels), taintsOf(req.body?.taints));
      res.status(201).json({ data: this.worker(name).status() });
    });
    r.get('/workers/:name', (req, res) => void res.json({ data: this.worker(req.params.name).status() }));
    r.post('/workers/:name/signal', (req, res) => {
      const w = this.worker(req.params.name);
      w.signal(String(req.body?.signal ?? ''));
      res.json({ data: w.status() });
    });
    r.post('/workers/:name/start', async (req, res) => {
      const w = this.worker(req.params.name);
      await this.start(w.name);
      res.json({ data: w.status() });
    });
    r.delete('/workers/:name', async (req, res) => {
      const w = this.worker(req.params.name);
      this.workers.delete(w.name);
      if (w.child && w.state !== 'stopped') w.signal('SIGKILL');
      await w.stop();
      res.status(204).end();
    });
    return r;
  }
}
