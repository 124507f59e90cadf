/** AttuneClient against a small stand-in server: auth and refresh, envelopes, the pack archive. */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { AttuneClient, PLAN_STATUS, tarGz } from '../../world/clients/attune';
import { HttpLog } from '../../world/clients/http';

interface Seen { method: string; url: string; auth?: string; body: string }

async function standIn(expiresIn: number, answer: (s: Seen) => unknown) {
  const seen: Seen[] = [];
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, auth: req.headers.authorization, body };
      seen.push(s);
      n += 1;
      const tokens = { access_token: `access-${n}`, refresh_token: `refresh-${n}`, token_type: 'Bearer', expires_in: expiresIn };
      const reply = req.url === '/auth/login' || req.url === '/auth/refresh' ? { data: tokens } : answer(s);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new AttuneClient({ embedded: false, apiUrl: url, notifierUrl: 'ws://unused', login: 'me', password: 'pw-secret' }, new HttpLog());
  return { client, seen, close: () => new Promise<void>((r) => server.close(() => r())) };
}

type StandIn = Awaited<ReturnType<typeof standIn>>;

async function withStandIn(expiresIn: number, answer: (s: Seen) => unknown, check: (s: StandIn) => Promise<void>) {
  const s = await standIn(expiresIn, answer);
  try {
    await check(s);
  } finally {
    await s.close();
  }
}

test('logs in once, sends the bearer token, reads both list envelopes', async () => {
  const lists = [{ items: [{ id: 1 }] }, { data: [{ id: 2 }] }];
  await withStandIn(3600, () => lists.shift(), async (s) => {
    assert.deepEqual((await s.client.listExecutions({ status: 'completed' })).map((e) => e.id), [1]);
    assert.deepEqual((await s.client.listExecutions({})).map((e) => e.id), [2]);
    assert.deepEqual(s.seen.map((x) => x.url.split('?')[0]), ['/auth/login', '/api/v1/executions', '/api/v1/executions']);
    assert.match(s.seen[1].url, /status=completed/);
    assert.equal(s.seen[2].auth, 'Bearer access-1');
  });
});

test('refreshes a token that is about to expire instead of logging in again', async () => {
  await withStandIn(30, () => ({ data: { id: 7 } }), async (s) => {
    await s.client.execution(7);
    await s.client.execution(7);
    assert.deepEqual(s.seen.map((x) => x.url), ['/auth/login', '/api/v1/executions/7', '/auth/refresh', '/api/v1/executions/7']);
    assert.deepEqual(JSON.parse(s.seen[2].body), { refresh_token: 'refresh-1' });
    assert.equal(s.seen[3].auth, 'Bearer access-3');
  });
});

test('fires a webhook without authentication, wrapping the data in "payload"', async () => {
  await withStandIn(3600, () => ({ data: { event_id: 5 } }), async (s) => {
    const reply = await s.client.fireWebhook('wh_abc', { a: 1 });
    assert.equal(reply.body.data.event_id, 5);
    assert.equal(s.seen[0].url, '/api/v1/webhooks/wh_abc');
    assert.equal(s.seen[0].auth, undefined);
    assert.deepEqual(JSON.parse(s.seen[0].body), { payload: { a: 1 } });
  });
});

test('maps the plan status words to upstream ones', () => {
  assert.equal(PLAN_STATUS.succeeded, 'completed');
  assert.equal(PLAN_STATUS.canceled, 'cancelled');
  assert.equal(PLAN_STATUS['timed out'], 'timeout');
});

test('writes a gzipped ustar archive with valid headers', () => {
  const archive = gunzipSync(tarGz([{ name: 'actions/a.py', data: Buffer.from('print(1)\n'), mode: 0o755 }]));
  const header = archive.subarray(0, 512);
  const field = (at: number, len: number) => header.subarray(at, at + len).toString('latin1').replace(/\0.*$/s, '').trim();
  assert.equal(field(0, 100), 'actions/a.py');
  assert.equal(parseInt(field(124, 12), 8), 9);
  assert.equal(field(257, 6), 'ustar');
  let sum = 0;
  header.forEach((b, i) => (sum += i >= 148 && i < 156 ? 32 : b));
  assert.equal(parseInt(field(148, 8), 8), sum);
  assert.equal(archive.subarray(512, 521).toString(), 'print(1)\n');
  assert.equal(archive.length, 512 * 2 + 1024);
});
