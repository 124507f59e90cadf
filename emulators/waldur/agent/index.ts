// The reference site agent: the federation part of waldur-site-agent (backend "waldur"), driven through
// a small HTTP control API (README.md). It takes the same YAML configuration as waldur_site_agent.
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { ApiFailure } from './api';
import { AgentConfig, ConfigProblem, parseAgentConfig } from './config';
import { EventConsumers } from './events';
import { CycleReport, OrderProcessor } from './processor';
import type { UsernameSync } from './backend';

export type Mode = 'order_process' | 'event_process';

/** One running agent: a processor per configured offering, plus STOMP consumers in event_process. */
export class AgentRun {
  readonly processors: OrderProcessor[];
  readonly consumers: EventConsumers[] = [];

  constructor(readonly id: string, readonly mode: Mode, readonly config: AgentConfig) {
    this.processors = config.offerings.map((o) => new OrderProcessor(o));
  }

  async start(): Promise<unknown[]> {
    const init = [];
    for (const p of this.processors) init.push({ offering: p.offering.name, offering_uuid: p.offering.waldur_offering_uuid, ...(await p.init()) });
    if (this.mode === 'event_process') {
      for (const p of this.processors.filter((x) => x.offering.stomp_enabled)) {
        const c = new EventConsumers(p);
        this.consumers.push(c);
        await c.start();
      }
    }
    return init;
  }

  async cycle(): Promise<CycleReport[]> {
    const reports = [];
    for (const p of this.processors) reports.push(await p.cycle());
    return reports;
  }

  /** sync_offering_user_usernames for every configured offering, as the target OFFERING_USER handler runs it. */
  async syncUsernames(): Promise<({ offering: string } & UsernameSync)[]> {
    const out = [];
    for (const p of this.processors) out.push({ offering: p.offering.name, ...(await p.syncUsernames()) });
    return out;
  }

  /** run_periodic_username_reconciliation: the sync for the offerings that qualify, the others skipped with the reason. */
  async reconcileUsernames(): Promise<{ offering: string; skipped: string | null; changed: boolean; patched: UsernameSync['patched'] }[]> {
    const out = [];
    for (const p of this.processors) {
      const skipped = p.reconciliationSkip();
      const sync = skipped ? { changed: false, patched: [] } : await p.syncUsernames();
      out.push({ offering: p.offering.name, skipped, ...sync });
    }
    return out;
  }

  connections() {
    return this.consumers.flatMap((c) => c.connections());
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.consumers.map((c) => c.stop()));
  }
}

class HttpProblem extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (!text.trim()) return resolve({});
      try {
        const v = JSON.parse(text);
        resolve(v && typeof v === 'object' ? v : {});
      } catch {
        reject(new HttpProblem(400, 'request body is not JSON'));
      }
    });
  });
}

export async function startSiteAgent(): Promise<{ controlUrl: string; stop(): Promise<void> }> {
  const runs = new Map<string, AgentRun>();

  async function route(req: IncomingMessage): Promise<{ status: number; body?: unknown }> {
    const path = new URL(req.url ?? '/', 'http://agent').pathname.replace(/\/+$/, '');
    const [, root, id, action] = path.split('/');
    if (root !== 'processors') throw new HttpProblem(404, `no route ${req.method} ${path}`);
    if (!id) {
      if (req.method === 'GET') return { status: 200, body: [...runs.values()].map((r) => ({ id: r.id, mode: r.mode })) };
      if (req.method !== 'POST') throw new HttpProblem(405, `${req.method} not allowed`);
      const body = await readJson(req);
      const mode = body.mode ?? 'order_process';
      if (mode !== 'order_process' && mode !== 'event_process') throw new HttpProblem(400, 'mode must be order_process or event_process');
      if (typeof body.config_yaml !== 'string') throw new HttpProblem(400, 'config_yaml (the waldur_site_agent YAML) is required');
      const run = new AgentRun(randomUUID(), mode, parseAgentConfig(body.config_yaml));
      try {
        const offerings = await run.start();
        runs.set(run.id, run);
        return { status: 201, body: { id: run.id, mode, offerings } };
      } catch (e) {
        await run.stop();
        throw e;
      }
    }
    const run = runs.get(id);
    if (!run) throw new HttpProblem(404, `no processor ${id}`);
    if (!action && req.method === 'GET') return { status: 200, body: { id: run.id, mode: run.mode, offerings: run.config.offerings.map((o) => o.name) } };
    if (!action && req.method === 'DELETE') {
      runs.delete(id);
      await run.stop();
      return { status: 204 };
    }
    if (action === 'cycle' && req.method === 'POST') return { status: 200, body: await run.cycle() };
    if (action === 'connections' && req.method === 'GET') return { status: 200, body: run.connections() };
    if (action === 'sync-usernames' && req.method === 'POST') return { status: 200, body: await run.syncUsernames() };
    if (action === 'reconcile-usernames' && req.method === 'POST') return { status: 200, body: await run.reconcileUsernames() };
    throw new HttpProblem(404, `no route ${req.method} ${path}`);
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    route(req)
      .catch((e: unknown) => {
        if (e instanceof HttpProblem) return { status: e.status, body: { detail: e.message } };
        if (e instanceof ConfigProblem) return { status: 400, body: { detail: `invalid agent configuration: ${e.message}` } };
        if (e instanceof ApiFailure) return { status: 502, body: { detail: e.message } };
        return { status: 502, body: { detail: (e as Error).message } };
      })
      .then(({ status, body }) => {
        const text = body === undefined ? '' : JSON.stringify(body);
        res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    controlUrl: `http://127.0.0.1:${port}/`,
    async stop() {
      await Promise.allSettled([...runs.values()].map((r) => r.stop()));
      runs.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
