// A subset of the RabbitMQ management HTTP API (same paths, bodies, status codes and error shape),
// so the code that drives a real RabbitMQ drives the embedded broker unchanged.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { Broker, BrokerError, Properties, propertiesToHeaders, Queue } from './broker';

export interface ConnectionInfo {
  name: string;
  user: string;
  vhost: string;
  protocol: string;
  peer_host: string;
  peer_port: number;
  connected_at: number;
  state: string;
}

export interface ManagementHooks {
  connections(): ConnectionInfo[];
  /** Force-closes the connection of that name (as `rabbitmqctl close_connection`); false when there is none. */
  closeConnection(name: string, reason: string): boolean;
  /** Called after a vhost or user is deleted, or a queue is deleted, so live sessions can be closed/updated. */
  onDeleted(what: { vhost?: string; user?: string; queue?: Queue }): void;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly error: string, readonly reason: string) {
    super(reason);
  }
}

const notFound = () => new HttpError(404, 'Object Not Found', 'Not Found');
const MAX_BODY = 8 * 1024 * 1024;

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, 'bad_request', 'request body too large');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  try {
    const body = JSON.parse(text) as unknown;
    if (body && typeof body === 'object' && !Array.isArray(body)) return body as Record<string, unknown>;
  } catch {
    /* fall through */
  }
  throw new HttpError(400, 'bad_request', 'not_json');
}

function requireKeys(body: Record<string, unknown>, keys: string[]): void {
  const missing = keys.filter((k) => body[k] === undefined);
  if (missing.length) throw new HttpError(400, 'bad_request', `[${missing.map((k) => `{key_missing,${k}}`).join(',')}]`);
}

function queueJson(q: Queue) {
  return {
    name: q.name,
    vhost: q.vhost,
    durable: q.options.durable,
    auto_delete: q.options.auto_delete,
    exclusive: !!q.options.exclusive,
    arguments: q.options.arguments,
    messages: q.messages.length + q.unacknowledged,
    messages_ready: q.messages.length,
    messages_unacknowledged: q.unacknowledged,
    consumers: q.consumers.length,
    // RabbitMQ omits message_stats until the queue has seen traffic.
    ...(Object.values(q.stats).some((n) => n > 0) ? { message_stats: { ...q.stats } } : {}),
    state: 'running',
    type: 'classic',
  };
}

function tagsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String).filter(Boolean);
  if (typeof value === 'string') return value.split(',').map((t) => t.trim()).filter(Boolean);
  if (value === undefined || value === null) return [];
  throw new HttpError(400, 'bad_request', 'tags must be a comma-separated string or a list');
}

