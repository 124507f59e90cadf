// WaldurBackend: Waldur B seen as the "backend" of A's offering (plugins/waldur backend.py, REPORT §2).
// Creates orders on B without waiting, reports B's resource UUID and order UUID, converts limits and
// never writes backend_id on B's resource.
import { ApiFailure, Json, WaldurApi, dashed, hex } from './api';
import type { BackendSettings, BackendComponent } from './config';
import { ComponentMapper } from './mapping';

/** A permanent failure: the A order goes to erred. */
export class BackendError extends Error {}
/** Try again on a later cycle (B busy or unreachable). */
export class BackendNotReadyError extends Error {}

export interface UsernameSync { changed: boolean; patched: { offering_user_uuid: string; user_username: string; from: string | null; to: string }[] }
export interface CreatedOnB { backendId: string; pendingOrderId: string }

const OPEN_ORDER_STATES = ['pending-consumer', 'pending-project', 'pending-provider', 'pending-start-date', 'executing'];

export class WaldurBackend {
  readonly b: WaldurApi;
  readonly mapper: ComponentMapper;

  constructor(readonly settings: BackendSettings, components: Record<string, BackendComponent>) {
    this.b = new WaldurApi(settings.target_api_url, settings.target_api_token);
    this.mapper = new ComponentMapper(components);
  }

  /** Cycle preflight: B answers for the target offering. */
  async ping(): Promise<void> {
    const offering = hex(this.settings.target_offering_uuid);
    await this.b.get('/api/marketplace-resources/', { offering_uuid: offering });
    await this.b.get('/api/marketplace-orders/', { offering_uuid: offering, page_size: 1 });
  }

  /**
   * sync_offering_user_usernames (plugins/waldur backend.py, REPORT §5): B's OK offering users of the target
   * offering give user_username -> username; every A offering user of `offeringA` (OK, Creating, Requested,
   * not restricted) with the same user_username and another username is PATCHed to B's. Nothing differs,
   * nothing is written (the idempotent second run).
   */
  async syncOfferingUserUsernames(offeringA: string, a: WaldurApi): Promise<UsernameSync> {
    const onB = await this.b.list('/api/marketplace-offering-users/', { offering_uuid: hex(this.settings.target_offering_uuid), is_restricted: 'false', state: 'OK' });
    const wanted = new Map<string, string>();
    for (const ou of onB) if (ou.user_username && ou.username) wanted.set(ou.user_username, ou.username);
    const result: UsernameSync = { changed: false, patched: [] };
    if (!wanted.size) return result;
    const onA = await a.list('/api/marketplace-offering-users/', { offering_uuid: hex(offeringA), state: ['OK', 'Creating', 'Requested'], is_restricted: 'false' });
    for (const ou of onA) {
      const target = ou.user_username ? wanted.get(ou.user_username) : undefined;
      if (!target || (ou.username ?? null) === target) continue;
      await a.patch(`/api/marketplace-offering-users/${hex(ou.uuid)}/`, { username: target });
      result.patched.push({ offering_user_uuid: hex(ou.uuid), user_username: ou.user_username, from: ou.username ?? null, to: target });
      result.changed = true;
    }
    return result;
  }

  /** B project for A's project: find by backend_id "<A customer>_<A project>", else create. */
  private async projectOnB(resourceA: Json): Promise<string> {
    const backendId = `${dashed(resourceA.customer_uuid)}_${dashed(resourceA.project_uuid)}`;
    const found = await this.b.get('/api/projects/', { backend_id: backendId, field: ['uuid', 'url', 'name'] });
    if (Array.isArray(found) && found.length) return found[0].url;
    const created = await this.b.post('/api/projects/', {
      name: resourceA.project_name,
      customer: this.b.url(`/api/customers/${hex(this.settings.target_customer_uuid)}/`),
      backend_id: backendId,
      description: resourceA.project_description ?? '',
    });
    return created.url;
  }

  /** create_resource_with_id, non-blocking: submit a Create order on B and return at once. */
  async createResource(resourceA: Json, orderA: Json): Promise<CreatedOnB> {
    const project = await this.projectOnB(resourceA);
    const offering = hex(this.settings.target_offering_uuid);
    const plans = await this.b.get(`/api/marketplace-public-offerings/${offering}/plans/`);
    if (!Array.isArray(plans) || !plans.length) throw new BackendError(`Target offering ${offering} has no plan`);
    const attributes: Record<string, unknown> = { name: resourceA.name };
    for (const key of this.settings.passthrough_attributes) {
      if (orderA.attributes && key in orderA.attributes) attributes[key] = orderA.attributes[key];
    }
    let order: Json;
    try {
      order = await this.b.post('/api/marketplace-orders/', {
        offering: this.b.url(`/api/marketplace-public-offerings/${offering}/`),
        project,
        plan: plans[0].url,
        limits: this.mapper.forward(this.mapper.configured(resourceA.limits ?? {})),
        attributes,
        type: 'Create',
      });
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 400) throw new BackendError(`Target Waldur rejected order (HTTP 400): ${e.body}`);
      throw e;
    }
    return { backendId: dashed(order.marketplace_resource_uuid), pendingOrderId: dashed(order.uuid) };
  }

  /** check_pending_order: true when B's order is done; B's 5xx means "not yet". */
  async checkPendingOrder(orderId: string): Promise<boolean> {
    let order: Json;
    try {
      order = await this.b.get(`/api/marketplace-orders/${hex(orderId)}/`);
    } catch (e) {
      if (e instanceof ApiFailure && e.status >= 500) return false;
      throw e;
    }
    if (order.state === 'done') return true;
    if (['erred', 'canceled', 'rejected'].includes(order.state)) throw new BackendError(`Target order ${orderId} failed: ${order.state}`);
    return false;
  }

  /** set_resource_limits: converted; no order when B already has them. Returns B's order UUID or null. */
  async setResourceLimits(backendId: string, limitsA: Record<string, number>): Promise<string | null> {
    const limits = this.mapper.forward(this.mapper.configured(limitsA));
    const current = await this.b.get(`/api/marketplace-resources/${hex(backendId)}/`);
    if (Object.entries(limits).every(([k, v]) => current.limits?.[k] === v)) return null;
    const res = await this.b.post(`/api/marketplace-resources/${hex(backendId)}/update_limits/`, { limits });
    return dashed(res.order_uuid ?? res.uuid);
  }

  /** delete_resource by B's state. Returns B's order UUID or null when nothing is left to do. */
  async deleteResource(backendId: string): Promise<string | null> {
    if (!backendId) return null; // "Empty backend_id for resource, skipping deletion"
    const resource = await this.b.get(`/api/marketplace-resources/${hex(backendId)}/`);
    switch (resource.state) {
      case 'Terminated':
        return null;
      case 'Terminating': {
        const open = await this.b.list('/api/marketplace-orders/', { resource_uuid: hex(backendId), type: 'Terminate', state: OPEN_ORDER_STATES });
        return open.length ? dashed(open[0].uuid) : null;
      }
      case 'Creating':
      case 'Updating':
        throw new BackendNotReadyError(`Target resource ${backendId} is ${resource.state}`);
      case 'OK':
      case 'Erred': {
        const res = await this.b.post(`/api/marketplace-resources/${hex(backendId)}/terminate/`, {});
        return dashed(res.order_uuid ?? res.uuid);
      }
      default:
        throw new BackendError(`Target resource ${backendId} is in unexpected state ${resource.state}`);
    }
  }
}
