// Embedded-broker specifics beyond the conformance tests: framing over WebSocket, closing after ERROR,
// management API errors, administrative deletes, queue limits and stop().
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@stomp/stompjs';
import WebSocket from 'ws';
import { startStompBroker, StompBrokerHandle } from '../../emulators/stomp';
import { RabbitManagementClient } from '../../emulators/stomp/management-client';
import { connectFrame, RawStomp } from './raw';

describe('embedded STOMP broker', () => {
  let broker: StompBrokerHandle;
  let admin: RabbitManagementClient;
  const open: RawStomp[] = [];
  const user = { login: 'agent', passcode: 'agent-token', host: 'vh' };

  before(async () => {
    broker = await startStompBroker({ adminUser: 'root', adminPassword: 'root-secret' });
    admin = new RabbitManagementClient(broker.managementUrl, broker.adminUser, broker.adminPassword);
    await admin.putVhost('vh');
    await admin.putUser('agent', 'agent-token');
    await admin.setPermissions('vh', 'agent');
  });
  after(async () => {
    for (const r of open) r.close();
    await broker.stop();
  });

  const raw = () => {
    const r = new RawStomp(broker.wsUrl);
    open.push(r);
    return r;
  };
  const messages = (r: RawStomp) => r.frames.filter((f) => f.command === 'MESSAGE');
  const http = (path: string, init: RequestInit = {}) =>
    fetch(`${broker.managementUrl}${path}`, {
      ...init,
      headers: { authorization: `Basic ${Buffer.from('root:root-secret').toString('base64')}`, 'content-type': 'application/json', ...init.headers },
    });

  it('reads frames split across WebSocket messages and several frames in one message', async () => {
    await admin.declareQueue('vh', 'split');
    const r = raw();
    const all = connectFrame(user) + 'SUBSCRIBE\nid:1\ndestination:/amq/queue/split\nreceipt:r\n\n\0';
    await r.send(all.slice(0, 10), all.slice(10, 75), all.slice(75));
    await r.frame('RECEIPT');
    await r.send('SEND\ndestination:/amq/queue/split\n\none\0SEND\ndestination:/amq/queue/split\ncontent-length:5\n\nt\0w\0o\0');
    await r.until(() => messages(r).length === 2);
    assert.deepEqual(messages(r).map((m) => m.body), ['one', 't\0w\0o']);
  });

  it('carries custom headers through SEND to MESSAGE with 1.2 escaping', async () => {
    const r = raw();
    await r.send(connectFrame(user), 'SUBSCRIBE\nid:1\ndestination:/queue/esc\nreceipt:r\n\n\0');
    await r.frame('RECEIPT');
    await r.send('SEND\ndestination:/queue/esc\nx-note:a\\cb\\nc\n\nbody\0');
    await r.until(() => messages(r).length === 1);
    assert.equal(messages(r)[0].headers['x-note'], 'a\\cb\\nc', 'sent escaped on the wire');
  });

  it('sends ERROR and closes on a malformed frame, a bad escape, a frame before CONNECT and a refused login', async () => {
    const cases: [string[], string][] = [
      [[connectFrame(user), 'BOGUS\n\n\0'], 'Bad command'],
      [[connectFrame(user), 'SEND\ndestination:/queue/a\nx:\\q\n\n\0'], 'Bad frame'],
      [['SUBSCRIBE\nid:1\ndestination:/queue/a\n\n\0'], 'Illegal command'],
      [[connectFrame({ ...user, passcode: 'wrong' })], 'Bad CONNECT'],
      [[connectFrame({ ...user, host: 'nope' })], 'Bad CONNECT'],
      [[connectFrame(user), 'SUBSCRIBE\nid:1\ndestination:/amq/queue/absent\n\n\0'], 'not_found'],
      [[connectFrame(user), 'ACK\nid:nothing\n\n\0'], 'Invalid header'],
    ];
    for (const [frames, message] of cases) {
      const r = raw();
      await r.send(...frames);
      const error = await r.frame('ERROR');
      assert.equal(error.headers.message, message, JSON.stringify(frames));
      await r.closed();
    }
  });

  it('answers DISCONNECT with its RECEIPT, then closes', async () => {
    const r = raw();
    await r.send(connectFrame(user), 'DISCONNECT\nreceipt:bye\n\n\0');
    assert.equal((await r.frame('RECEIPT')).headers['receipt-id'], 'bye');
    await r.closed();
  });

  it('works with @stomp/stompjs, receipts included', async () => {
    const got: string[] = [];
    const client = new Client({
      webSocketFactory: () => new WebSocket(broker.wsUrl, ['v12.stomp']),
      connectHeaders: user,
      reconnectDelay: 0,
      debug: () => {},
    });
    await new Promise<void>((resolve) => {
      client.onConnect = () => resolve();
      client.activate();
    });
    await new Promise<void>((resolve) => {
      client.watchForReceipt('sub', () => resolve());
      client.subscribe('/topic/news.*', (m) => got.push(m.body), { receipt: 'sub' });
    });
    client.publish({ destination: '/topic/news.today', body: 'hello' });
    client.publish({ destination: '/topic/sports.today', body: 'ignored' });
    await new Promise<void>((resolve) => {
      client.watchForReceipt('sent', () => resolve());
      client.publish({ destination: '/topic/news.late', body: 'late', headers: { receipt: 'sent' } });
    });
    assert.deepEqual(got, ['hello', 'late']);
    await client.deactivate();
  });

  it('closes the connections of a deleted user', async () => {
    await admin.putUser('temp', 'temp-token');
    await admin.setPermissions('vh', 'temp');
    const r = raw();
    await r.send(connectFrame({ login: 'temp', passcode: 'temp-token', host: 'vh' }));
    await r.frame('CONNECTED');
    assert.equal(await admin.deleteUser('temp'), true);
    await r.closed();
    assert.equal(await admin.deleteUser('temp'), false);
  });

  it('honours x-max-length with reject-publish and reports queue counts', async () => {
    await admin.declareQueue('vh', 'small', { arguments: { 'x-max-length': 1, 'x-overflow': 'reject-publish-dlx' } });
    assert.equal(await admin.publish('vh', 'small', 'a'), true);
    assert.equal(await admin.publish('vh', 'small', 'b'), false);
    const q = await admin.getQueue('vh', 'small');
    assert.equal(q?.messages, 1);
    assert.ok((await admin.listQueues('vh')).some((x) => x.name === 'small'));
    assert.equal(await admin.deleteQueue('vh', 'small'), true);
    assert.equal(await admin.getQueue('vh', 'small'), undefined);
  });

  it('serves the management API with RabbitMQ status codes and error bodies', async () => {
    const bad = await fetch(`${broker.managementUrl}/api/queues/vh`, { headers: { authorization: 'Basic eDp5' } });
    assert.equal(bad.status, 401);
    assert.deepEqual(await bad.json(), { error: 'not_authorized', reason: 'Login failed' });
    assert.equal((await http('/api/nothing')).status, 404);
    assert.equal((await http('/api/queues/vh/x', { method: 'PATCH' })).status, 405);
    const notJson = await http('/api/queues/vh/x', { method: 'PUT', body: '{oops' });
    assert.equal(notJson.status, 400);
    assert.deepEqual(await notJson.json(), { error: 'bad_request', reason: 'not_json' });
    const missing = await http('/api/permissions/vh/agent', { method: 'PUT', body: '{"configure":".*"}' });
    assert.equal(missing.status, 400);
    assert.equal((await http('/api/queues/absent-vhost/x', { method: 'PUT', body: '{}' })).status, 404);
    assert.equal((await http('/api/exchanges/vh/amq.default/publish', { method: 'POST', body: '{"properties":{},"routing_key":"x","payload":"p","payload_encoding":"utf7"}' })).status, 400);
    // the default vhost "/" is addressed as %2F
    assert.equal((await http('/api/queues/%2F/root-q', { method: 'PUT', body: '{}' })).status, 201);
    assert.equal((await admin.getQueue('/', 'root-q'))?.vhost, '/');
    const plain = await fetch(broker.wsUrl.replace('ws:', 'http:'));
    assert.equal(plain.status, 426);
  });

  it('refuses a user without the right permission', async () => {
    await admin.putUser('reader', 'reader-token');
    await admin.setPermissions('vh', 'reader', { configure: '', write: '', read: '.*' });
    const r = raw();
    await r.send(connectFrame({ login: 'reader', passcode: 'reader-token', host: 'vh' }), 'SEND\ndestination:/queue/forbidden\n\nx\0');
    const error = await r.frame('ERROR');
    assert.equal(error.headers.message, 'access_refused');
    assert.match(error.body, /configure access to queue 'forbidden'/);
  });

  it('stop() closes every socket and frees the port', async () => {
    const other = await startStompBroker();
    const r = new RawStomp(other.wsUrl);
    await r.send(connectFrame({ login: other.adminUser, passcode: other.adminPassword, host: '/' }));
    await r.frame('CONNECTED');
    await other.stop();
    await r.closed();
    await assert.rejects(fetch(`${other.managementUrl}/api/overview`));
  });
});
