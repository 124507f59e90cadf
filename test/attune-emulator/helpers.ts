// Shared helpers for the emulator's unit tests: start it, log in, call it over HTTP, wait.
import { after, before } from 'node:test';
import { startAttune } from '../../emulators/attune';

export const ADMIN = { login: 'admin@attune.local', password: 'AdminPass123!' };

export type Attune = Awaited<ReturnType<typeof startAttune>>;

export interface Reply {
  status: number;
  body: any;
}

export class Api {
  constructor(readonly attune: Attune, public token?: string) {}

  async call(method: string, path: string, body?: unknown, token = this.token): Promise<Reply> {
    const res = await fetch(`${this.attune.apiUrl}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: any = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* keep text */
    }
    return { status: res.status, body: parsed };
  }

  async login(login = ADMIN.login, password = ADMIN.password): Promise<this> {
    const r = await this.call('POST', '/auth/login', { login, password });
    if (r.status !== 200) throw new Error(`login failed: ${JSON.stringify(r)}`);
    this.token = r.body.data.access_token;
    return this;
  }

  /** POST and insist on the expected status; returns body.data. */
  async create(path: string, body: unknown, status = 201): Promise<any> {
    const r = await this.call('POST', path, body);
    if (r.status !== status) throw new Error(`POST ${path} -> ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.data;
  }

  async execution(id: number): Promise<any> {
    return (await this.call('GET', `/api/v1/executions/${id}`)).body.data;
  }
}

/** Poll until probe returns a truthy value (no fixed sleeps). */
export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, within = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + within;
  let last: unknown;
  for (;;) {
    last = await probe();
    if (last) return last as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function terminal(api: Api, id: number, within = 10_000): Promise<any> {
  return eventually(async () => {
    const e = await api.execution(id);
    return ['completed', 'failed', 'cancelled', 'timeout', 'abandoned'].includes(e?.status) ? e : undefined;
  }, within, `execution ${id} to finish`);
}

let n = 0;
export const unique = (prefix = 'p') => `${prefix}${process.pid}x${Date.now().toString(36)}x${n++}`;

/** One emulator (and an admin client) for the whole test file, stopped after it. */
export function useAttune(): { attune: Attune; api: Api } {
  const ctx = {} as { attune: Attune; api: Api };
  before(async () => {
    ctx.attune = await startAttune({ admin: ADMIN });
    ctx.api = await new Api(ctx.attune).login();
  });
  after(async () => {
    await ctx.attune.stop();
  });
  return ctx;
}
