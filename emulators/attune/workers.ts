// The executor's side of the worker service (worker-service.ts runs in its own OS process):
// dispatch an action run to the worker over IPC, hold executions back while no worker accepts work
// (queued, as upstream's executions wait in the worker queue), and watch the worker's heartbeats.
// A worker silent for HEARTBEAT_TIMEOUT_MS is dead: each execution it was running is reported lost,
// and the engine marks it `abandoned` (upstream: the execution timeout monitor,
// `result.abandoned_by = "execution_timeout_monitor"`, REPORT §1.10).
//
// Operator interface (what `systemctl kill|stop|start attune-worker` is on a real deployment), on
// the API server, for admin identities only:
//   GET  /__admin/worker                 {pid, state, last_heartbeat, exit_code, exit_signal, running}
//   POST /__admin/worker/signal {signal} SIGTERM (graceful drain) or SIGKILL
//   POST /__admin/worker/start           start a new worker process (when none is running)
import { ChildProcess, fork } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Router } from 'express';
import { callerOf } from './auth';
import { badRequest, conflict, forbidden } from './http';
import type { RunOutcome, RunSpec } from './worker';
import type { FromWorker } from './worker-service';

export const HEARTBEAT_TIMEOUT_MS = 10_000;

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

export class WorkerService {
  private child: ChildProcess | null = null;
  private state: State = 'stopped';
  private lastHeartbeat = 0;
  private exit: { code: number | null; signal: string | null } | null = null;
  private readonly inFlight = new Map<number, (outcome: RunOutcome | 'lost' | 'refused') => void>();
  private readonly readyWaiters: Array<() => void> = [];
  private readonly monitor: NodeJS.Timeout;
  private closed = false;

  constructor() {
    this.monitor = setInterval(() => this.check(), 250);
    this.monitor.unref();
  }

  /** Start a worker process; resolves once it announced itself. */
  start(): Promise<void> {
    if (this.closed) throw conflict('the service is stopping');
    if (this.child && this.state !== 'stopped') throw conflict(`a worker (pid ${this.child.pid}) is already ${this.state}`);
    const child = fork(path.join(__dirname, 'worker-service.ts'), [], {
      execArgv: ['-r', 'ts-node/register/transpile-only'],
      env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
      stdio: ['ignore', 'ignore', process.env.E2E_DEBUG ? 'inherit' : 'ignore', 'ipc'],
    });
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
    if (this.child !== child) return;
    this.lastHeartbeat = Date.now();
    if (m.type === 'ready') {
      this.state = 'ready';
      for (const w of this.readyWaiters.splice(0)) w();
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
  private check(): void {
    if (!this.inFlight.size || Date.now() - this.lastHeartbeat <= HEARTBEAT_TIMEOUT_MS) return;
    for (const lost of this.inFlight.values()) lost('lost');
    this.inFlight.clear();
  }

  /** Resolves once a worker accepts work (executions wait here, queued, while none does). */
  available(): Promise<void> {
    if (this.state === 'ready' || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Run one action on the worker; 'lost' when the worker died with it. Refused work (the worker
   *  began draining as it was sent) waits for the next worker. */
  async run(id: number, spec: RunSpec): Promise<RunOutcome | 'lost'> {
    const { signal, ...rest } = spec;
    for (;;) {
      await this.available();
      const child = this.child;
      if (this.closed || !child || !child.connected) return 'lost';
      if (this.state !== 'ready') continue;
      const outcome = await new Promise<RunOutcome | 'lost' | 'refused'>((resolve) => {
        this.inFlight.set(id, resolve);
        const cancel = () => child.connected && child.send({ type: 'cancel', id, reason: signal.reason });
        if (signal.aborted) cancel();
        else signal.addEventListener('abort', cancel, { once: true });
        child.send({ type: 'run', id, spec: rest });
      });
      if (outcome !== 'refused') return outcome;
    }
  }

  status() {
    return {
      pid: this.child?.pid ?? null, state: this.state, last_heartbeat: new Date(this.lastHeartbeat).toISOString(),
      heartbeat_age_ms: Date.now() - this.lastHeartbeat, exit_code: this.exit?.code ?? null, exit_signal: this.exit?.signal ?? null,
      running: [...this.inFlight.keys()],
    };
  }

  signal(sig: string): void {
    if (sig !== 'SIGTERM' && sig !== 'SIGKILL') throw badRequest('signal must be SIGTERM or SIGKILL');
    if (!this.child || this.state === 'stopped') throw conflict('no worker is running');
    // Asked to stop, the worker takes no new work from now on (as systemd's "deactivating").
    if (sig === 'SIGTERM' && this.state === 'ready') this.state = 'draining';
    // SIGKILL takes the worker's actions with it, as `systemctl kill -s KILL` kills the unit's
    // whole control group (each action runs in a process group of its own, a child of the worker).
    if (sig === 'SIGKILL' && this.child.pid) for (const pgid of childGroups(this.child.pid)) killGroup(pgid);
    this.child.kill(sig);
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearInterval(this.monitor);
    for (const w of this.readyWaiters.splice(0)) w();
    for (const lost of this.inFlight.values()) lost('lost');
    this.inFlight.clear();
    const child = this.child;
    if (!child || this.state === 'stopped') return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.disconnect();
      setTimeout(() => (child.kill('SIGKILL'), resolve()), 3000).unref();
    });
  }

  /** The operator routes (mounted at /__admin behind the API's authentication; admins only). */
  routes(): Router {
    const r = Router();
    r.use((req, _res, next) => next(callerOf(req).isAdmin ? undefined : forbidden('operator routes are for admins')));
    r.get('/worker', (_req, res) => void res.json({ data: this.status() }));
    r.post('/worker/signal', (req, res) => {
      this.signal(String(req.body?.signal ?? ''));
      res.json({ data: this.status() });
    });
    r.post('/worker/start', async (_req, res) => {
      await this.start();
      res.json({ data: this.status() });
    });
    return r;
  }
}
