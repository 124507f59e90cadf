// HTTP plumbing shared by the route modules: the upstream error shapes, request-body
// validation, list envelopes and a tiny WHERE builder.
import type { NextFunction, Request, Response } from 'express';

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export const notFound = (what: string) => new ApiError(404, 'NOT_FOUND', `${what} not found`);
export const invalid = (message: string) => new ApiError(422, 'VALIDATION_ERROR', message);
export const badRequest = (message: string) => new ApiError(400, 'BAD_REQUEST', message);
export const conflict = (message: string) => new ApiError(409, 'CONFLICT', message);
export const forbidden = (message: string) => new ApiError(403, 'FORBIDDEN', message);

/**
 * A query string that does not deserialize into the route's params struct. Upstream takes query
 * params with axum's `Query<T>` extractor (crates/api/src/dto/common.rs PaginationParams: `page: u32`,
 * `page_size: u32`; dto/execution.rs ExecutionQueryParams `status: Option<ExecutionStatus>`), whose
 * rejection is a plain-text 400 "Failed to deserialize query string: ...".
 */
export class QueryRejection extends Error {}

/** Auth-extractor failures use upstream's nested shape: {"error": {"code": 401, "message": ...}}. */
export class AuthError extends Error {}

/** Express error handler: every failure becomes an upstream-shaped 4xx/5xx JSON body. */
export function errorHandler(err: any, _req: Request, res: Response, _next: NextFunction): void {
  if (err instanceof QueryRejection) {
    res.status(400).type('text/plain').send(`Failed to deserialize query string: ${err.message}`);
  } else if (err instanceof AuthError) {
    res.status(401).json({ error: { code: 401, message: err.message } });
  } else if (err instanceof ApiError) {
    res.status(err.status).json({ error: err.message, code: err.code });
  } else if (err?.type === 'entity.parse.failed' || err instanceof SyntaxError) {
    res.status(400).json({ error: `Invalid JSON: ${err.message}`, code: 'BAD_REQUEST' });
  } else if (err?.type === 'entity.too.large') {
    res.status(413).json({ error: 'Payload too large', code: 'BAD_REQUEST' });
  } else if (err?.name === 'MulterError' || (Number.isInteger(err?.status) && err.status >= 400 && err.status < 500)) {
    res.status(err.name === 'MulterError' ? 400 : err.status).json({ error: String(err.message), code: 'BAD_REQUEST' });
  } else if (typeof err?.code === 'string' && /^(23|22|42)/.test(err.code)) {
    const body = pgErrorBody(err);
    res.status(body.code === 'CONFLICT' ? 409 : 422).json(body);
  } else {
    if (process.env.E2E_DEBUG) console.error('[attune-emulator]', err);
    res.status(500).json({ error: 'Internal server error', code: 'INTERNAL_SERVER_ERROR' });
  }
}

// PostgreSQL errors mapped as upstream's DbError conversion does: unique -> 409, others -> 422.
function pgErrorBody(err: any): { error: string; code: string } {
  if (err.code === '23505') return { error: `Already exists (${err.constraint ?? 'unique'})`, code: 'CONFLICT' };
  return { error: err.message, code: 'VALIDATION_ERROR' };
}

/** Typed readers over a JSON body; a wrong type or a missing required field is a 422. */
export class Body {
  readonly raw: Record<string, any>;
  constructor(body: unknown) {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalid('Request body must be a JSON object');
    this.raw = body as Record<string, any>;
  }
  has(k: string): boolean {
    return this.raw[k] !== undefined && this.raw[k] !== null;
  }
  str(k: string, opts: { required?: boolean; min?: number; max?: number } = {}): string | undefined {
    const v = this.raw[k];
    if (v === undefined || v === null) {
      if (opts.required) throw invalid(`${k}: field is required`);
      return undefined;
    }
    if (typeof v !== 'string') throw invalid(`${k}: expected a string`);
    if (v.length < (opts.min ?? (opts.required ? 1 : 0)) || v.length > (opts.max ?? 255)) throw invalid(`${k}: invalid length`);
    return v;
  }
  reqStr(k: string, opts: { min?: number; max?: number } = {}): string {
    return this.str(k, { ...opts, required: true }) as string;
  }
  bool(k: string, dflt: boolean): boolean {
    const v = this.raw[k];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') throw invalid(`${k}: expected a boolean`);
    return v;
  }
  int(k: string): number | undefined {
    const v = this.raw[k];
    if (v === undefined || v === null) return undefined;
    if (!Number.isInteger(v)) throw invalid(`${k}: expected an integer`);
    return v;
  }
  obj(k: string, dflt?: Record<string, any>): Record<string, any> | undefined {
    const v = this.raw[k];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'object' || Array.isArray(v)) throw invalid(`${k}: expected an object`);
    return v;
  }
  strList(k: string): string[] | undefined {
    const v = this.raw[k];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw invalid(`${k}: expected a list of strings`);
    return v;
  }
  /** Any JSON value (objects, arrays, scalars) as-is. */
  any(k: string): unknown {
    return this.raw[k];
  }
}

/** WHERE clause builder: `w.add('status = ?', s)` numbers the placeholders. */
export class Where {
  readonly params: unknown[] = [];
  private readonly parts: string[] = [];
  add(sql: string, ...values: unknown[]): this {
    this.parts.push(sql.replace(/\?/g, () => `$${this.params.push(values.shift())}`));
    return this;
  }
  param(v: unknown): string {
    return `$${this.params.push(v)}`;
  }
  toString(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}

/** A `u32` query field as serde reads it: absent -> default, anything but 0..=4294967295 -> 400. */
export function qU32(query: Request['query'], k: string, dflt: number): number {
  const v = query[k];
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !/^\+?\d{1,10}$/.test(v) || Number(v) > 4_294_967_295) {
    throw new QueryRejection(`${k}: invalid digit found in string`);
  }
  return Number(v);
}

/** An enum query field (`Option<SomeStatus>`): absent -> undefined, an unknown variant -> 400. */
export function qEnum(query: Request['query'], k: string, variants: readonly string[]): string | undefined {
  const v = query[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !variants.includes(v)) {
    throw new QueryRejection(`${k}: unknown variant \`${String(v)}\`, expected one of ${variants.map((x) => `\`${x}\``).join(', ')}`);
  }
  return v;
}

/** Page parameters as upstream reads them for a route family (page_size vs per_page, defaults). */
export function pageParams(query: Request['query'], sizeParam: 'page_size' | 'per_page', dfltSize: number) {
  // Upstream clamps with `limit() = page_size.min(100)` and `offset() = (page - 1).saturating_sub`.
  return { page: Math.max(qU32(query, 'page', 1), 1), size: Math.min(Math.max(qU32(query, sizeParam, dfltSize), 1), 100) };
}

export function paginated(items: unknown[], page: number, size: number, total: number) {
  const totalPages = Math.max(1, Math.ceil(total / size));
  return {
    items,
    pagination: {
      page,
      page_size: size,
      total_items: total,
      total_pages: totalPages,
      has_previous: page > 1,
      has_next: page < totalPages,
    },
  };
}

export const deleted = (kind: string, ref: string | number) => ({
  success: true,
  message: `${kind} '${ref}' deleted successfully`,
});

/** Path parameter that must be a positive integer id; anything else cannot exist (404). */
export function idParam(v: string, what: string): number {
  if (!/^\d{1,15}$/.test(v)) throw notFound(what);
  return Number(v);
}
