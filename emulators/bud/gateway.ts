import { randomBytes, randomUUID } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import { authorize } from './auth';
import { ClientError } from './errors';
import { ownProject } from './deploy';
import type { Ctx } from './routes-auth';
import { now, type Row } from './state';
import { Validator } from './validate';

/**
 * Project API keys (`POST /credentials/`) and the budgateway OpenAI-compatible routes they unlock.
 * The deployed "model" answers deterministically: it echoes the last user message.
 */

class GatewayError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export function gatewayRoutes(ctx: Ctx): Router {
  const { state, tokens } = ctx;
  const r = Router();

  r.post('/credentials', async (req, res) => {
    const user = await authorize(req, state, tokens);
    const v = new Validator(req.body, 'body');
    const name = v.str('name', { required: true, min: 1, max: 100 });
    const projectId = v.uuid('project_id', { required: true });
    const expiry = v.int('expiry');
    if (expiry !== undefined && ![0, 30, 60, 90].includes(expiry)) v.valueError('expiry', 'expiry must be one of null, 0, 30, 60, 90', expiry);
    const maxBudget = v.any('max_budget');
    const credentialType = v.oneOf('credential_type', ['client_app', 'admin_app'] as const) ?? 'client_app';
    const ipWhitelist = v.list('ip_whitelist', (x) => String(x));
    v.done();
    ownProject(state, user, projectId!);
    const created = now();
    const cred: Row = {
      id: randomUUID(), name, project_id: projectId, expiry: expiry ?? null, max_budget: maxBudget ?? null,
      key: `bud_${credentialType === 'client_app' ? 'client' : 'admin'}_${randomBytes(24).toString('hex')}`,
      credential_type: credentialType, ip_whitelist: ipWhitelist ?? null, created_at: created, last_used_at: null,
      expires_at: expiry ? new Date(Date.now() + expiry * 86400_000).toISOString() : null,
    };
    state.credentials.set(cred.id, cred);
    res.status(201).json({ success: true, result: cred, message: 'Credential added successfully' });
  });

  r.delete('/credentials/:credential_id', async (req, res) => {
    const user = await authorize(req, state, tokens);
    const v = new Validator(req.params, 'path');
    const id = v.uuid('credential_id', { required: true });
    v.done();
    const cred = state.credentials.get(id!);
    if (!cred) throw new ClientError(404, 'Credential not found');
    ownProject(state, user, String(cred.project_id));
    state.credentials.delete(cred.id);
    res.json({ object: 'credential.delete', message: 'Credential deleted successfully' });
  });

  /** API key -> running endpoints of its project, by name. */
  const servedBy = (req: Request): Map<string, Row> => {
    const header = req.get('authorization');
    if (!header) throw new GatewayError(401, 'Missing authorization header');
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    const cred = m ? [...state.credentials.values()].find((c) => c.key === m[1]) : undefined;
    if (!cred || (cred.expires_at && Date.parse(String(cred.expires_at)) <= Date.now())) throw new GatewayError(401, 'Invalid API key');
    cred.last_used_at = now();
    const out = new Map<string, Row>();
    for (const e of state.endpoints.values()) if (e.project_id === cred.project_id && e.status === 'running') out.set(String(e.name), e);
    return out;
  };

  const gateway = (fn: (req: Request, res: Response) => void) => (req: Request, res: Response) => {
    try {
      fn(req, res);
    } catch (e) {
      if (!(e instanceof GatewayError)) throw e;
      res.status(e.status).json({ error: e.message });
    }
  };

  r.get('/v1/models', gateway((req, res) => {
    const models = servedBy(req);
    res.json({ object: 'list', data: [...models.values()].map((e) => ({ id: e.name, object: 'model', created: Math.floor(Date.parse(String(e.created_at)) / 1000), owned_by: 'bud' })) });
  }));

  r.post('/v1/chat/completions', gateway((req, res) => {
    const models = servedBy(req);
    const body = req.body as Row | undefined;
    if (!body || typeof body !== 'object') throw new GatewayError(400, 'Invalid request body');
    if (typeof body.model !== 'string' || !body.model) throw new GatewayError(400, 'Missing model name in request body');
    const endpoint = models.get(body.model);
    if (!endpoint) throw new GatewayError(404, `Model not found: ${body.model}`);
    const messages = Array.isArray(body.messages) ? (body.messages as Row[]) : [];
    if (!messages.length || messages.some((m) => typeof m?.role !== 'string' || typeof m?.content !== 'string')) {
      throw new GatewayError(400, 'messages must be a non-empty list of {role, content}');
    }
    const prompt = messages.map((m) => String(m.content)).join(' ');
    const lastUser = [...messages].reverse().find((m) => m.role === 'user');
    const maxTokens = typeof body.max_tokens === 'number' && body.max_tokens > 0 ? body.max_tokens : 256;
    const words = `Echo: ${lastUser ? String(lastUser.content) : ''}`.split(/\s+/).filter(Boolean);
    const content = words.slice(0, maxTokens).join(' ');
    const completionTokens = Math.min(words.length, maxTokens);
    const promptTokens = prompt.split(/\s+/).filter(Boolean).length;
    res.json({
      id: `chatcmpl-${randomBytes(12).toString('hex')}`, object: 'chat.completion', created: Math.floor(Date.now() / 1000), model: endpoint.name,
      choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: words.length > maxTokens ? 'length' : 'stop' }],
      usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    });
  }));

  return r;
}
