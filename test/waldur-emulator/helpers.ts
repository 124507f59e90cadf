// Shared helpers for the Waldur emulator unit tests: a tiny REST client and a federation-ready setup.
import { createServer, IncomingMessage, Server } from 'node:http';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import Ajv from 'ajv';
import { startWaldur } from '../../emulators/waldur';

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any
export interface Answer { status: number; body: Json; headers: Headers }

export function client(url: string, token: string | null) {
  const call = async (method: string, path: string, body?: unknown): Promise<Answer> => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Token ${token}`;
    const res = await fetch(path.startsWith('http') ? path : `${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    let parsed: Json = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  };
  return {
    get: (p: string) => call('GET', p),
    post: (p: string, b: unknown = {}) => call('POST', p, b),
    put: (p: string, b: unknown) => call('PUT', p, b),
    patch: (p: string, b: unknown) => call('PATCH', p, b),
    del: (p: string) => call('DELETE', p),
  };
}
export type Client = ReturnType<typeof client>;

/** An active offering of the given type with limit components and a plan, like the plan's Step 1/2. */
export async function activeOffering(api: Client, type: string, components: string[]): Promise<Json> {
  const category = (await api.get('api/marketplace-categories/')).body[0];
  const customer = (await api.get('api/customers/')).body[0];
  const created = await api.post('api/marketplace-provider-offerings/', {
    name: `${type} offering`, category: category.url, customer: customer.url, type,
    components: components.map((c) => ({ type: c, name: c.toUpperCase(), billing_type: 'limit', measured_unit: 'Hours' })),
    plans: [{ name: 'Default', unit_price: '0' }],
  });
  if (created.status !== 201) throw new Error(`offering: ${created.status} ${JSON.stringify(created.body)}`);
  const activated = await api.post(`api/marketplace-provider-offerings/${created.body.uuid}/activate/`);
  if (activated.status !== 200) throw new Error(`activate: ${activated.status}`);
  return (await api.get(`api/marketplace-public-offerings/${created.body.uuid}/`)).body;
}

export async function createOrder(api: Client, offering: Json, limits: Record<string, number>, name = 'e2e-res'): Promise<Answer> {
  let project = (await api.get('api/projects/?name_exact=Federation%20project')).body[0];
  if (!project) {
    const customer = (await api.get('api/customers/')).body[0];
    project = (await api.post('api/projects/', { name: 'Federation project', customer: customer.url })).body;
  }
  return api.post('api/marketplace-orders/', { offering: offering.url, project: project.url, plan: offering.plans[0].url, limits, attributes: { name }, type: 'Create' });
}

/** A recorder standing in for the RabbitMQ management API. */
export async function fakeRabbit(): Promise<{ url: string; calls: { method: string; path: string; body: Json; auth: string }[]; stop(): Promise<void> }> {
  const calls: { method: string; path: string; body: Json; auth: string }[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString();
      calls.push({ method: req.method ?? '', path: req.url ?? '', body: raw ? JSON.parse(raw) : undefined, auth: req.headers.authorization ?? '' });
      if (req.method === 'POST') res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"routed":true}');
      else res.writeHead(201).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export { startWaldur };

const SCHEMAS = join(__dirname, '../../emulators/waldur/schemas');
const ajv = new Ajv({
  strict: false,
  allErrors: true,
  formats: {
    uuid: /^[0-9a-f]{32}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    'date-time': (s: string) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s),
    date: /^\d{4}-\d{2}-\d{2}$/,
    // DRF renders a blank URLField as "" although the schema says format: uri.
    uri: /^$|^https?:\/\//,
    email: /^$|^[^@\s]+@[^@\s]+$/,
    decimal: /^-?\d+(\.\d+)?$/,
    double: true,
    int32: true,
    int64: true,
    binary: true,
  },
});

/** Asserts `value` validates against the OpenAPI 8.0.5 component `root` (emulators/waldur/schemas/<root>.json). */
export function checkSchema(root: string, value: Json, where = root): void {
  const validate = ajv.getSchema(`waldur-8.0.5/${root}.json`) ?? ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, `${root}.json`), 'utf8')));
  assert.ok(validate(value), `${where} as ${root}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
}

/** Both embedded instances with a recorder for the broker's management API, and a staff client of Waldur A. */
export async function startWithRecorder(): Promise<{ rabbit: Awaited<ReturnType<typeof fakeRabbit>>; waldur: Awaited<ReturnType<typeof startWaldur>>; a: Client; stop(): Promise<void> }> {
  const rabbit = await fakeRabbit();
  const waldur = await startWaldur({ broker: { wsUrl: 'ws://127.0.0.1:9/ws', managementUrl: rabbit.url, adminUser: 'admin', adminPassword: 'x' }, targetStomp: false });
  return { rabbit, waldur, a: client(waldur.a.url, waldur.a.token), stop: async () => { await waldur.stop(); await rabbit.stop(); } };
}
