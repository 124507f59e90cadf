// Custom sensors: a pack's sensors/*.yaml (ref, runner_type, entry_point, trigger_types[],
// parameters, enabled) run as standalone processes, as upstream's sensor service does
// (crates/sensor/src/sensor_manager.rs start_standalone_sensor): one process per enabled sensor
// whose trigger has enabled rules, the script `<pack>/sensors/<entrypoint>`, env ATTUNE_API_URL,
// ATTUNE_API_TOKEN (a sensor token), ATTUNE_SENSOR_ID, ATTUNE_SENSOR_REF and ATTUNE_SENSOR_TRIGGERS
// (the enabled rules as `[{id, ref, config: trigger_params}]`). The process creates events with
// `POST /api/v1/events`. A change of the rules restarts the process with the new trigger instances
// (handle_rule_change); here the manager reconciles once a second instead of listening to the queue.
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Router } from 'express';
import type { Caller, Tokens } from './auth';
import { callerOf } from './auth';
import { findVisible, scope } from './catalog';
import type { Ctx } from './context';
import type { Database, Row } from './db';
import { Where } from './http';
import { listPage } from './routes-catalog';
import { pythonInterpreter, runtimeOf } from './worker';

interface Running {
  child: ChildProcess;
  key: string; // what it was started with: a change restarts it
  exited: boolean;
  startedAt: number;
}

/** Register the sensors of a pack being loaded (sensors/*.yaml); a sensor's trigger must exist. */
export async function registerSensors(db: Database, caller: Caller, pack: Row, files: Row[]): Promise<void> {
  for (const s of files) {
    if (typeof s.ref !== 'string' || typeof (s.entry_point ?? s.entrypoint) !== 'string') continue;
    const triggerRef = Array.isArray(s.trigger_types) ? String(s.trigger_types[0]) : String(s.trigger_ref ?? '');
    const trigger = await db.one('SELECT id, ref FROM trigger WHERE ref = $1', [triggerRef]);
    if (!trigger) continue; // upstream's loader skips a sensor whose trigger is unknown
    await db.query(
      `INSERT INTO sensor (ref, pack, pack_ref, label, description, entrypoint, runtime_ref, trigger, trigger_ref, enabled, param_schema, config, tenant)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)`,
      [s.ref, pack.id, pack.ref, s.label ?? s.ref, s.description ?? null, s.entry_point ?? s.entrypoint, s.runner_type ?? s.runtime_ref ?? 'python',
        trigger.id, trigger.ref, s.enabled !== false, JSON.stringify(s.parameters ?? null), JSON.stringify(s.config ?? {}), caller.tenant],
    );
  }
}

const summary = (r: Row) => ({ id: Number(r.id), ref: r.ref, pack_ref: r.pack_ref, label: r.label, description: r.description, enabled: r.enabled, created: r.created, updated: r.updated });
const full = (r: Row) => ({
  ...summary(r), pack: r.pack === null ? null : Number(r.pack), entrypoint: r.entrypoint, runtime: 0, runtime_ref: r.runtime_ref,
  trigger: r.trigger === null ? null : Number(r.trigger), trigger_ref: r.trigger_ref, param_schema: r.param_schema,
  worker_selector: {}, worker_tolerations: [], worker_affinity: {},
});

/** `GET /sensors`, `GET /sensors/{ref}`, `GET /triggers/{ref}/sensors` (read side of routes/triggers.rs). */
export function sensorRoutes(ctx: Ctx): Router {
  const r = Router();
  r.get('/sensors', async (req, res) => void res.json(await listPage(ctx, req, 'sensor', scope(new Where(), callerOf(req)), summary)));
  r.get('/sensors/:ref', async (req, res) => void res.json({ data: full(await findVisible(ctx.db, 'sensor', 'ref', req.params.ref, callerOf(req), 'Sensor')) }));
  r.get('/triggers/:ref/sensors', async (req, res) => {
    const trigger = await findVisible(ctx.db, 'trigger', 'ref', req.params.ref, callerOf(req), 'Trigger');
    res.json(await listPage(ctx, req, 'sensor', scope(new Where().add('trigger = ?', trigger.id), callerOf(req)), summary));
  });
  return r;
}

export class SensorManager {
  private readonly running = new Map<number, Running>();
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly db: Database, private readonly tokens: Tokens, private readonly apiUrl: () => string) {}

  start(): void {
    this.timer = setInterval(() => void this.reconcile().catch(() => undefined), 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    for (const id of [...this.running.keys()]) this.kill(id);
  }

  /** Start, restart or stop sensor processes so that exactly the sensors with enabled rules run. */
  async reconcile(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const sensors = await this.db.query(
        `SELECT s.*, p.pack_dir, p.installed_by,
           (SELECT coalesce(json_agg(json_build_object('id', r.id, 'ref', r.ref, 'config', r.trigger_params) ORDER BY r.id), '[]'::json)
              FROM rule r WHERE r.trigger = s.trigger AND r.enabled) AS instances
         FROM sensor s JOIN pack p ON p.id = s.pack WHERE s.enabled`,
      );
      const wanted = new Set<number>();
      for (const s of sensors) {
        const instances = (s.instances ?? []) as Row[];
        if (!instances.length) continue;
        const id = Number(s.id);
        wanted.add(id);
        const key = JSON.stringify([instances, s.updated, s.pack_dir]);
        const now = this.running.get(id);
        if (now && now.key === key && !now.exited) continue;
        if (now && now.exited && now.key === key && Date.now() - now.startedAt < 5000) continue; // crashed: retry at most every 5 s
        this.kill(id);
        await this.spawn(s, instances, key);
      }
      for (const id of [...this.running.keys()]) if (!wanted.has(id)) this.kill(id);
    } finally {
      this.busy = false;
    }
  }

  private kill(id: number): void {
    const r = this.running.get(id);
    this.running.delete(id);
    if (!r || r.exited || !r.child.pid) return;
    try {
      process.kill(-r.child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }

  private async spawn(s: Row, instances: Row[], key: string): Promise<void> {
    const script = path.join(String(s.pack_dir ?? ''), 'sensors', s.entrypoint);
    if (!s.pack_dir || !fs.existsSync(script)) return;
    const runtime = runtimeOf(s.runtime_ref, s.entrypoint);
    const [exe, args] = runtime === 'python' ? [await pythonInterpreter(), ['-u', script]] : runtime === 'node' ? [process.execPath, [script]] : ['/bin/bash', ['--norc', '--noprofile', script]];
    const identity = s.installed_by ? await this.db.one('SELECT * FROM identity WHERE id = $1', [s.installed_by]) : undefined;
    if (!identity) return;
    const token = await this.tokens.issue(identity, 'sensor', { trigger_types: [s.trigger_ref] });
    const child = spawn(exe, args, {
      cwd: path.dirname(script),
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', LANG: 'C.UTF-8', SHLVL: '1',
        ATTUNE_API_URL: this.apiUrl(), ATTUNE_API_TOKEN: token, ATTUNE_SENSOR_ID: String(s.id), ATTUNE_SENSOR_REF: s.ref,
        ATTUNE_SENSOR_TRIGGERS: JSON.stringify(instances), ATTUNE_LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'ignore', process.env.E2E_DEBUG ? 'inherit' : 'ignore'],
      detached: true,
    });
    const running: Running = { child, key, exited: false, startedAt: Date.now() };
    child.on('exit', () => (running.exited = true));
    child.on('error', () => (running.exited = true));
    this.running.set(Number(s.id), running);
  }
}
