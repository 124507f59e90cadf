// Marketplace order life cycle as mastermind runs it (django-fsm transitions on Order, resource
// callbacks on completion) plus the events mastermind publishes on those transitions.
import { ApiError, wrongState } from './http';
import type { Events } from './events';
import type { Order, OrderState, OrderType, Resource, ResourceState, Store } from './store';
import { TERMINAL_ORDER_STATES, newUuid, now, slugify } from './store';

export const FAULTS = ['set_state_done_500', 'shadow_resource'] as const;
export type FaultName = (typeof FAULTS)[number];
/** What a switch applies to: one offering, resource or order, named by UUID (never the whole instance). */
export const FAULT_SCOPES = ['offering_uuid', 'resource_uuid', 'order_uuid'] as const;
export type FaultScope = (typeof FAULT_SCOPES)[number];
export interface Fault { uuid: string; name: FaultName; scope: FaultScope; target: string; remaining: number | null; commit: boolean }
/** The offering, resource and order an operation is about (the order is absent before it exists). */
interface Subject { offering: string; resource: string; order?: string }
const SUBJECT_KEY: Record<FaultScope, keyof Subject> = { offering_uuid: 'offering', resource_uuid: 'resource', order_uuid: 'order' };

/** Order states whose entry mastermind announces on the `order` queues (see README). */
const PUBLISHED_ORDER_STATES: readonly OrderState[] = ['pending-consumer', 'pending-provider', 'done', 'erred', 'canceled', 'rejected'];

/** Resource state while an order of that type is open. */
const RESOURCE_STATE_WHILE: Record<OrderType, ResourceState> = { Create: 'Creating', Update: 'Updating', Terminate: 'Terminating', Restore: 'Creating' };

export class Marketplace {
  /** Armed switches by their UUID; each applies only to its own offering, resource or order. */
  readonly faults = new Map<string, Fault>();

  constructor(private readonly store: Store, private readonly events: Events) {}

  /** Consumes one occurrence of the first switch of that name whose scope covers the subject. */
  fault(name: FaultName, subject: Subject): Fault | null {
    const f = [...this.faults.values()].find((x) => x.name === name && subject[SUBJECT_KEY[x.scope]] === x.target);
    if (!f) return null;
    if (f.remaining !== null && --f.remaining <= 0) this.faults.delete(f.uuid);
    return f;
  }

  createOrder(args: { type: OrderType; offering: string; plan: string | null; project: string; limits: Record<string, number>; attributes: Record<string, unknown>; resource?: Resource; user: string; request_comment?: string | null; callback_url?: string | null; start_date?: string | null }): Order {
    let resource = args.resource;
    if (!resource) {
      resource = this.store.addResource({ offering: args.offering, project: args.project, plan: args.plan, name: typeof args.attributes.name === 'string' ? args.attributes.name : '', description: typeof args.attributes.description === 'string' ? args.attributes.description : '', limits: { ...args.limits }, attributes: { ...args.attributes } });
    }
    let reported = resource.uuid;
    if (args.type !== 'Create' && this.fault('shadow_resource', { offering: args.offering, resource: resource.uuid })) {
      // Known issue 2: Update/Terminate orders point at a "shadow" resource with empty name and backend_id.
      reported = this.store.addResource({ offering: resource.offering, project: resource.project, plan: resource.plan, name: '', limits: { ...resource.limits }, state: resource.state }).uuid;
    }
    const t = now();
    const order: Order = {
      uuid: newUuid(), type: args.type, state: 'pending-consumer', offering: args.offering, plan: args.plan, project: args.project,
      resource: resource.uuid, reported_resource: reported, limits: { ...args.limits }, attributes: { ...args.attributes }, backend_id: '',
      error_message: '', error_traceback: '', request_comment: args.request_comment ?? null, callback_url: args.callback_url ?? null, start_date: args.start_date ?? null,
      slug: slugify(String(args.attributes.name || args.type)), created_by: args.user, consumer_reviewed_by: null, consumer_reviewed_at: null,
      provider_reviewed_by: null, provider_reviewed_at: null, consumer_rejection_comment: '', provider_rejection_comment: '', created: t, modified: t, completed_at: null,
    };
    this.store.orders.set(order.uuid, order);
    if (args.type === 'Create') resource.creation_order = order.uuid;
    this.setResourceState(order, RESOURCE_STATE_WHILE[args.type]);
    this.publishOrder(order);
    // The creator is staff (or owns the project), so the consumer review passes at once.
    this.approveByConsumer(order, args.user);
    return order;
  }