export function managementHandler(broker: Broker, hooks: ManagementHooks) {
  /** The authenticated management user (administrator or management tag), else 401. */
  function authenticate(req: IncomingMessage): string {
    const m = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const decoded = m ? Buffer.from(m[1], 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const user = colon < 0 ? undefined : broker.authenticate(decoded.slice(0, colon), decoded.slice(colon + 1));
    if (!user) throw new HttpError(401, 'not_authorized', 'Login failed');
    if (!user.tags.some((t) => ['administrator', 'management', 'monitoring', 'policymaker'].includes(t))) {
      throw new HttpError(401, 'not_authorised', 'Not management user');
    }
    if (!user.tags.includes('administrator')) throw new HttpError(401, 'not_authorised', 'Not administrator user');
    return user.name;
  }

  function vhostAccess(user: string, vhost: string): void {
    if (!broker.vhosts.has(vhost)) throw new HttpError(404, 'not_found', 'vhost_not_found');
    if (!broker.canAccessVhost(user, vhost)) throw new HttpError(401, 'not_authorised', 'Access refused.');
  }

  async function route(req: IncomingMessage, admin: string, segments: string[]): Promise<[number, unknown?]> {
    const method = req.method ?? 'GET';
    const [resource, a, b, c] = segments;
    const key = `${method} ${resource}/${segments.length}`;
    switch (key) {
      case 'GET overview/1':
        return [200, { management_version: '3.10.8', rabbitmq_version: '3.10.8', product_name: 'RabbitMQ (e2e emulator)' }];
      case 'GET vhosts/1':
        return [200, [...broker.vhosts.keys()].map((name) => ({ name }))];
      case 'GET vhosts/2':
        if (!broker.vhosts.has(a)) throw notFound();
        return [200, { name: a }];
      case 'PUT vhosts/2':
        await readJson(req);
        return [broker.putVhost(a, admin) ? 201 : 204];
      case 'DELETE vhosts/2':
        if (!broker.deleteVhost(a)) throw notFound();
        hooks.onDeleted({ vhost: a });
        return [204];
      case 'GET users/2': {
        const user = broker.users.get(a);
        if (!user) throw notFound();
        return [200, { name: user.name, tags: user.tags }];
      }
      case 'PUT users/2': {
        const body = await readJson(req);
        if (body.password !== undefined && typeof body.password !== 'string') throw new HttpError(400, 'bad_request', 'password must be a string');
        if (body.password_hash !== undefined) throw new HttpError(400, 'bad_request', 'password_hash is not supported by this emulator; send password');
        return [broker.putUser(a, body.password as string | undefined, tagsOf(body.tags)) ? 201 : 204];
      }
      case 'DELETE users/2':
        if (!broker.deleteUser(a)) throw notFound();
        hooks.onDeleted({ user: a });
        return [204];
      case 'PUT permissions/3': {
        const body = await readJson(req);
        requireKeys(body, ['configure', 'write', 'read']);
        const [configure, write, read] = [body.configure, body.write, body.read].map(String);
        return [broker.setPermission(a, b, { configure, write, read }) ? 201 : 204];
      }
      case 'DELETE permissions/3':
        if (!broker.deletePermission(a, b)) throw notFound();
        return [204];
      case 'GET queues/1':
        return [200, [...broker.vhosts.values()].flatMap((v) => [...v.queues.values()].map(queueJson))];
      case 'GET queues/2':
        vhostAccess(admin, a);
        return [200, [...broker.vhosts.get(a)!.queues.values()].map(queueJson)];
      case 'GET queues/3': {
        vhostAccess(admin, a);
        const queue = broker.getQueue(a, b);
        if (!queue) throw notFound();
        return [200, queueJson(queue)];
      }
      case 'PUT queues/3': {
        const body = await readJson(req);
        vhostAccess(admin, a);
        broker.check(admin, a, 'configure', 'queue', b);
        const args = body.arguments ?? {};
        if (typeof args !== 'object' || Array.isArray(args)) throw new HttpError(400, 'bad_request', 'arguments must be an object');
        const { created } = broker.declareQueue(a, b, {
          durable: body.durable === undefined ? true : body.durable === true,
          auto_delete: body.auto_delete === true,
          arguments: args as Record<string, unknown>,
        });
        return [created ? 201 : 204];
      }
      case 'DELETE queues/3': {
        vhostAccess(admin, a);
        broker.check(admin, a, 'configure', 'queue', b);
        const queue = broker.getQueue(a, b);
        if (!queue || !broker.deleteQueue(a, b)) throw notFound();
        hooks.onDeleted({ queue });
        return [204];
      }
      case 'POST exchanges/4': {
        if (c !== 'publish') throw notFound();
        const body = await readJson(req);
        requireKeys(body, ['properties', 'routing_key', 'payload', 'payload_encoding']);
        vhostAccess(admin, a);
        broker.check(admin, a, 'write', 'exchange', b === 'amq.default' ? '' : b);
        const encoding = body.payload_encoding;
        if (encoding !== 'string' && encoding !== 'base64') throw new HttpError(400, 'bad_request', 'payload_encoding must be "string" or "base64"');
        if (typeof body.payload !== 'string' || typeof body.routing_key !== 'string') {
          throw new HttpError(400, 'bad_request', 'payload and routing_key must be strings');
        }
        const props = body.properties;
        if (!props || typeof props !== 'object' || Array.isArray(props)) throw new HttpError(400, 'bad_request', 'properties must be an object');
        const payload = Buffer.from(body.payload, encoding === 'base64' ? 'base64' : 'utf8');
        const routed = broker.publish(a, b, body.routing_key, propertiesToHeaders(props as Properties), payload);
        return [200, { routed }];
      }
      case 'GET connections/1':
        return [200, hooks.connections()];
      case 'GET connections/2': {
        const found = hooks.connections().find((conn) => conn.name === a);
        if (!found) throw notFound();
        return [200, found];
      }
      case 'DELETE connections/2': {
        const header = req.headers['x-reason'];
        if (!hooks.closeConnection(a, (Array.isArray(header) ? header[0] : header) || 'Closed via management plugin')) throw notFound();
        return [204];
      }
      default:
        if (Object.keys(ROUTES).some((k) => k.endsWith(` ${resource}/${segments.length}`))) {
          throw new HttpError(405, 'Method Not Allowed', `${method} is not allowed here`);
        }
        throw notFound();
    }
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let status = 500;
    let payload: unknown;
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const parts = url.pathname.split('/').slice(1);
      if (parts[0] !== 'api') throw notFound();
      const segments = parts.slice(1).filter((s, i, all) => s !== '' || i < all.length - 1).map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          throw new HttpError(400, 'bad_request', `bad URL encoding in "${s}"`);
        }
      });
      const admin = authenticate(req);
      [status, payload] = await route(req, admin, segments);
    } catch (e) {
      if (e instanceof HttpError) [status, payload] = [e.status, { error: e.error, reason: e.reason }];
      else if (e instanceof BrokerError) {
        status = e.code === 'not_found' ? 404 : e.code === 'access_refused' ? 401 : 400;
        payload = { error: e.code === 'access_refused' ? 'not_authorised' : e.code === 'not_found' ? 'not_found' : 'bad_request', reason: e.message };
      } else [status, payload] = [500, { error: 'internal_error', reason: (e as Error).message }];
    }
    const text = payload === undefined ? '' : JSON.stringify(payload);
    res.writeHead(status, {
      ...(text ? { 'content-type': 'application/json' } : {}),
      ...(status === 401 ? { 'www-authenticate': 'Basic realm="RabbitMQ Management"' } : {}),
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  };
}

/** The method/path shapes served, for 405 versus 404. */
const ROUTES: Record<string, true> = Object.fromEntries(
  [
    'GET overview/1', 'GET vhosts/1', 'GET vhosts/2', 'PUT vhosts/2', 'DELETE vhosts/2', 'GET users/2', 'PUT users/2',
    'DELETE users/2', 'PUT permissions/3', 'DELETE permissions/3', 'GET queues/1', 'GET queues/2', 'GET queues/3',
    'PUT queues/3', 'DELETE queues/3', 'POST exchanges/4', 'GET connections/1', 'GET connections/2', 'DELETE connections/2',
  ].map((k) => [k, true]),
);
