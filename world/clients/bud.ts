/**
 * Wire client for budapp (routes at the root, `{object, message, ...}` bodies; see
 * reference/bud/budapp-e2e-contract.md). Every call returns the status and body as they came back;
 * the client never asserts. Privileged operations the real system does out of band (reading the
 * password-reset mailbox, rate-limit settings, token lifetimes) live in `operator`.
 */
import { AxiosInstance, AxiosResponse } from 'axios';
import { createHttp, HttpLog } from './http';
import { BudTarget } from '../targets';
import { redact, registerSecret } from '../redact';

export type Body = Record<string, unknown>;

export interface BudResponse<T = Body> {
  status: number;
  body: T;
  headers: Record<string, string>;
}

/** Keycloak token response as budapp nests it under `token`. */
export interface BudTokens {
  access_token: string;
  refresh_token: string;
  token_type?: string;
  expires_in?: number;
  refresh_expires_in?: number;
  scope?: string;
  [key: string]: unknown;
}

/**
 * How a call authenticates: an access token (sent as `Bearer <token>`), `null` for no Authorization
 * header, or `{ header }` for an exact header value (wrong schemes, malformed values).
 */
export type BudAuth = string | null | { header: string };

export interface PageQuery {
  page?: number;
  limit?: number;
  /** budapp's `search` is a boolean that switches `name` to fuzzy search. */
  search?: boolean;
  name?: string;
  [key: string]: string | number | boolean | undefined;
}

/** Edits for PATCH /models/{id}: sent as multipart form fields; arrays/objects become JSON strings. */
export type ModelEdit = Record<string, string | number | boolean | unknown[] | Body>;

export type RateRule = 'register' | 'login' | 'refresh' | 'reset_password';

export interface ResetMail {
  to: string;
  subject: string;
  token: string;
  sent_at: string;
  [key: string]: unknown;
}

/** The login body's tokens, read from `token` as the contract says (never from the top level). */
export function tokensOf(loginBody: unknown): BudTokens | undefined {
  const token = (loginBody as { token?: unknown } | null)?.token;
  if (!token || typeof token !== 'object') return undefined;
  const t = token as BudTokens;
  return typeof t.access_token === 'string' && typeof t.refresh_token === 'string' ? t : undefined;
}

function authHeaders(auth: BudAuth): Record<string, string> {
  if (auth === null) return {};
  return { Authorization: typeof auth === 'string' ? `Bearer ${auth}` : auth.header };
}

function toResponse<T>(res: AxiosResponse): BudResponse<T> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers ?? {})) headers[k.toLowerCase()] = String(v);
  return { status: res.status, body: res.data as T, headers };
}

export class BudClient {
  private readonly http: AxiosInstance;
  private readonly gateway: AxiosInstance;
  /** Operator back door; against the embedded budapp its admin-only operator endpoint. */
  readonly operator: BudOperator;

  constructor(readonly target: BudTarget, readonly log: HttpLog) {
    this.http = createHttp(target.url, log);
    this.gateway = createHttp(target.gatewayUrl, log);
    registerSecret(target.admin.password);
    this.operator = new BudOperator(this.http, () => this.adminAccessToken());
  }

  private adminToken?: Promise<string>;

  /** The configured admin's access token, logged in once per scenario. */
  adminAccessToken(): Promise<string> {
    this.adminToken ??= this.login({ email: this.target.admin.email, password: this.target.admin.password }).then((res) => {
      const t = tokensOf(res.body);
      if (res.status !== 200 || !t) {
        this.adminToken = undefined;
        throw new Error(`the configured bud admin ${this.target.admin.email} cannot log in: ${res.status} ${JSON.stringify(redact(res.body))}`);
      }
      return t.access_token;
    });
    return this.adminToken;
  }

  private async send<T = Body>(
    method: 'get' | 'post' | 'patch' | 'delete' | 'put',
    url: string,
    opts: { auth?: BudAuth; body?: unknown; params?: PageQuery; headers?: Record<string, string>; gateway?: boolean } = {},
  ): Promise<BudResponse<T>> {
    const res = await (opts.gateway ? this.gateway : this.http).request({
      method,
      url,
      data: opts.body,
      params: opts.params,
      headers: { ...authHeaders(opts.auth ?? null), ...opts.headers },
    });
    return toResponse<T>(res);
  }

  /** One page of a paginated list route (`page`, `limit`), e.g. for the sweep. */
  get(auth: BudAuth, path: string, params: PageQuery): Promise<BudResponse> {
    return this.send('get', path, { auth, params });
  }

  // --- auth ---------------------------------------------------------------------------------

