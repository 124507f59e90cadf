// The same behaviour checks against the embedded broker and, when RABBITMQ_WS_URL is set, a real
// RabbitMQ (scripts/rabbitmq.sh start; RABBITMQ_MANAGEMENT_URL, RABBITMQ_ADMIN_USER/PASSWORD default
// to the script's). The setup is the one Waldur makes: vhost = user UUID hex, STOMP login =
// subscription UUID hex, passcode = API token, queue subscription_<sub>_offering_<off>_<type>.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startStompBroker } from '../../emulators/stomp';
import { RabbitManagementClient, WALDUR_QUEUE_ARGUMENTS } from '../../emulators/stomp/management-client';
import { StompCapture } from '../../world/capture/stomp';
import { eventually } from '../../world/wait';
import { connectFrame, RawStomp, uniqueId } from './raw';

interface Target {
  wsUrl: string;
  managementUrl: string;
  adminUser: string;
  adminPassword: string;
  stop?: () => Promise<void>;
}

const env = process.env;
const targets: { name: string; skip: string | false; start: () => Promise<Target> }[] = [
  { name: 'embedded broker', skip: false, start: () => startStompBroker({ adminUser: 'e2e-admin' }) },
  {
    name: 'RabbitMQ',
    skip: env.RABBITMQ_WS_URL ? false : 'RABBITMQ_WS_URL is not set (scripts/rabbitmq.sh start, then RABBITMQ_WS_URL=ws://127.0.0.1:15674/ws)',
    start: async () => ({
      wsUrl: env.RABBITMQ_WS_URL!,
      managementUrl: env.RABBITMQ_MANAGEMENT_URL ?? 'http://127.0.0.1:15672',
      adminUser: env.RABBITMQ_ADMIN_USER ?? 'e2e-admin',
      adminPassword: env.RABBITMQ_ADMIN_PASSWORD ?? 'e2e-admin-secret',
    }),
  },
];

