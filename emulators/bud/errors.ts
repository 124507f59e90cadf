import type { NextFunction, Request, Response } from 'express';

/** One pydantic/FastAPI validation issue, as found in a 422 `detail` list. */
export interface Issue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
  ctx?: Record<string, unknown>;
}

/** Handler-level error: budapp's ErrorResponse `{object:"error", message, type, param, code}`. */
export class ClientError extends Error {
  constructor(readonly status: number, message: string, readonly param: string | null = null) {
    super(message);
  }
}

/** Dependency/framework error: plain FastAPI `{detail}` (401, 403, 429, 422 with a list). */
export class DetailError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string | Issue[],
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof detail === 'string' ? detail : 'validation error');
  }
}

const PHRASES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** budapp's `type`, literally PascalCase(phrase) + "error": "BadRequesterror", "InternalServerErrorerror". */
export function errorType(status: number): string {
  return (PHRASES[status] ?? 'Error').replace(/\s+/g, '') + 'error';
}

export function errorBody(status: number, message: string, param: string | null = null) {
  return { object: 'error', message, type: errorType(status), param, code: status };
}

export const unauthorized = (detail = 'Invalid authentication credentials') =>
  new DetailError(401, detail, { 'WWW-Authenticate': 'Bearer' });

export const notFound = (what: string) => new ClientError(404, `${what} not found`);

/** Final express error handler: every failure becomes the upstream shape, never a crash. */
export function errorHandler(err: unknown, _req: Request, res: Response, _next: NextFunction): void {
  if (err instanceof DetailError) {
    res.status(err.status).set(err.headers).json({ detail: err.detail });
    return;
  }
  if (err instanceof ClientError) {
    res.status(err.status).json(errorBody(err.status, err.message, err.param));
    return;
  }
  const e = err as { type?: string; status?: number; body?: string; code?: string; field?: string };
  if (e?.type === 'entity.parse.failed') {
    res.status(422).json({
      detail: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {}, ctx: { error: 'Invalid JSON' } }],
    });
    return;
  }
  if (typeof e?.code === 'string' && e.code.startsWith('LIMIT_')) {
    res.status(422).json({
      detail: [{ type: 'value_error', loc: ['body', e.field ?? 'file'], msg: `Value error, ${String((err as Error).message)}`, input: null }],
    });
    return;
  }
  if (err instanceof Error && 'storageErrors' in err) {
    // A multipart body busboy cannot parse: FastAPI's request handler answers 400 for a form it cannot read.
    res.status(400).json({ detail: 'There was an error parsing the body' });
    return;
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    res.status(e.status).json(errorBody(e.status, (err as Error).message || 'Bad request'));
    return;
  }
  if (process.env.E2E_DEBUG) console.error('[bud] unexpected error', err);
  res.status(500).json(errorBody(500, 'Internal server error'));
}
