/** NotificationCapture against a small notifier stand-in speaking upstream's protocol. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { NotificationCapture } from '../../world/capture/notifications';

test('authenticates, waits for the welcome, subscribes and buffers notifications', async () => {
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    verifyClient: (info: { req: { headers: Record<string, unknown> } }) => info.req.headers.authorization === 'Bearer t0k3n',
    handleProtocols: (protocols: Set<string>) => (protocols.has('attune.v1') ? 'attune.v1' : false),
  });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const subscribed: string[] = [];
  wss.on('connection', (ws) => {
    ws.send(JSON.stringify({ type: 'welcome', client_id: 'c1', message: 'Connected to Attune Notifier' }));
    ws.on('message', (raw) => {
      const m = JSON.parse(raw.toString());
      subscribed.push(m.filter);
      ws.send(JSON.stringify({
        type: 'notification', notification_type: 'execution_status_changed', entity_type: 'execution', entity_id: 9,
        user_id: null, payload: { id: 9, status: 'completed', old_status: 'running' }, timestamp: new Date().toISOString(),
      }));
    });
  });
  const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`;
  const capture = new NotificationCapture(url, async () => 't0k3n');
  try {
    await capture.subscribe('entity_type:execution');
    await capture.subscribe('entity_type:execution');
    const n = await capture.waitFor((m) => m.entity_id === 9 && m.payload?.status === 'completed', { within: 2000 });
    assert.equal(n.notification_type, 'execution_status_changed');
    assert.deepEqual(subscribed, ['entity_type:execution']);
    assert.equal(capture.about('execution', 9).length, 1);
    assert.match(capture.render(), /welcome[\s\S]*execution_status_changed/);
  } finally {
    capture.close();
    await new Promise<void>((r) => wss.close(() => r()));
  }
});

test('reports a refused upgrade with its status', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, verifyClient: () => false });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const capture = new NotificationCapture(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`, async () => 'bad');
  try {
    await assert.rejects(capture.subscribe('all'), /refused the connection: HTTP 401/);
  } finally {
    capture.close();
    await new Promise<void>((r) => wss.close(() => r()));
  }
});
