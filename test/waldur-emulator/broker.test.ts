// Against the embedded broker: what the agent does end to end (register, connect through /rmqws-stomp,
// SUBSCRIBE /amq/queue/<queue>) receives the order events with the upstream bodies.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client as Stomp, IMessage } from '@stomp/stompjs';
import { WebSocket } from 'ws';
import { startStompBroker } from '../../emulators/stomp';
import { activeOffering, Client, client, createOrder, Json, startWaldur } from './helpers';

describe('Waldur emulator with the embedded broker', () => {
  let broker: Awaited<ReturnType<typeof startStompBroker>>;
  let waldur: Awaited<ReturnType<typeof startWaldur>>;
  let a: Client;
  let stomp: Stomp | null = null;

  before(async () => {
    broker = await startStompBroker();
    waldur = await startWaldur({ broker, targetStomp: false });
    a = client(waldur.a.url, waldur.a.token);
  });
  after(async () => {
    await stomp?.deactivate();
    await waldur.stop();
    await broker.stop();
  });

  it('delivers pending-consumer, pending-provider and done events for an order over STOMP via /rmqws-stomp', async () => {
    const offering = await activeOffering(a, 'Marketplace.Slurm', ['cpu']);
    const identity = (await a.post('api/marketplace-site-agent-identities/', { offering: offering.uuid, name: `agent-${offering.uuid}` })).body;
    const sub = (await a.post(`api/marketplace-site-agent-identities/${identity.uuid}/register_event_subscription/`, { observable_object_type: 'order' })).body;
    const queue = (await a.post(`api/event-subscriptions/${sub.uuid}/create_queue/`, { offering_uuid: offering.uuid, object_type: 'order' })).body;

    const received: Json[] = [];
    let notify: () => void = () => undefined;
    await new Promise<void>((resolve, reject) => {
      stomp = new Stomp({
        webSocketFactory: () => new WebSocket(`${waldur.a.url.replace('http', 'ws')}rmqws-stomp`, ['v12.stomp']),
        connectHeaders: { login: sub.uuid, passcode: waldur.a.token, host: sub.user_uuid },
        heartbeatIncoming: 0,
        heartbeatOutgoing: 0,
        reconnectDelay: 0,
        onConnect: () => {
          stomp!.subscribe(`/amq/queue/${queue.queue_name}`, (m: IMessage) => {
            received.push(JSON.parse(m.body));
            notify();
          }, { id: queue.queue_name, ack: 'auto' });
          resolve();
        },
        onStompError: (f) => reject(new Error(f.headers.message)),
        onWebSocketError: () => reject(new Error('WebSocket error')),
      });
      stomp.activate();
    });

    const order = (await createOrder(a, offering, { cpu: 1 })).body;
    await a.post(`api/marketplace-orders/${order.uuid}/approve_by_provider/`);
    await a.post(`api/marketplace-orders/${order.uuid}/set_state_done/`);
    const want = ['pending-consumer', 'pending-provider', 'done'];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`received only ${JSON.stringify(received)}`)), 5000);
      notify = () => {
        if (received.length >= want.length) {
          clearTimeout(timer);
          resolve();
        }
      };
      notify();
    });
    assert.deepEqual(received, want.map((s) => ({ order_uuid: order.uuid, order_state: s })));
    assert.equal((await a.del(`api/event-subscriptions/${sub.uuid}/`)).status, 204, 'removes the broker user and queue too');
  });
});
