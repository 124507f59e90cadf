/**
 * Wire client for the two Waldur instances of the federation (A = source, B = target): Token auth,
 * `/api/...` paths with trailing slashes, lists followed through the Link header. It speaks the upstream
 * REST dialect (REPORT §2, §8) and never asserts; a call that does not succeed throws WaldurCallError
 * with the status and body, so a step can say what came back.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { AxiosInstance } from 'axios';
import { HttpLog, createHttp } from './http';
import { WaldurInstance, WaldurTarget } from '../targets';

export type Side = 'a' | 'b';
export type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export const TERMINAL_ORDER_STATES = ['done', 'erred', 'canceled', 'rejected'];

export interface WaldurOrder {
  uuid: string;
  state: string;
  type: string;
  backend_id: string;
  marketplace_resource_uuid: string;
  offering_uuid: string;
  error_message: string;
  limits: Record<string, number>;
  created: string;
  completed_at: string | null;
}

export interface WaldurResource {
  uuid: string;
  name: string;
  state: string;
  backend_id: string;
  effective_id: string;
  limits: Record<string, number>;
  project_uuid: string;
  customer_uuid: string;
  offering_uuid: string;
}

export interface ComponentSpec {
  type: string;
  name: string;
  measured_unit: string;
}

export interface WaldurUser {
  uuid: string;
  url: string;
  username: string;
  token: string;
}

export interface OfferingRefs {
  uuid: string;
  url: string;
  planUrl: string;
  customerUuid: string;
}

/** Called for every entity the client creates, with the call that removes it again. */
export type Track = (description: string, undo: () => Promise<unknown>) => void;