for (const target of targets) {
  describe(`STOMP conformance: ${target.name}`, { skip: target.skip }, () => {
    let t: Target;
    let admin: RabbitManagementClient;
    const cleanups: (() => Promise<unknown>)[] = [];
    const open: { close(): unknown }[] = [];

    before(async () => {
      t = await target.start();
      admin = new RabbitManagementClient(t.managementUrl, t.adminUser, t.adminPassword);
    });
    after(async () => {
      for (const c of open) await c.close();
      for (const undo of cleanups.reverse()) await undo().catch(() => {});
      await t?.stop?.();
    });

    /** What Waldur mastermind sets up for one event subscription of one offering. */
    async function waldurSubscription(objectType = 'order') {
      const vhost = uniqueId('');
      const login = uniqueId('');
      const passcode = uniqueId('token-');
      const queue = `subscription_${login}_offering_${uniqueId('')}_${objectType}`;
      assert.equal(await admin.putVhost(vhost), true);
      cleanups.push(() => admin.deleteVhost(vhost));
      assert.equal(await admin.putVhost(vhost), false, 'a second PUT of the vhost is a no-op');
      await admin.putUser(login, passcode);
      cleanups.push(() => admin.deleteUser(login));
      await admin.setPermissions(vhost, login);
      assert.equal(await admin.declareQueue(vhost, queue, { arguments: WALDUR_QUEUE_ARGUMENTS }), true);
      assert.equal(await admin.declareQueue(vhost, queue, { arguments: WALDUR_QUEUE_ARGUMENTS }), false);
      return { vhost, login, passcode, queue, host: vhost };
    }

    async function capture(s: { login: string; passcode: string; host: string }) {
      const c = await StompCapture.connect(t.wsUrl, s, { within: 5000 });
      open.push(c);
      return c;
    }

    function raw() {
      const r = new RawStomp(t.wsUrl);
      open.push(r);
      return r;
    }

    it('delivers a message published before the subscriber attached, then later ones, over /amq/queue', async () => {
      const s = await waldurSubscription();
      assert.equal(await admin.publish(s.vhost, s.queue, { order_uuid: 'a1', order_state: 'pending-provider' }), true);
      const queued = await admin.getQueue(s.vhost, s.queue);
      assert.deepEqual(queued?.arguments, WALDUR_QUEUE_ARGUMENTS);
      const c = await capture(s);
      await c.subscribe(`/amq/queue/${s.queue}`, { id: s.queue, ack: 'auto' });
      const first = await c.waitFor((f) => f.json?.order_uuid === 'a1', { within: 5000 });
      assert.equal(first.headers.destination, `/queue/${s.queue}`);
      assert.equal(first.headers.subscription, s.queue);
      assert.equal(first.headers['content-type'], 'application/json');
      assert.ok(first.headers['message-id']);
      assert.equal(await admin.publish(s.vhost, s.queue, { order_uuid: 'a2', order_state: 'done' }), true);
      const second = await c.waitFor((f) => f.json?.order_uuid === 'a2', { within: 5000 });
      assert.equal(second.json.order_state, 'done');
      assert.equal(c.frames(`/amq/queue/${s.queue}`).length, 2);
      assert.equal(await admin.publish(s.vhost, `${s.queue}-missing`, { x: 1 }), false, 'nothing routes to a missing queue');
    });

    it('refuses a wrong passcode and an unknown vhost', async () => {
      const s = await waldurSubscription();
      await assert.rejects(capture({ ...s, passcode: 'wrong' }), /Access refused|closed/);
      await assert.rejects(capture({ ...s, host: uniqueId('nohost') }), /access denied|closed/);
    });

    it('fails a SUBSCRIBE to a queue that does not exist under /amq/queue', async () => {
      const s = await waldurSubscription();
      const c = await capture(s);
      // RabbitMQ 3.10.8 closes the socket without the ERROR frame (rabbitmq-server#6737); the emulator sends ERROR then closes
      await assert.rejects(c.subscribe(`/amq/queue/${s.queue}-missing`), /refused/);
    });

    it('lists the STOMP connection with its user and vhost in the management API', async () => {
      const s = await waldurSubscription();
      await capture(s);
      // a real RabbitMQ fills in connection stats at its collection interval
      await eventually(() => admin.connections(), (cs) => cs.some((c) => c.user === s.login && c.vhost === s.vhost), { within: 15_000, every: 250 });
    });

    it('closes a connection deleted through the management API', async () => {
      const s = await waldurSubscription();
      const c = await capture(s);
      const listed = await eventually(() => admin.connections(), (cs) => cs.some((x) => x.user === s.login), { within: 15_000, every: 250 });
      const { name } = listed.find((x) => x.user === s.login)!;
      assert.equal(await admin.closeConnection(name), true);
      await eventually(() => c.connected, (connected) => !connected, { within: 5000, every: 20 });
      await eventually(() => admin.connections(), (cs) => !cs.some((x) => x.name === name), { within: 15_000, every: 250 });
      assert.equal(await admin.closeConnection(name), false, 'a second DELETE finds nothing');
    });

    it('hands the messages of one queue round-robin to its consumers', async () => {
      const s = await waldurSubscription();
      const [c1, c2] = [await capture(s), await capture(s)];
      await c1.subscribe(`/amq/queue/${s.queue}`);
      await c2.subscribe(`/amq/queue/${s.queue}`);
      for (const n of [1, 2, 3, 4]) await admin.publish(s.vhost, s.queue, { n });
      await eventually(() => c1.frames().length + c2.frames().length, (n) => n === 4, { within: 5000, every: 20 });
      assert.deepEqual([c1.frames().length, c2.frames().length], [2, 2]);
    });

    it('redelivers a NACKed message, and unacknowledged ones when the subscriber goes away', async () => {
      const s = await waldurSubscription();
      const r = raw();
      await r.send(connectFrame(s), `SUBSCRIBE\nid:s1\ndestination:/amq/queue/${s.queue}\nack:client-individual\nreceipt:r1\n\n\0`);
      await r.frame('RECEIPT');
      await admin.publish(s.vhost, s.queue, 'one');
      await r.until(() => r.frames.filter((f) => f.command === 'MESSAGE').length === 1);
      const first = r.frames.find((f) => f.command === 'MESSAGE')!;
      assert.equal(first.headers.redelivered, 'false');
      assert.ok(first.headers.ack, 'client-individual deliveries carry an ack header');
      await r.send(`NACK\nid:${first.headers.ack}\n\n\0`);
      await r.until(() => r.frames.filter((f) => f.command === 'MESSAGE').length === 2);
      const again = r.frames.filter((f) => f.command === 'MESSAGE')[1];
      assert.equal(again.body, 'one');
      assert.equal(again.headers.redelivered, 'true');
      r.close(); // never ACKed
      const c = await capture(s);
      await c.subscribe(`/amq/queue/${s.queue}`);
      const back = await c.waitFor((f) => f.body === 'one', { within: 5000 });
      assert.equal(back.headers.redelivered, 'true');
    });

    it('acknowledges cumulatively in client mode', async () => {
      const s = await waldurSubscription();
      for (const m of ['m1', 'm2', 'm3']) await admin.publish(s.vhost, s.queue, m);
      const r = raw();
      await r.send(connectFrame(s), `SUBSCRIBE\nid:s1\ndestination:/amq/queue/${s.queue}\nack:client\n\n\0`);
      await r.until(() => r.frames.filter((f) => f.command === 'MESSAGE').length === 3);
      const second = r.frames.filter((f) => f.command === 'MESSAGE')[1];
      await r.send(`ACK\nid:${second.headers.ack}\nreceipt:acked\n\n\0`);
      await r.frame('RECEIPT');
      r.close();
      const c = await capture(s);
      await c.subscribe(`/amq/queue/${s.queue}`);
      await c.waitFor((f) => f.body === 'm3', { within: 5000 });
      assert.deepEqual(c.frames().map((f) => f.body), ['m3']);
    });

    it('answers RECEIPTs, negotiates heart-beats and sends them', async () => {
      const s = await waldurSubscription();
      const r = raw();
      // RabbitMQ keeps heart-beats in whole seconds (1500 -> 1000, 300 -> 1000)
      await r.send(connectFrame({ ...s, heartBeat: '0,300' }));
      const connected = await r.frame('CONNECTED');
      assert.equal(connected.headers.version, '1.2');
      assert.equal(connected.headers['heart-beat'], '1000,0');
      await r.until(() => r.eols >= 2, 4000, 'two server heart-beats');
      await r.send(`SUBSCRIBE\nid:s1\ndestination:/amq/queue/${s.queue}\nreceipt:sub-1\n\n\0`);
      assert.equal((await r.frame('RECEIPT')).headers['receipt-id'], 'sub-1');
      // RabbitMQ 3.10.8 web-stomp closes without the DISCONNECT RECEIPT (like #6737); broker.test.ts checks the emulator's
      await r.send(`DISCONNECT\nreceipt:bye\n\n\0`);
      await r.closed();
    });

    it('closes a connection whose client stops sending heart-beats', async () => {
      const s = await waldurSubscription();
      const r = raw();
      await r.send(connectFrame({ ...s, heartBeat: '1500,0' }));
      assert.equal((await r.frame('CONNECTED')).headers['heart-beat'], '0,1000');
      await r.closed(6000);
    });

    it('routes /topic and /exchange destinations with * and # patterns', async () => {
      const s = await waldurSubscription();
      const r = raw();
      await r.send(
        connectFrame(s),
        `SUBSCRIBE\nid:star\ndestination:/exchange/amq.topic/order.*\n\n\0`,
        `SUBSCRIBE\nid:hash\ndestination:/topic/order.#\nreceipt:subscribed\n\n\0`,
      );
      await r.frame('RECEIPT');
      await r.send(`SEND\ndestination:/topic/order.created\n\nA\0SEND\ndestination:/topic/order.x.y\n\nB\0SEND\ndestination:/topic/user.created\n\nC\0`);
      await r.until(() => r.frames.filter((f) => f.command === 'MESSAGE').length === 3);
      const got = r.frames.filter((f) => f.command === 'MESSAGE').map((f) => `${f.headers.subscription}:${f.body}`).sort();
      assert.deepEqual(got, ['hash:A', 'hash:B', 'star:A']);
      const dest = r.frames.find((f) => f.command === 'MESSAGE' && f.body === 'B')!.headers.destination;
      assert.equal(dest, '/topic/order.x.y');
    });

    // (RabbitMQ keeps the socket open after these ERRORs; the emulator closes it as STOMP 1.2 says: broker.test.ts)
    it('answers an unknown command with ERROR', async () => {
      const s = await waldurSubscription();
      const r = raw();
      await r.send(connectFrame(s), `BOGUS\n\n\0`);
      assert.equal((await r.frame('ERROR')).headers.message, 'Bad command');
    });

    it('requires CONNECT first and refuses unsupported versions', async () => {
      const first = raw();
      await first.send(`SEND\ndestination:/queue/x\n\nhi\0`);
      assert.equal((await first.frame('ERROR')).headers.message, 'Illegal command');
      const s = await waldurSubscription();
      const second = raw();
      await second.send(connectFrame(s).replace('accept-version:1.2', 'accept-version:9.9'));
      assert.equal((await second.frame('ERROR')).headers.message, 'Version mismatch');
    });
  });
}
