import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { activeOffering, Client, client, createOrder, fakeRabbit, Json, startWaldur } from './helpers';

describe('Waldur emulator: event subscriptions and STOMP publication', () => {
  let rabbit: Awaited<ReturnType<typeof fakeRabbit>>;
  let waldur: Awaited<ReturnType<typeof startWaldur>>;
  let a: Client;
  let offering: Json;
  let sub: Json;

  before(async () => {
    rabbit = await fakeRabbit();
    waldur = await startWaldur({ broker: { wsUrl: 'ws://127.0.0.1:9/ws', managementUrl: rabbit.url + '/', adminUser: 'admin', adminPassword: 'secret' }, targetStomp: false });
    a = client(waldur.a.url, waldur.a.token);
    offering = await activeOffering(a, 'Marketplace.Slurm', ['cpu']);
  });
  after(async () => {
    await waldur.stop();
    await rabbit.stop();
  });

  it('registers an agent identity, an event subscription and its queue as the agent does', async () => {
    const name = `agent-${offering.uuid}`;
    assert.deepEqual((await a.get(`api/marketplace-site-agent-identities/?name=${name}`)).body, []);
    const identity = await a.post('api/marketplace-site-agent-identities/', { offering: offering.uuid, name, version: '0.1', last_restarted: new Date().toISOString(), dependencies: [{ package: 'x', version: '1' }], config_file_path: '', config_file_content: '' });
    assert.equal(identity.status, 201);
    assert.equal((await a.put(`api/marketplace-site-agent-identities/${identity.body.uuid}/`, { offering: offering.uuid, name, version: '0.2' })).body.version, '0.2');
    const me = (await a.get('api/users/me/')).body;
    const s = await a.post(`api/marketplace-site-agent-identities/${identity.body.uuid}/register_event_subscription/`, { observable_object_type: 'order', description: 'Event subscription created by the site agent for identity {identity.name}' });
    assert.equal(s.status, 201);
    sub = s.body;
    assert.equal(sub.user_uuid, me.uuid);
    const auth = 'Basic ' + Buffer.from('admin:secret').toString('base64');
    assert.ok(rabbit.calls.every((c) => c.auth === auth));
    const setup = rabbit.calls.map((c) => `${c.method} ${c.path}`);
    assert.deepEqual(setup, [`PUT /api/vhosts/${me.uuid}`, `PUT /api/users/${sub.uuid}`, `PUT /api/permissions/${me.uuid}/${sub.uuid}`, `PUT /api/permissions/${me.uuid}/admin`]);
    assert.deepEqual(rabbit.calls[1].body, { password: waldur.a.token, tags: '' });
    assert.deepEqual(rabbit.calls[2].body, { configure: '.*', write: '.*', read: '.*' });

    const q = await a.post(`api/event-subscriptions/${sub.uuid}/create_queue/`, { offering_uuid: offering.uuid, object_type: 'order' });
    assert.equal(q.status, 201);
    const queueName = `subscription_${sub.uuid}_offering_${offering.uuid}_order`;
    assert.equal(q.body.queue_name, queueName);
    assert.equal(q.body.vhost, me.uuid);
    const declared = rabbit.calls.at(-1)!;
    assert.equal(`${declared.method} ${declared.path}`, `PUT /api/queues/${me.uuid}/${queueName}`);
    assert.equal(declared.body.arguments['x-message-ttl'], 3600000);
    assert.equal((await a.post(`api/event-subscriptions/${sub.uuid}/create_queue/`, { offering_uuid: offering.uuid, object_type: 'order' })).status, 200);
    assert.deepEqual((await a.post(`api/event-subscriptions/${sub.uuid}/create_queue/`, { offering_uuid: offering.uuid, object_type: 'nope' })).body, { object_type: ['"nope" is not a valid choice.'] });
  });

  it('publishes order events to the queue on the transitions (pending-consumer, pending-provider, done)', async () => {
    const before = rabbit.calls.length;
    const order = (await createOrder(a, offering, { cpu: 3 })).body;
    await a.post(`api/marketplace-orders/${order.uuid}/approve_by_provider/`);
    await a.post(`api/marketplace-orders/${order.uuid}/set_state_done/`);
    const events = (await fetch(`${waldur.a.adminUrl}events`).then((r) => r.json())) as Json[];
    const mine = events.filter((e) => e.body.order_uuid === order.uuid);
    assert.deepEqual(mine.map((e) => e.body.order_state), ['pending-consumer', 'pending-provider', 'done']);
    const publishes = rabbit.calls.slice(before).filter((c) => c.method === 'POST');
    assert.equal(publishes.length, 3);
    const queueName = `subscription_${sub.uuid}_offering_${offering.uuid}_order`;
    for (const p of publishes) {
      assert.equal(p.path, `/api/exchanges/${sub.user_uuid}/amq.default/publish`);
      assert.equal(p.body.routing_key, queueName);
      assert.equal(p.body.payload_encoding, 'string');
    }
    assert.deepEqual(JSON.parse(publishes[0].body.payload), { order_uuid: order.uuid, order_state: 'pending-consumer' });
  });

  it('answers the /rmqws-stomp pre-flight with 426 where STOMP is configured and 200 where not', async () => {
    assert.equal((await fetch(`${waldur.a.url}rmqws-stomp`)).status, 426);
    const b = await fetch(`${waldur.b.url}rmqws-stomp`);
    assert.equal(b.status, 200);
    assert.match(b.headers.get('content-type') ?? '', /text\/html/);
    const none = await startWaldur({ broker: null, targetStomp: true });
    try {
      assert.equal((await fetch(`${none.a.url}rmqws-stomp`)).status, 200);
      assert.equal((await fetch(`${none.b.url}rmqws-stomp`)).status, 200);
    } finally {
      await none.stop();
    }
  });
});

describe('Waldur emulator: /rmqws-stomp WebSocket proxy', () => {
  it('pipes the upgrade to the broker web-STOMP endpoint on A, and on B only with targetStomp', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws' });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    wss.on('connection', (ws, req) => ws.on('message', (m) => ws.send(`${req.url}:${m.toString()}`)));
    const rabbit = await fakeRabbit();
    const wsUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`;
    const waldur = await startWaldur({ broker: { wsUrl, managementUrl: rabbit.url, adminUser: 'admin', adminPassword: 'secret' }, targetStomp: true });
    const echo = (url: string) =>
      new Promise<string>((resolve, reject) => {
        const ws = new WebSocket(url.replace('http', 'ws') + 'rmqws-stomp', ['v12.stomp']);
        ws.on('open', () => ws.send('CONNECT'));
        ws.on('message', (m) => {
          resolve(m.toString());
          ws.close();
        });
        ws.on('error', reject);
      });
    try {
      assert.equal(await echo(waldur.a.url), '/ws:CONNECT');
      assert.equal(await echo(waldur.b.url), '/ws:CONNECT');
    } finally {
      await waldur.stop();
      await rabbit.stop();
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    }
  });
});