  /** `clientAddress` is the caller's address as a proxy reports it (X-Forwarded-For). */
  register(body: Body, clientAddress?: string): Promise<BudResponse> {
    return this.send('post', '/auth/register', { body, headers: clientAddress ? { 'X-Forwarded-For': clientAddress } : {} });
  }

  login(body: Body, clientAddress?: string): Promise<BudResponse> {
    return this.send('post', '/auth/login', { body, headers: clientAddress ? { 'X-Forwarded-For': clientAddress } : {} });
  }

  /** Token refresh; budapp limits it per client address (X-Forwarded-For first hop), like login. */
  refresh(body: Body, clientAddress?: string): Promise<BudResponse> {
    return this.send('post', '/auth/refresh-token', { body, headers: clientAddress ? { 'X-Forwarded-For': clientAddress } : {} });
  }

  logout(body: Body, auth: BudAuth = null): Promise<BudResponse> {
    return this.send('post', '/auth/logout', { body, auth });
  }

  // --- users --------------------------------------------------------------------------------

  me(auth: BudAuth): Promise<BudResponse> {
    return this.send('get', '/users/me', { auth });
  }

  requestPasswordReset(body: Body): Promise<BudResponse> {
    return this.send('post', '/users/reset-password', { body });
  }

  validateResetToken(body: Body): Promise<BudResponse> {
    return this.send('post', '/users/validate-reset-token', { body });
  }

  resetPasswordWithToken(body: Body): Promise<BudResponse> {
    return this.send('post', '/users/reset-password-with-token', { body });
  }

  /** Admin user management (`user:manage`): `UserCreate` plus `permissions: [{name, has_permission}]`. */
  createUser(auth: BudAuth, body: Body): Promise<BudResponse> {
    return this.send('post', '/users/', { auth, body });
  }

  /** `PATCH /users/{id}` (`UserUpdate`): a user's own password change also activates an INVITED account. */
  updateUser(auth: BudAuth, userId: string, body: Body): Promise<BudResponse> {
    return this.send('patch', `/users/${encodeURIComponent(userId)}`, { auth, body });
  }

  deleteUser(auth: BudAuth, userId: string): Promise<BudResponse> {
    return this.send('delete', `/users/${encodeURIComponent(userId)}`, { auth });
  }

  // --- models -------------------------------------------------------------------------------

  providers(auth: BudAuth, params: PageQuery = {}): Promise<BudResponse> {
    return this.send('get', '/models/providers', { auth, params });
  }

  listModels(auth: BudAuth, params: PageQuery = {}): Promise<BudResponse> {
    return this.send('get', '/models/', { auth, params });
  }

  /** Metadata lists: tags, tasks, authors, catalog. */
  modelMetadata(auth: BudAuth, list: 'tags' | 'tasks' | 'authors' | 'catalog', params: PageQuery = {}): Promise<BudResponse> {
    return this.send('get', `/models/${list}`, { auth, params });
  }

  getModel(auth: BudAuth, id: string): Promise<BudResponse> {
    return this.send('get', `/models/${encodeURIComponent(id)}`, { auth });
  }

