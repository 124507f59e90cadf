// Event publication as mastermind does it: a JSON message per matching subscription queue
// (`subscription_<sub>_offering_<offering>_<type>`), published in order, never blocking the API call.
import { ApiError } from './http';
import type { RabbitManagement } from './rabbitmq';
import type { Store, Subscription } from './store';
import { newUuid, now } from './store';

export interface PublishedEvent { vhost: string; queue: string; object_type: string; offering_uuid: string; body: unknown; at: string; delivered: boolean }

const debug = (msg: string): void => {
  if (process.env.E2E_DEBUG) process.stderr.write(`[waldur-emulator] ${msg}\n`);
};

export class Events {
  private chain: Promise<void> = Promise.resolve();
  readonly log: PublishedEvent[] = [];

  constructor(private readonly store: Store, private readonly broker: RabbitManagement | null) {}

  private async brokerCall(what: string, call: (b: RabbitManagement) => Promise<void>): Promise<void> {
    if (!this.broker) return;
    try {
      await call(this.broker);
    } catch (e) {
      debug(`${what} failed: ${(e as Error).message}`);
      throw new ApiError(503, { detail: `Message broker is unavailable: ${what} failed.` });
    }
  }

  async subscribe(sub: Subscription): Promise<void> {
    const user = this.store.users.get(sub.user);
    if (!user) return;
    await this.brokerCall('subscriber registration', (b) => b.addSubscriber(sub.user, sub.uuid, user.token));
  }

  async unsubscribe(sub: Subscription): Promise<void> {
    const queues = [...this.store.queues.values()].filter((q) => q.subscription === sub.uuid);
    for (const q of queues) this.store.queues.delete(q.uuid);
    await this.brokerCall('subscriber removal', async (b) => {
      for (const q of queues) await b.deleteQueue(q.vhost, q.queue_name);
      await b.removeSubscriber(sub.uuid);
    });
  }

  /** create_queue: 201 with a new queue, 200 when it already exists. */
  async createQueue(sub: Subscription, offeringUuid: string, objectType: string): Promise<{ created: boolean; queue: ReturnType<Store['queue']> }> {
    const existing = [...this.store.queues.values()].find((q) => q.subscription === sub.uuid && q.offering_uuid === offeringUuid && q.object_type === objectType);
    if (existing) return { created: false, queue: this.store.queue(existing) };
    const q = { uuid: newUuid(), subscription: sub.uuid, offering_uuid: offeringUuid, object_type: objectType, queue_name: `subscription_${sub.uuid}_offering_${offeringUuid}_${objectType}`, vhost: sub.user, created: now() };
    await this.brokerCall('queue declaration', (b) => b.declareQueue(q.vhost, q.queue_name));
    this.store.queues.set(q.uuid, q);
    return { created: true, queue: this.store.queue(q) };
  }

  /**
   * Queue one message for every queue subscribed to (offering, object type); delivery is asynchronous and
   * ordered. `visibleTo` (the subscription owner's UUID) limits it to subscribers allowed to see the object.
   */
  publish(offeringUuid: string, objectType: string, body: unknown, visibleTo: (userUuid: string) => boolean = () => true): void {
    for (const q of this.store.queues.values()) {
      if (q.offering_uuid !== offeringUuid || q.object_type !== objectType) continue;
      const owner = this.store.subscriptions.get(q.subscription)?.user;
      if (!owner || !visibleTo(owner)) continue;
      const entry: PublishedEvent = { vhost: q.vhost, queue: q.queue_name, object_type: objectType, offering_uuid: offeringUuid, body, at: now(), delivered: false };
      this.log.push(entry);
      this.chain = this.chain.then(async () => {
        if (!this.broker) return;
        try {
          await this.broker.publish(entry.vhost, entry.queue, body);
          entry.delivered = true;
        } catch (e) {
          debug(`publish to ${entry.queue} failed: ${(e as Error).message}`);
        }
      });
    }
  }

  /** Resolves when every queued message has been handed to the broker. */
  idle(): Promise<void> {
    return this.chain;
  }
}
