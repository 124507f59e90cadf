// Minimal HTTP plumbing in the Django REST Framework dialect Waldur speaks: Waldur-shaped errors,
// trailing-slash routes, Link-header pagination, `field=` restriction, hex-or-dashed UUIDs.
import type { IncomingMessage, ServerResponse } from 'node:http';

export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export class ApiError extends Error {
  constructor(public readonly status: number, public readonly body: Json, public readonly contentType = 'application/json') {
    super(`HTTP ${status}`);
  }
}
export const notFound = (): ApiError => new ApiError(404, { detail: 'Not found.' });
export const invalid = (field: string, message: string): ApiError => new ApiError(400, { [field]: [message] });
/** django-fsm guard failure, as waldur_core's IncorrectStateException (409). */
export const wrongState = (valid: readonly string[]): ApiError => new ApiError(409, { detail: `Valid states for operation: ${valid.join(', ')}.` });

export interface Req {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Json;
  params: string[];
  headers: IncomingMessage['headers'];
}
export interface Reply { status?: number; body?: Json; headers?: Record<string, string>; contentType?: string }
export type Handler<C> = (req: Req, ctx: C) => Reply | Promise<Reply>;

const UUID_HEX = /^[0-9a-f]{32}$/;
/** A UUID as Waldur accepts it (hex or dashed, any case) -> 32 lowercase hex digits, or null. */
export function toHex(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const hex = value.trim().toLowerCase();
  const plain = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(hex) ? hex.replace(/-/g, '') : hex;
  return UUID_HEX.test(plain) ? plain : null;
}

export class Router<C> {
  private readonly routes: { method: string; re: RegExp; handler: Handler<C> }[] = [];

  /** pattern: a path with `:x` segments, e.g. /api/marketplace-orders/:uuid/approve_by_provider/ */
  add(method: string, pattern: string, handler: Handler<C>): this {
    const re = new RegExp('^' + pattern.replace(/:[a-z_]+/g, '([^/]+)') + '$');
    this.routes.push({ method, re, handler });
    return this;
  }

  match(method: string, path: string): { handler: Handler<C>; params: string[] } | 'method' | null {
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.re.exec(path);
      if (!m) continue;
      pathMatched = true;
      if (r.method === method) return { handler: r.handler, params: m.slice(1).map(safeDecode) };
    }
    return pathMatched ? 'method' : null;
  }
}

/** Decodes a path segment as Django does (urllib's unquote): a malformed escape such as %ZZ stays as it is. */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export function readBody(req: IncomingMessage, limit = 5_000_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) reject(new ApiError(413, { detail: 'Request body too large.' }));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function parseJsonBody(raw: string, contentType: string | undefined): Json {
  if (!raw.trim()) return {};
  if (contentType && !contentType.includes('json')) throw new ApiError(415, { detail: `Unsupported media type "${contentType}" in request.` });
  try {
    return JSON.parse(raw);
  } catch (e) {
    throw new ApiError(400, { detail: `JSON parse error - ${(e as Error).message}` });
  }
}

function restrictFields(value: Json, fields: string[]): Json {
  if (!fields.length) return value;
  const pick = (o: Json) => (o && typeof o === 'object' ? Object.fromEntries(fields.filter((f) => f in o).map((f) => [f, o[f]])) : o);
  return Array.isArray(value) ? value.map(pick) : pick(value);
}

export function send(res: ServerResponse, req: Req | null, reply: Reply): void {
  const status = reply.status ?? 200;
  const headers: Record<string, string> = { ...(reply.headers ?? {}) };
  let payload = '';
  if (reply.contentType && reply.contentType !== 'application/json') {
    payload = String(reply.body ?? '');
    headers['Content-Type'] = reply.contentType;
  } else if (reply.body !== undefined) {
    const fields = req && req.method === 'GET' && status < 300 ? req.query.getAll('field').filter(Boolean) : [];
    payload = JSON.stringify(restrictFields(reply.body, fields));
    headers['Content-Type'] = 'application/json';
  }
  headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(status, headers);
  res.end(payload);
}

/** DRF LinkHeaderPagination as Waldur configures it: bare array + X-Result-Count + Link header. */
export function paginate(req: Req, baseUrl: string, items: Json[]): Reply {
  const page = positiveInt(req.query.get('page'), 'page', 1);
  const pageSize = Math.min(positiveInt(req.query.get('page_size'), 'page_size', 10), 300);
  const last = Math.max(1, Math.ceil(items.length / pageSize));
  if (page > last) throw new ApiError(404, { detail: 'Invalid page.' });
  const link = (p: number) => {
    const q = new URLSearchParams(req.query);
    q.set('page', String(p));
    q.set('page_size', String(pageSize));
    return `<${baseUrl}${req.path.replace(/^\//, '')}?${q.toString()}>`;
  };
  const rels = [`${link(1)}; rel="first"`];
  if (page > 1) rels.push(`${link(page - 1)}; rel="prev"`);
  if (page < last) rels.push(`${link(page + 1)}; rel="next"`);
  rels.push(`${link(last)}; rel="last"`);
  return {
    body: items.slice((page - 1) * pageSize, page * pageSize),
    headers: { 'X-Result-Count': String(items.length), Link: rels.join(', '), 'Access-Control-Expose-Headers': 'Link, X-Result-Count' },
  };
}

function positiveInt(raw: string | null, name: string, fallback: number): number {
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    if (name === 'page') throw new ApiError(404, { detail: 'Invalid page.' });
    return fallback;
  }
  return n;
}
