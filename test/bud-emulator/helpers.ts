import { randomUUID } from 'node:crypto';
import { after, before } from 'node:test';
import { startBud, type BudOptions } from '../../emulators/bud';

export const ADMIN = { email: 'admin@example.com', password: 'Admin@bud.studio1' };
export const PASSWORD = 'Str0ng!Passw0rd';

export interface Reply { status: number; body: any; headers: Headers }

export class Bud {
  url = '';
  private stopFn: () => Promise<void> = async () => {};
  adminToken = '';

  async start(opts: Partial<BudOptions> = {}): Promise<void> {
    const b = await startBud({ admin: ADMIN, ...opts });
    this.url = b.url;
    this.stopFn = b.stop;
    this.adminToken = (await this.login(ADMIN.email, ADMIN.password)).body.token.access_token;
  }

  stop(): Promise<void> {
    return this.stopFn();
  }

  async call(method: string, path: string, body?: unknown, token?: string, headers: Record<string, string> = {}): Promise<Reply> {
    const isForm = body instanceof FormData;
    const res = await fetch(this.url + path, {
      method,
      headers: {
        ...(body !== undefined && !isForm ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* keep text */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  login(email: string, password: string, extra: Record<string, unknown> = {}): Promise<Reply> {
    return this.call('POST', '/auth/login', { email, password, ...extra });
  }

  /** Register a fresh client user and log in; returns its email and tokens. */
  async newUser(name = 'Test User', role = 'developer') {
    const email = `e2e-${randomUUID().slice(0, 8)}@example.com`;
    const reg = await this.call('POST', '/auth/register', { name, email, password: PASSWORD, role });
    if (reg.status !== 200) throw new Error(`register failed: ${reg.status} ${JSON.stringify(reg.body)}`);
    const login = await this.login(email, PASSWORD);
    return { email, access: login.body.token.access_token as string, refresh: login.body.token.refresh_token as string, login };
  }

  /** Poll until `done(reply)` holds; fail with the last reply seen. */
  async until(path: string, done: (r: Reply) => boolean, token = this.adminToken, withinMs = 8000): Promise<Reply> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const r = await this.call('GET', path, undefined, token);
      if (done(r)) return r;
      if (Date.now() > deadline) throw new Error(`condition not met for ${path}; last: ${r.status} ${JSON.stringify(r.body)}`);
      await new Promise((res) => setTimeout(res, 25));
    }
  }
}

/** One emulator per test file, started before and stopped after. */
export function useBud(opts: Partial<BudOptions> = {}): Bud {
  const bud = new Bud();
  before(() => bud.start(opts));
  after(() => bud.stop());
  return bud;
}

/** Onboard a cloud model as admin (2-step compressed flow) and return its id and name. */
export async function cloudModel(bud: Bud, name = `e2e-model-${randomUUID().slice(0, 8)}`): Promise<{ id: string; name: string }> {
  const providers = await bud.call('GET', '/models/providers', undefined, bud.adminToken);
  const openai = providers.body.providers.find((p: any) => p.type === 'openai');
  const s1 = await bud.call('POST', '/models/cloud-model-workflow', {
    workflow_total_steps: 2, step_number: 1, provider_type: 'cloud_model', provider_id: openai.id, name,
    tags: [{ name: 'e2e', color: '#FF0000' }], modality: ['text_input', 'text_output'],
  }, bud.adminToken);
  const s2 = await bud.call('POST', '/models/cloud-model-workflow', { workflow_id: s1.body.workflow_id, step_number: 2, trigger_workflow: true }, bud.adminToken);
  if (s2.body.status !== 'completed') throw new Error(`cloud onboarding failed: ${JSON.stringify(s2.body)}`);
  return { id: s2.body.workflow_steps.model_id, name };
}