  approveByConsumer(order: Order, user: string): void {
    this.guard(order, ['pending-consumer']);
    order.consumer_reviewed_by = user;
    order.consumer_reviewed_at = now();
    this.move(order, 'pending-provider');
  }

  approveByProvider(order: Order, user: string): void {
    this.guard(order, ['pending-provider']);
    order.provider_reviewed_by = user;
    order.provider_reviewed_at = now();
    this.move(order, 'executing');
  }

  rejectByProvider(order: Order, user: string, comment: string): void {
    this.guard(order, ['pending-consumer', 'pending-provider']);
    order.provider_reviewed_by = user;
    order.provider_reviewed_at = now();
    order.provider_rejection_comment = comment;
    this.move(order, 'rejected');
  }

  setExecuting(order: Order): void {
    this.guard(order, ['pending-consumer', 'pending-provider', 'pending-project', 'pending-start-date', 'erred']);
    this.move(order, 'executing');
  }

  /** Known issue 1 lives here: a configured fault answers 500 (optionally after committing). */
  setDone(order: Order): void {
    this.guard(order, ['executing']);
    const fault = this.fault('set_state_done_500', { offering: order.offering, resource: order.resource, order: order.uuid });
    if (fault?.commit) this.move(order, 'done');
    if (fault) throw new ApiError(500, '<h1>Server Error (500)</h1>', 'text/html');
    this.move(order, 'done');
  }

  setErred(order: Order, message: string, traceback: string): void {
    this.guard(order, ['pending-consumer', 'pending-provider', 'pending-project', 'pending-start-date', 'executing']);
    order.error_message = message;
    order.error_traceback = traceback;
    this.move(order, 'erred');
  }

  cancel(order: Order): void {
    this.guard(order, ['pending-consumer', 'pending-provider', 'pending-project', 'pending-start-date']);
    this.move(order, 'canceled');
  }

  /** Changes resource limits outside an order (provider set_limits) and announces it. */
  setLimits(resource: Resource, limits: Record<string, number>): void {
    resource.limits = { ...limits };
    this.touch(resource);
    this.publishResource(resource);
  }

  openOrderOf(resource: Resource): Order | undefined {
    return [...this.store.orders.values()].find((o) => o.resource === resource.uuid && !TERMINAL_ORDER_STATES.includes(o.state));
  }

  private guard(order: Order, valid: readonly OrderState[]): void {
    if (!valid.includes(order.state)) throw wrongState(valid);
  }

  private move(order: Order, state: OrderState): void {
    order.state = state;
    order.modified = now();
    if (TERMINAL_ORDER_STATES.includes(state)) {
      order.completed_at = order.modified;
      this.complete(order);
    }
    this.publishOrder(order);
  }

  /** mastermind's resource callbacks on order completion. */
  private complete(order: Order): void {
    const resource = this.store.resources.get(order.resource);
    if (!resource) return;
    if (order.state === 'done') {
      if (order.type === 'Terminate') this.setResourceState(order, 'Terminated');
      else {
        if (order.type === 'Update') resource.limits = { ...order.limits };
        this.setResourceState(order, 'OK');
        if (order.type === 'Update') this.publishResource(resource);
      }
    } else if (order.state === 'erred') {
      resource.error_message = order.error_message;
      resource.error_traceback = order.error_traceback;
      this.setResourceState(order, 'Erred');
    } else {
      this.setResourceState(order, order.type === 'Create' ? 'Terminated' : 'OK');
    }
  }

  private setResourceState(order: Order, state: ResourceState): void {
    for (const uuid of new Set([order.resource, order.reported_resource])) {
      const r = this.store.resources.get(uuid);
      if (!r) continue;
      r.state = state;
      this.touch(r);
    }
  }

  private touch(r: Resource): void {
    r.modified = now();
  }

  private publishOrder(order: Order): void {
    if (!PUBLISHED_ORDER_STATES.includes(order.state)) return;
    this.events.publish(order.offering, 'order', { order_uuid: order.uuid, order_state: order.state });
  }

  private publishResource(r: Resource): void {
    this.events.publish(r.offering, 'resource', { resource_uuid: r.uuid, resource_backend_id: r.backend_id, downscaled: r.downscaled, restrict_member_access: r.restrict_member_access, paused: r.paused, limits: r.limits });
  }
}