  editModel(auth: BudAuth, id: string, edit: ModelEdit): Promise<BudResponse> {
    const form = new FormData();
    for (const [k, v] of Object.entries(edit)) form.append(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
    return this.send('patch', `/models/${encodeURIComponent(id)}`, { auth, body: form });
  }

  deleteModel(auth: BudAuth, id: string): Promise<BudResponse> {
    return this.send('delete', `/models/${encodeURIComponent(id)}`, { auth });
  }

  // --- workflows ----------------------------------------------------------------------------

  cloudModelWorkflow(auth: BudAuth, body: Body): Promise<BudResponse> {
    return this.send('post', '/models/cloud-model-workflow', { auth, body });
  }

  localModelWorkflow(auth: BudAuth, body: Body): Promise<BudResponse> {
    return this.send('post', '/models/local-model-workflow', { auth, body });
  }

  getWorkflow(auth: BudAuth, id: string): Promise<BudResponse> {
    return this.send('get', `/workflows/${encodeURIComponent(id)}`, { auth });
  }

  deleteWorkflow(auth: BudAuth, id: string): Promise<BudResponse> {
    return this.send('delete', `/workflows/${encodeURIComponent(id)}`, { auth });
  }

  listWorkflows(auth: BudAuth, params: PageQuery = {}): Promise<BudResponse> {
    return this.send('get', '/workflows', { auth, params });
  }

  // --- projects, clusters, deployments, endpoints, credentials -------------------------------

  createProject(auth: BudAuth, body: Body): Promise<BudResponse> {
    return this.send('post', '/projects/', { auth, body });
  }

  /** Deletes the project and, with `removeCredential`, its API keys. */
  deleteProject(auth: BudAuth, id: string, removeCredential = true): Promise<BudResponse> {
    return this.send('delete', `/projects/${encodeURIComponent(id)}`, { auth, params: { remove_credential: removeCredential } });
  }

  /** Cluster onboarding step: multipart form fields plus the kubeconfig file as `configuration_file`. */
  clusterWorkflow(auth: BudAuth, fields: Record<string, string | number | boolean>, kubeconfig?: string): Promise<BudResponse> {
    const form = new FormData();
    for (const [k, v] of Object.entries(fields)) form.append(k, String(v));
    if (kubeconfig !== undefined) form.append('configuration_file', new Blob([kubeconfig], { type: 'application/yaml' }), 'kubeconfig.yaml');
    return this.send('post', '/clusters/clusters', { auth, body: form });
  }

  listClusters(auth: BudAuth, params: PageQuery = {}): Promise<BudResponse> {
    return this.send('get', '/clusters/clusters', { auth, params });
  }

  deleteCluster(auth: BudAuth, id: string): Promise<BudResponse> {
    return this.send('post', `/clusters/${encodeURIComponent(id)}/delete-workflow`, { auth });
  }

  /** budsim's cluster recommendations for a deployment workflow. */
  recommendedClusters(auth: BudAuth, workflowId: string): Promise<BudResponse> {
    return this.send('get', `/clusters/recommended/${encodeURIComponent(workflowId)}`, { auth });
  }

  deployWorkflow(auth: BudAuth, body: Body): Promise<BudResponse> {
    return this.send('post', '/models/deploy-workflow', { auth, body });
  }

  listEndpoints(auth: BudAuth, params: PageQuery = {}): Promise<BudResponse> {
    return this.send('get', '/endpoints/', { auth, params });
  }

  deleteEndpoint(auth: BudAuth, id: string): Promise<BudResponse> {
    return this.send('post', `/endpoints/${encodeURIComponent(id)}/delete-workflow`, { auth });
  }

  /** A project API key for the gateway (201, `result.key`). */
  createCredential(auth: BudAuth, body: Body): Promise<BudResponse> {
    return this.send('post', '/credentials/', { auth, body });
  }

  // --- budgateway (OpenAI-compatible; at target.gatewayUrl, which the embedded budapp also serves) -

  chatCompletion(apiKey: BudAuth, body: Body): Promise<BudResponse> {
    return this.send('post', '/v1/chat/completions', { auth: apiKey, body, gateway: true });
  }
}

/**
 * What the real system does out of band: reset mails (an inbox), rate-limit settings (Redis) and
 * token/reset lifetimes (realm settings). Embedded: budapp's operator endpoint, admin token only.
 */
export class BudOperator {
  constructor(private readonly http: AxiosInstance, private readonly adminToken: () => Promise<string>) {}

  private async call(method: 'get' | 'put' | 'delete' | 'patch', url: string, data?: Body, params?: Body): Promise<Body> {
    const res = await this.http.request({ method, url, data, params, headers: { Authorization: `Bearer ${await this.adminToken()}` } });
    if (res.status !== 200) throw new Error(`bud operator ${method.toUpperCase()} ${url} answered ${res.status}: ${JSON.stringify(redact(res.data))}`);
    return res.data as Body;
  }

  /** Password-reset mails sent to `email`, oldest first. */
  async resetMails(email: string): Promise<ResetMail[]> {
    const body = await this.call('get', '/__operator__/mailbox', undefined, { email });
    return (body.messages as ResetMail[]) ?? [];
  }

  /** Limit `rule` to `limit` attempts per `windowSeconds` for one key (client address, email or user id). */
  async limitRate(rule: RateRule, limit: number, windowSeconds: number, key: string): Promise<void> {
    await this.call('put', `/__operator__/rate-limits/${rule}`, { limit, window_seconds: windowSeconds, key });
  }

  async clearRateLimit(rule: RateRule, key: string): Promise<void> {
    await this.call('delete', `/__operator__/rate-limits/${rule}`, undefined, { key });
  }

  /** Current lifetimes/timings (e.g. `reset_token_ttl_seconds`). */
  async timings(): Promise<Record<string, number>> {
    return (await this.call('get', '/__operator__/config')).timings as Record<string, number>;
  }

  async setTimings(patch: Record<string, number>): Promise<void> {
    await this.call('patch', '/__operator__/config', patch);
  }
}
