import type { AddressInfo } from 'node:net';
import express from 'express';
import { hashPassword, Tokens } from './auth';
import { seedCloudModels, seedProviders } from './catalog';
import { errorHandler } from './errors';
import { RateLimiter, type Limit, type Rule } from './ratelimit';
import { authRoutes, operatorRoutes, userAdminRoutes, type Ctx } from './routes-auth';
import { modelRoutes } from './routes-models';
import { ALL_PERMISSIONS, BudState, DEFAULT_TIMINGS, type Timings } from './state';
import { workflowRoutes } from './workflows';
import { deployRoutes } from './deploy';
import { gatewayRoutes } from './gateway';

export interface BudOptions {
  admin: { email: string; password: string };
  /** Per-rule limits (defaults are high; see README). */
  rateLimits?: Partial<Record<Rule, Limit>>;
  /** Token lifetimes and workflow stage durations. */
  timings?: Partial<Timings>;
}

export interface BudHandle { url: string; stop(): Promise<void> }

/** Embedded budapp (+ the budgateway inference routes) on 127.0.0.1:<free port>. */
export async function startBud(opts: BudOptions): Promise<BudHandle> {
  const state = new BudState({ ...DEFAULT_TIMINGS, ...opts.timings });
  state.providers = seedProviders();
  state.cloudModels = seedCloudModels(state.providers);
  state.addUser({
    name: 'Super Admin', email: opts.admin.email.toLowerCase(), password: hashPassword(opts.admin.password),
    role: 'super_admin', company: null, purpose: null, user_type: 'admin', permissions: [...ALL_PERMISSIONS],
  });
  for (const u of state.users.values()) u.first_login = false;
  const ctx: Ctx = { state, tokens: new Tokens(state), limiter: new RateLimiter(opts.rateLimits) };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(express.json({ limit: '1mb' }));
  app.use(express.urlencoded({ extended: false, limit: '1mb' }));
  app.get('/health', (_req, res) => {
    res.json({ object: 'info', message: 'ack' });
  });
  app.get('/', (_req, res) => {
    res.json({ object: 'info', message: 'budapp emulator', name: 'budapp', version: 'emulator' });
  });
  app.use(authRoutes(ctx));
  app.use(operatorRoutes(ctx));
  app.use(userAdminRoutes(ctx));
  app.use(workflowRoutes(ctx));
  app.use(deployRoutes(ctx));
  app.use(gatewayRoutes(ctx));
  app.use(modelRoutes(ctx));
  app.use((_req, res) => {
    res.status(404).json({ detail: 'Not Found' });
  });
  app.use(errorHandler);

  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        state.clearTimers();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