/** Runs `command '<python>'` (a real Waldur's Django shell) and parses its last stdout line as JSON. */
function runOperatorCommand(command: string, python: string): Promise<Json> {
  const quoted = `'${python.replace(/'/g, `'\\''`)}'`;
  return new Promise((resolve, reject) => {
    execFile('/bin/sh', ['-c', `${command} ${quoted}`], { timeout: 120_000, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`operator command failed (${err.message.split('\n')[0]}): ${String(stderr).slice(-400)}`));
      const last = String(stdout).trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`operator command printed no JSON last line: ${String(stdout).slice(-400)}`));
      }
    });
  });
}

export class WaldurCallError extends Error {
  constructor(
    readonly side: Side,
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`Waldur ${side.toUpperCase()} ${method} ${path} answered ${status}: ${JSON.stringify(body)?.slice(0, 400)}`);
  }
}

/** A UUID in the dashed form Waldur keeps in backend_id fields. */
export function dashedUuid(uuid: string): string {
  const h = uuid.replace(/-/g, '').toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
export const hexUuid = (uuid: string): string => uuid.replace(/-/g, '').toLowerCase();

function nextLink(header: unknown): string | null {
  for (const part of String(header ?? '').split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="next"/.exec(part);
    if (m) return m[1];
  }
  return null;
}

/** One Waldur instance's REST API. */
export class WaldurInstanceClient {
  readonly http: AxiosInstance;

  constructor(
    readonly side: Side,
    readonly instance: WaldurInstance,
    private readonly log: HttpLog,
  ) {
    this.http = createHttp(instance.url, log, { headers: { Authorization: `Token ${instance.token}`, Accept: 'application/json' } });
  }

  /** The same instance as another user (their API token); operator calls stay those of the instance. */
  asUser(token: string): WaldurInstanceClient {
    return new WaldurInstanceClient(this.side, { ...this.instance, token }, this.log);
  }

  /** Absolute URL of an API path on this instance. */
  url(path: string): string {
    return new URL(path.replace(/^\//, ''), this.instance.url).toString();
  }

  async call(method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, body?: unknown, params?: Record<string, unknown>): Promise<Json> {
    const res = await this.http.request({ method, url: path, data: body, params, paramsSerializer: { indexes: null } });
    if (res.status >= 300) throw new WaldurCallError(this.side, method.toUpperCase(), path, res.status, res.data);
    return res.data;
  }

  /** DELETE that also accepts an object already gone (404), for undo steps of what a scenario may remove itself. */
  async deleteIfPresent(path: string): Promise<void> {
    const res = await this.http.delete(path);
    if (res.status !== 204 && res.status !== 404) throw new WaldurCallError(this.side, 'DELETE', path, res.status, res.data);
  }

  get(path: string, params?: Record<string, unknown>): Promise<Json> {
    return this.call('get', path, undefined, params);
  }

  post(path: string, body: unknown = {}): Promise<Json> {
    return this.call('post', path, body);
  }

  /** Every item of a list endpoint, page by page through the Link header. */
  async list(path: string, params: Record<string, unknown> = {}): Promise<Json[]> {
    const items: Json[] = [];
    let res = await this.http.get(path, { params: { page_size: 100, ...params }, paramsSerializer: { indexes: null } });
    for (;;) {
      if (res.status >= 300 || !Array.isArray(res.data)) throw new WaldurCallError(this.side, 'GET', path, res.status, res.data);
      items.push(...res.data);
      const next = nextLink(res.headers.link);
      if (!next) return items;
      res = await this.http.get(next);
    }
  }

  // ---- organisation, project, offering ------------------------------------------------------------

  async createCustomer(name: string, track: Track): Promise<Json> {
    const c = await this.post('/api/customers/', { name });
    track(`customer ${name} on Waldur ${this.side.toUpperCase()}`, () => this.call('delete', `/api/customers/${c.uuid}/`));
    return c;
  }

  async createServiceProvider(customerUrl: string, track: Track): Promise<Json> {
    const sp = await this.post('/api/marketplace-service-providers/', { customer: customerUrl });
    track(`service provider ${sp.uuid} on Waldur ${this.side.toUpperCase()}`, () => this.call('delete', `/api/marketplace-service-providers/${sp.uuid}/`));
    return sp;
  }

  async createCategory(title: string, track: Track): Promise<Json> {
    const c = await this.post('/api/marketplace-categories/', { title });
    track(`category ${title} on Waldur ${this.side.toUpperCase()}`, () => this.call('delete', `/api/marketplace-categories/${c.uuid}/`));
    return c;
  }

  async createProject(name: string, customerUrl: string, track: Track): Promise<Json> {
    const p = await this.post('/api/projects/', { name, customer: customerUrl });
    track(`project ${name} on Waldur ${this.side.toUpperCase()}`, () => this.deleteProject(p.uuid));
    return p;
  }

  /** Delete a project after terminating what is left in it (e.g. the "shadow" resources of known issue 2). */
  async deleteProject(uuid: string): Promise<void> {
    const left = await this.resources({ project_uuid: hexUuid(uuid), state: ['OK', 'Erred'] });
    for (const r of left) await this.terminateAsOperator(r.uuid);
    await this.call('delete', `/api/projects/${hexUuid(uuid)}/`);
  }

  /** An Active offering with limit-billed components and one plan (the plan's setup steps 1-2). */
  async createOffering(
    spec: { name: string; type: string; customer: Json; categoryUrl: string; components: ComponentSpec[] },
    track: Track,
  ): Promise<OfferingRefs> {
    const o = await this.post('/api/marketplace-provider-offerings/', { name: spec.name, type: spec.type, customer: spec.customer.url, category: spec.categoryUrl });
    track(`offering ${spec.name} on Waldur ${this.side.toUpperCase()}`, () => this.call('delete', `/api/marketplace-provider-offerings/${o.uuid}/`));
    for (const c of spec.components) {
      await this.post(`/api/marketplace-provider-offerings/${o.uuid}/create_offering_component/`, { ...c, billing_type: 'limit' });
    }
    await this.post('/api/marketplace-plans/', { name: 'Default', offering: o.url, unit_price: '0' });
    await this.post(`/api/marketplace-provider-offerings/${o.uuid}/activate/`);
    const pub = await this.get(`/api/marketplace-public-offerings/${o.uuid}/`);
    return { uuid: o.uuid, url: pub.url, planUrl: pub.plans[0].url, customerUuid: spec.customer.uuid };
  }

  // ---- users, roles, offering users (seed 001) -----------------------------------------------------

  /** A user (staff creates it) with a password, logged in through /api-auth/password/ for its own token. */
  async createUser(username: string, track: Track): Promise<WaldurUser> {
    const u = await this.post('/api/users/', { username, email: `${username}@integration.test`, first_name: 'E2E', last_name: username });
    track(`user ${username} on Waldur ${this.side.toUpperCase()}`, () => this.call('delete', `/api/users/${u.uuid}/`));
    const password = `pw-${randomUUID()}`;
    await this.post(`/api/users/${u.uuid}/change_password/`, { new_password: password });
    const res = await this.http.post('/api-auth/password/', { username, password }, { headers: { Authorization: '' } });
    if (res.status !== 200) throw new WaldurCallError(this.side, 'POST', '/api-auth/password/', res.status, res.data);
    return { uuid: hexUuid(u.uuid), url: u.url, username, token: res.data.token };
  }

  /** add_user on a customer, project or provider offering: grants `role` (a role name) to the user. */
  async grantRole(collection: 'customers' | 'projects' | 'marketplace-provider-offerings', uuid: string, role: string, userUuid: string): Promise<void> {
    await this.post(`/api/${collection}/${hexUuid(uuid)}/add_user/`, { role, user: hexUuid(userUuid) });
  }

  offeringUsers(params: Record<string, unknown>): Promise<Json[]> {
    return this.list('/api/marketplace-offering-users/', params);
  }

  // ---- orders and resources -----------------------------------------------------------------------

  /** A Create order for the public offering's first plan (Test 2 setup, REPORT §2.1). */
  async orderResource(offering: OfferingRefs, projectUrl: string, limits: Record<string, number>, name: string): Promise<WaldurOrder> {
    return this.post('/api/marketplace-orders/', { offering: offering.url, project: projectUrl, plan: offering.planUrl, limits, attributes: { name }, type: 'Create' });
  }

  order(uuid: string): Promise<WaldurOrder> {
    return this.get(`/api/marketplace-orders/${hexUuid(uuid)}/`);
  }

  orders(params: Record<string, unknown>): Promise<WaldurOrder[]> {
    return this.list('/api/marketplace-orders/', params);
  }

  resource(uuid: string): Promise<WaldurResource> {
    return this.get(`/api/marketplace-provider-resources/${hexUuid(uuid)}/`);
  }

  resources(params: Record<string, unknown>): Promise<WaldurResource[]> {
    return this.list('/api/marketplace-provider-resources/', params);
  }

  /** Update order for new limits; returns the order UUID. */
  async updateLimits(resourceUuid: string, limits: Record<string, number>): Promise<string> {
    const r = await this.post(`/api/marketplace-resources/${hexUuid(resourceUuid)}/update_limits/`, { limits });
    return r.order_uuid ?? r.uuid;
  }

  /** Terminate order; returns the order UUID. */
  async terminate(resourceUuid: string): Promise<string> {
    const r = await this.post(`/api/marketplace-resources/${hexUuid(resourceUuid)}/terminate/`, {});
    return r.order_uuid ?? r.uuid;
  }

  /** Provider side of an order as staff: approve if pending, then mark done. */
  async completeAsProvider(orderUuid: string): Promise<void> {
    const o = await this.order(orderUuid);
    if (o.state === 'pending-provider') await this.post(`/api/marketplace-orders/${hexUuid(orderUuid)}/approve_by_provider/`, {});
    if (o.state === 'pending-provider' || o.state === 'executing') await this.post(`/api/marketplace-orders/${hexUuid(orderUuid)}/set_state_done/`);
  }

  /**
   * Remove a resource as upstream allows: terminate it and complete the order as provider (nobody else
   * will), unless it is already terminated or has an order in flight.
   */
  async terminateAsOperator(resourceUuid: string): Promise<void> {
    const r = await this.resource(resourceUuid);
    if (r.state === 'Terminated') return;
    const open = await this.orders({ resource_uuid: hexUuid(resourceUuid), state: ['pending-consumer', 'pending-provider', 'executing'] });
    for (const o of open) await this.post(`/api/marketplace-orders/${hexUuid(o.uuid)}/set_state_erred/`, { error_message: 'e2e cleanup' });
    const fresh = await this.resource(resourceUuid);
    if (fresh.state !== 'OK' && fresh.state !== 'Erred') return;
    await this.completeAsProvider(await this.terminate(resourceUuid));
  }

  /**
   * The plan's AutoApproveWaldurBackend: approve every order of `offeringUuid` waiting for the provider and
   * mark it done (B's Marketplace.Basic offering has no backend processor). Returns the orders it completed.
   */
  async autoApprove(offeringUuid: string): Promise<string[]> {
    const waiting = await this.orders({ offering_uuid: hexUuid(offeringUuid), state: 'pending-provider' });
    for (const o of waiting) await this.completeAsProvider(o.uuid);
    return waiting.map((o) => o.uuid);
  }

  // ---- events ------------------------------------------------------------------------------------

  /** HTTP status of a plain GET on /rmqws-stomp: 426 = STOMP over WebSocket is configured. */
  async stompProbe(baseUrl?: string): Promise<number> {
    const res = await this.http.get(baseUrl ? new URL('rmqws-stomp', baseUrl).toString() : 'rmqws-stomp', { maxRedirects: 0 });
    return res.status;
  }

  /**
   * An own event subscription for `objectType` events of an offering (an identity, a subscription and
   * its queue), so the suite can listen like the agent does without taking the agent's messages.
   */
  async subscribeToEvents(offeringUuid: string, objectType: string, name: string, track: Track): Promise<{ login: string; vhost: string; queue: string }> {
    const identity = await this.post('/api/marketplace-site-agent-identities/', { offering: offeringUuid, name, version: 'e2e', last_restarted: new Date().toISOString() });
    track(`agent identity ${name} on Waldur ${this.side.toUpperCase()}`, () => this.call('delete', `/api/marketplace-site-agent-identities/${identity.uuid}/`));
    const sub = await this.post(`/api/marketplace-site-agent-identities/${identity.uuid}/register_event_subscription/`, { observable_object_type: objectType, description: `e2e capture ${name}` });
    // A scenario may delete the subscription itself (seed 001's cleanup): gone already (404) is undone.
    track(`event subscription ${sub.uuid} on Waldur ${this.side.toUpperCase()}`, () => this.deleteIfPresent(`/api/event-subscriptions/${sub.uuid}/`));
    const queue = await this.post(`/api/event-subscriptions/${sub.uuid}/create_queue/`, { offering_uuid: offeringUuid, object_type: objectType });
    return { login: hexUuid(sub.uuid), vhost: hexUuid(sub.user_uuid), queue: queue.queue_name };
  }

  /** STOMP over WebSocket URL of this instance (nginx's /rmqws-stomp). */
  stompUrl(): string {
    return this.url('rmqws-stomp').replace(/^http/, 'ws');
  }

  // ---- operator ---------------------------------------------------------------------------------

  /**
   * Switch a known-issue fault on the operator endpoint for one offering, resource or order this
   * scenario owns (never the whole instance); answers the switch's UUID for `clearFault`.
   */
  async fault(name: FaultName, scope: FaultScope, opts: { times?: number } = {}): Promise<string> {
    const res = await this.http.post(this.adminPath('faults'), { name, ...scope, ...opts });
    if (res.status >= 300) throw new WaldurCallError(this.side, 'POST', '__admin/faults', res.status, res.data);
    return res.data.uuid as string;
  }

  /** Removes one switch armed by `fault` (a used-up switch is already gone: still 204). */
  async clearFault(uuid: string): Promise<void> {
    const res = await this.http.delete(this.adminPath(`faults/${uuid}`));
    if (res.status >= 300) throw new WaldurCallError(this.side, 'DELETE', `__admin/faults/${uuid}`, res.status, res.data);
  }

  /** The operator's access log of API calls whose path or query contains every one of `contains`. */
  async requestLog(contains: string[], since: Date): Promise<{ method: string; path: string; query: string; user: string | null; status: number }[]> {
    const res = await this.http.get(this.adminPath('requests'), { params: { contains, since: since.toISOString() }, paramsSerializer: { indexes: null } });
    if (res.status !== 200) throw new WaldurCallError(this.side, 'GET', '__admin/requests', res.status, res.data);
    return res.data;
  }

  /**
   * A back-door operation (seed 001's Django shell): the emulator's operator endpoint when there is one,
   * else the configured operator command run with `python` (its last stdout line is JSON).
   */
  private async operator(http: { method: 'post' | 'patch' | 'delete'; path: string; body?: unknown; ok: number }, python: string): Promise<Json> {
    if (this.instance.adminUrl) {
      const res = await this.http.request({ method: http.method, url: this.adminPath(http.path), data: http.body });
      if (res.status !== http.ok) throw new WaldurCallError(this.side, http.method.toUpperCase(), `__admin/${http.path}`, res.status, res.data);
      return res.data;
    }
    if (!this.instance.operatorCommand) throw new Error(`Waldur ${this.side.toUpperCase()} has neither an operator endpoint (admin_url) nor an operator_command for "${http.path}"`);
    return runOperatorCommand(this.instance.operatorCommand, `import json\n${python}`);
  }

  /** Resource.objects.create(offering, project, state=OK): a resource without an order (seed 001). */
  async createResourceAsOperator(offeringUuid: string, projectUuid: string, name: string, track: Track): Promise<string> {
    const [o, p] = [hexUuid(offeringUuid), hexUuid(projectUuid)];
    const made = await this.operator(
      { method: 'post', path: 'resources', body: { offering_uuid: o, project_uuid: p, name, state: 'OK' }, ok: 201 },
      `from waldur_mastermind.marketplace.models import Offering, Resource\nfrom waldur_core.structure.models import Project\nr = Resource.objects.create(offering=Offering.objects.get(uuid='${o}'), project=Project.objects.get(uuid='${p}'), name=${JSON.stringify(name)}, state=Resource.States.OK)\nprint(json.dumps({'uuid': r.uuid.hex}))`,
    );
    const uuid = hexUuid(made.uuid);
    track(`resource ${uuid} created by the operator on Waldur ${this.side.toUpperCase()}`, () =>
      this.operator({ method: 'delete', path: `resources/${uuid}`, ok: 204 }, `from waldur_mastermind.marketplace.models import Resource\nResource.objects.filter(uuid='${uuid}').delete()\nprint('{}')`),
    );
    return uuid;
  }

  /** offering.plugin_options.update(...); offering.save() through the operator. */
  async setPluginOptions(offeringUuid: string, options: Record<string, unknown>): Promise<void> {
    const o = hexUuid(offeringUuid);
    await this.operator(
      { method: 'patch', path: `offerings/${o}`, body: { plugin_options: options }, ok: 200 },
      `from waldur_mastermind.marketplace.models import Offering\no = Offering.objects.get(uuid='${o}')\no.plugin_options.update(json.loads(${JSON.stringify(JSON.stringify(options))}))\no.save()\nprint('{}')`,
    );
  }

  /** The create_or_restore_offering_users_for_user task, run by the operator (no Celery worker needed). */
  async runOfferingUserTask(userUuid: string, projectUuid: string): Promise<void> {
    const [u, p] = [hexUuid(userUuid), hexUuid(projectUuid)];
    await this.operator(
      { method: 'post', path: 'tasks/create_or_restore_offering_users_for_user', body: { user_uuid: u, project_uuid: p }, ok: 200 },
      `from waldur_mastermind.marketplace.tasks import create_or_restore_offering_users_for_user\ncreate_or_restore_offering_users_for_user('${u}', '${p}')\nprint('{}')`,
    );
  }

  /**
   * A second server block in front of this Waldur (operator), with or without the /rmqws-stomp location;
   * with `port`, on that port of an address of its own. Answers its base URL. Registered for removal.
   */
  async addServerBlock(stomp: boolean, track: Track, port?: number): Promise<string> {
    const res = await this.http.post(this.adminPath('listeners'), { stomp, port });
    if (res.status !== 201) throw new WaldurCallError(this.side, 'POST', '__admin/listeners', res.status, res.data);
    const { uuid, url } = res.data;
    track(`server block ${url} of Waldur ${this.side.toUpperCase()}`, async () => {
      const del = await this.http.delete(this.adminPath(`listeners/${uuid}`));
      if (del.status !== 204) throw new WaldurCallError(this.side, 'DELETE', `__admin/listeners/${uuid}`, del.status, del.data);
    });
    return url;
  }

  /** Whether the seed 001 back-door operations (resources, plugin options, tasks) are possible here. */
  get hasShellOperator(): boolean {
    return !!this.instance.adminUrl || !!this.instance.operatorCommand;
  }

  /** Whether this instance has the operator endpoint (embedded) that the operator checks need. */
  get hasOperator(): boolean {
    return !!this.instance.adminUrl;
  }

  private adminPath(path: string): string {
    if (!this.instance.adminUrl) throw new Error(`Waldur ${this.side.toUpperCase()} has no operator endpoint (admin_url) for "${path}"`);
    return new URL(path, this.instance.adminUrl.replace(/\/?$/, '/')).toString();
  }
}

export type FaultName = 'set_state_done_500' | 'shadow_resource';
/** What a fault switch applies to: exactly one entity the scenario owns. */
export type FaultScope = { offering_uuid: string } | { resource_uuid: string } | { order_uuid: string };

export interface BrokerQueue {
  name: string;
  consumers: number;
  /** message_stats.deliver_get: messages handed to consumers so far */
  delivered: number;
  /** message_stats.publish: messages routed into the queue so far (RabbitMQ may leave it out for management-API publishes) */
  published: number;
  /** messages in the queue, ready or unacknowledged */
  waiting: number;
}

/** A connection as the RabbitMQ management API lists it (user = the event subscription UUID hex). */
export interface BrokerConnection {
  name: string;
  user: string;
  vhost: string;
  state?: string;
}

/**
 * The operator's view of the broker behind Waldur's /rmqws-stomp: the RabbitMQ management HTTP API
 * (`GET /api/connections`, `DELETE /api/connections/{name}`), filled in at RabbitMQ's stats interval,
 * so callers wait for what they expect with `eventually`.
 */
export class BrokerOperator {
  private readonly http: AxiosInstance;

  constructor(private readonly broker: WaldurTarget['broker'], log: HttpLog) {
    const { managementUrl, user, password } = broker;
    if (!managementUrl || !user || !password) throw new Error('the Waldur target has no broker management API (waldur.broker in the config)');
    this.http = createHttp(managementUrl, log, { auth: { username: user, password } });
  }

  /** Open connections (a closing one may still be listed for a moment). */
  async connections(): Promise<BrokerConnection[]> {
    const res = await this.http.get('api/connections');
    if (res.status !== 200 || !Array.isArray(res.data)) throw new Error(`broker connection list answered ${res.status}`);
    return (res.data as BrokerConnection[]).filter((c) => c.state !== 'closed');
  }

  /** One queue as the management API shows it: consumers and cumulative message_stats (absent before traffic). */
  async queue(vhost: string, name: string): Promise<BrokerQueue> {
    const res = await this.http.get(`api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(name)}`);
    if (res.status !== 200) throw new Error(`broker queue ${vhost}/${name} answered ${res.status}: ${JSON.stringify(res.data)}`);
    const stats = res.data.message_stats ?? {};
    return { name, consumers: Number(res.data.consumers ?? 0), delivered: Number(stats.deliver_get ?? 0), published: Number(stats.publish ?? 0), waiting: Number(res.data.messages ?? 0) };
  }

  /** Whether the broker still has the queue (404 once it was deleted). */
  async queueExists(vhost: string, name: string): Promise<boolean> {
    const res = await this.http.get(`api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(name)}`);
    if (res.status !== 200 && res.status !== 404) throw new Error(`broker queue ${vhost}/${name} answered ${res.status}: ${JSON.stringify(res.data)}`);
    return res.status === 200;
  }

  /** `PUT /api/permissions/<vhost>/<user>`: full access for a broker user to a vhost (seed 001's publisher grant). */
  async grantVhost(vhost: string, user: string): Promise<void> {
    const res = await this.http.put(`api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(user)}`, { configure: '.*', write: '.*', read: '.*' });
    if (res.status !== 201 && res.status !== 204) throw new Error(`granting ${user} access to vhost ${vhost} answered ${res.status}: ${JSON.stringify(res.data)}`);
  }

  /** The broker user the management API is used as (Waldur's publisher). */
  get user(): string {
    return this.broker.user!;
  }

  /** Force-closes a connection, as `rabbitmqctl close_connection` does. */
  async dropConnection(name: string): Promise<void> {
    const res = await this.http.delete(`api/connections/${encodeURIComponent(name)}`, { headers: { 'X-Reason': 'e2e: dropped by the operator' } });
    if (res.status !== 204) throw new Error(`dropping broker connection "${name}" answered ${res.status}: ${JSON.stringify(res.data)}`);
  }
}

export class WaldurClient {
  readonly a: WaldurInstanceClient;
  readonly b: WaldurInstanceClient;
  private brokerOperator: BrokerOperator | null = null;

  constructor(
    readonly target: WaldurTarget,
    readonly log: HttpLog,
  ) {
    this.a = new WaldurInstanceClient('a', target.a, log);
    this.b = new WaldurInstanceClient('b', target.b, log);
  }

  /** The broker's management API (the operator back door for STOMP connections). */
  get broker(): BrokerOperator {
    return (this.brokerOperator ??= new BrokerOperator(this.target.broker, this.log));
  }

  side(side: Side): WaldurInstanceClient {
    return side === 'a' ? this.a : this.b;
  }
}
