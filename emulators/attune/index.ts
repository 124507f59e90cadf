// Embedded Attune: a wire-compatible reference implementation of Attune's HEAD API
// (see README.md). startAttune() boots PostgreSQL (PGlite + pglite-socket), the API, the
// executor/worker, the timer sensor and the notifier on free ports of 127.0.0.1.
import * as fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import express from 'express';
import { hashPassword, Tokens } from './auth';
import type { Ctx } from './context';
import { Audit } from './audit';
import { Database } from './db';
import { dialectRoutes, initDialect, openApiRoute } from './dialect';
import { Engine } from './engine';
import { ApiError, errorHandler } from './http';
import { Notifier } from './notifier';
import { configureOutput } from './output';
import { RateLimiter } from './ratelimit';
import { Rbac } from './rbac';
import { RuleNotices } from './rule-notices';
import { activityRoutes, expireInquiries, expireKeys, webhookRoutes } from './routes-activity';
import { catalogRoutes, healthAndAuthRoutes, jsonBody } from './routes-catalog';
import { Crypto } from './secrets';
import { TimerSensor } from './sensor';
import { SensorManager, sensorRoutes } from './sensors';
import { WorkerService } from './workers';

export interface AttuneOptions {
  admin: { login: string; password: string };
  /** The worker's config (the plan's `worker:` section): output limit and truncation message (output.ts). */
  worker?: { max_output_size_bytes?: number; output_truncation_message?: string };
}

export interface RunningAttune {
  apiUrl: string;
  notifierUrl: string;
  databaseUrl: string;
  stop(): Promise<void>;
}

export async function startAttune(opts: AttuneOptions): Promise<RunningAttune> {
  configureOutput(opts.worker);
  // Pack environments (venvs) of this deployment, shared by its worker processes (deps.ts).
  const runtimeEnvs = process.env.ATTUNE_RUNTIME_ENVS_DIR ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'attune-emulator-runtime-envs-'));
  if (runtimeEnvs) process.env.ATTUNE_RUNTIME_ENVS_DIR = runtimeEnvs;
  // Execution logs: written by its worker processes as actions run, served by its API (worker.ts).
  const artifacts = process.env.ATTUNE_ARTIFACTS_DIR ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'attune-emulator-artifacts-'));
  if (artifacts) process.env.ATTUNE_ARTIFACTS_DIR = artifacts;
  const adminHash = hashPassword(opts.admin.password); // on the thread pool while the database boots
  // The worker service runs as its own process (worker-service.ts): it loads while the database boots.
  const workerService = new WorkerService();
  const workerStarted = workerService.start();
  const db = await Database.open();
  const packsRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'attune-emulator-packs-'));
  const tokens = new Tokens(db);
  const notifier = new Notifier(tokens);
  const crypto = new Crypto();
  let apiUrl = '';
  const engine = new Engine(db, notifier, tokens, crypto, () => apiUrl);
  const sensor = new TimerSensor(db, engine);
  const sensors = new SensorManager(db, tokens, () => apiUrl);
  const ctx: Ctx = { db, tokens, engine, sensor, notifier, crypto, packsRoot };
  const rbac = new Rbac(db);
  await rbac.init();
  const limiter = new RateLimiter(rbac);
  const audit = new Audit(db);
  await audit.init();
  await initDialect(db);
  engine.audit = audit;
  const ruleNotices = new RuleNotices(notifier);
  engine.ruleNotices = ruleNotices;
  engine.workerService = workerService;

  await db.query(
    `INSERT INTO identity (login, display_name, password_hash, is_admin, tenant) VALUES ($1, $1, $2, true, $1)
     ON CONFLICT (login) DO UPDATE SET password_hash = EXCLUDED.password_hash, is_admin = true`,
    [opts.admin.login, await adminHash],
  );

  // The core pack's scripts (core.http_request) live with the emulator, as upstream's packs/core.
  await db.query(`UPDATE pack SET pack_dir = $1 WHERE ref = 'core'`, [path.join(__dirname, 'core-pack')]);

  const app = express();
  app.disable('x-powered-by');
  app.use('/api/v1', webhookRoutes(ctx)); // unauthenticated, raw body
  app.use(jsonBody);
  app.use('/__admin', tokens.middleware(), workerService.routes()); // operator interface (workers.ts)
  app.use(healthAndAuthRoutes(ctx));
  app.use(openApiRoute(app));
  app.use('/api/v1', tokens.middleware(), limiter.middleware(), rbac.middleware(), rbac.routes(), audit.routes(), dialectRoutes(db), catalogRoutes(ctx), activityRoutes(ctx), sensorRoutes(ctx));
  app.use((_req, _res, next) => next(new ApiError(404, 'NOT_FOUND', 'Route not found')));
  app.use(errorHandler);

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const notifierUrl = await notifier.listen();
  await sensor.syncAll();
  sensors.start();
  await workerStarted;
  const expiry = setInterval(() => void Promise.all([expireInquiries(ctx), expireKeys(ctx)]).catch(() => undefined), 1000);

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      clearInterval(expiry);
      await sensor.stop();
      await sensors.stop();
      await workerService.stop();
      await engine.stop();
      ruleNotices.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await notifier.close();
      await db.close();
      fs.rmSync(packsRoot, { recursive: true, force: true });
      if (runtimeEnvs) {
        fs.rmSync(runtimeEnvs, { recursive: true, force: true });
        if (process.env.ATTUNE_RUNTIME_ENVS_DIR === runtimeEnvs) delete process.env.ATTUNE_RUNTIME_ENVS_DIR;
      }
      if (artifacts) {
        fs.rmSync(artifacts, { recursive: true, force: true });
        if (process.env.ATTUNE_ARTIFACTS_DIR === artifacts) delete process.env.ATTUNE_ARTIFACTS_DIR;
      }
    })());
  return { apiUrl, notifierUrl, databaseUrl: db.url, stop };
}
