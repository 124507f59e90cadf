// Bad input answered as the real platforms do (issue 11), plus a small bounded fuzz run on 127.0.0.1:
// a few hundred malformed requests to Waldur and to the broker's management API, no 5xx, still healthy.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startStompBroker } from '../../emulators/stomp';
import { client, Client, startWaldur } from './helpers';

/** Writes raw bytes to host:port and resolves with everything the server answered before closing. */
function raw(url: string, bytes: string): Promise<string> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(u.port), u.hostname, () => s.write(bytes));
    let got = '';
    s.on('data', (c) => (got += c.toString()));
    s.on('close', () => resolve(got));
    s.on('error', reject);
    s.setTimeout(5000, () => s.destroy());
  });
}

/** A deterministic pseudo-random sequence, so a failing case can be replayed. */
function rng(seed: number): () => number {
  let x = seed;
  return () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('Waldur emulator and broker: bad input', () => {
  let broker: Awaited<ReturnType<typeof startStompBroker>>;
  let waldur: Awaited<ReturnType<typeof startWaldur>>;
  let a: Client;
  let mgmt: (method: string, path: string, body?: string) => Promise<{ status: number; text: string }>;

  before(async () => {
    broker = await startStompBroker();
    waldur = await startWaldur({ broker, targetStomp: false });
    a = client(waldur.a.url, waldur.a.token);
    const auth = 'Basic ' + Buffer.from(`${broker.adminUser}:${broker.adminPassword}`).toString('base64');
    mgmt = async (method, path, body) => {
      const res = await fetch(new URL(path, broker.managementUrl), { method, headers: { authorization: auth, 'content-type': 'application/json' }, body });
      return { status: res.status, text: await res.text() };
    };
  });
  after(async () => {
    await waldur.stop();
    await broker.stop();
  });

  it('answers a raw request line "BLAH" with 400, as nginx in front of Waldur does', async () => {
    const answer = await raw(waldur.a.url, 'BLAH\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
  });

  // Measured on RabbitMQ 3.10.8 (Debian bookworm, scripts/rabbitmq.sh): PUT /api/vhosts/%2F..%2F.. -> 201
  // and the vhost "/../.." exists; a body that is not a JSON object -> 400 not_json; a missing vhost -> 404.
  it('answers the management API as RabbitMQ 3.10.8 does', async () => {
    assert.equal((await mgmt('PUT', 'api/vhosts/%2F..%2F..', '{}')).status, 201);
    assert.ok(JSON.parse((await mgmt('GET', 'api/vhosts')).text).some((v: { name: string }) => v.name === '/../..'));
    assert.equal((await mgmt('DELETE', 'api/vhosts/%2F..%2F..')).status, 204);
    assert.equal((await mgmt('PUT', 'api/vhosts/x1', '{bad')).status, 400);
    assert.equal((await mgmt('GET', 'api/queues/nope/q')).status, 404);
    assert.equal((await mgmt('DELETE', 'api/vhosts/nope')).status, 404);
    assert.equal((await mgmt('GET', 'api/connections/x%ZZ')).status, 400);
  });

  it('records who called what in the operator access log', async () => {
    const since = new Date().toISOString();
    await a.get('api/marketplace-orders/?offering_uuid=0f8fad5bd9cb469fa16570867728950e');
    const log = (await client(waldur.a.adminUrl, null).get(`requests?contains=0f8fad5b-d9cb-469f-a165-70867728950e&since=${encodeURIComponent(since)}`)).body;
    assert.deepEqual(log.map((r: { method: string; path: string; user: string; status: number }) => [r.method, r.path, r.user, r.status]), [['GET', '/api/marketplace-orders/', 'staff', 200]]);
  });

  it('survives a few hundred malformed requests without a 5xx and stays healthy', async () => {
    const next = rng(7);
    const pick = <T>(xs: T[]): T => xs[Math.floor(next() * xs.length)];
    const paths = ['api/marketplace-orders/', 'api/marketplace-orders/zz/', 'api/marketplace-resources/%ZZ/', 'api/projects/?page=-1', 'api/projects/?page_size=1e9',
      'api/marketplace-orders/?state=bogus', 'api/event-subscriptions/x/create_queue/', 'api/marketplace-site-agent-identities/', 'api/users/?field=%00', '__admin/faults', '__admin/requests?since=yesterday', 'api/../../etc/passwd'];
    const bodies = ['{', '[]', 'null', '"x"', '{"offering": 5}', '{"limits": "many"}', '{"name": {"$gt": ""}}', 'x'.repeat(2000), '{"name": "\'; DROP TABLE x;--"}'];
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) {
      const res = await fetch(new URL(pick(paths), waldur.a.url), { method: pick(methods), headers: { authorization: pick([`Token ${waldur.a.token}`, 'Token nope', 'Bearer x', '']), 'content-type': pick(['application/json', 'text/plain']) }, body: undefined });
      statuses.push(res.status);
      await res.arrayBuffer();
      const withBody = await fetch(new URL(pick(paths), waldur.a.url), { method: pick(['POST', 'PUT', 'PATCH']), headers: { authorization: `Token ${waldur.a.token}`, 'content-type': 'application/json' }, body: pick(bodies) });
      statuses.push(withBody.status);
      await withBody.arrayBuffer();
    }
    for (const line of ['BLAH', 'GET', 'GET / HTTP/9.9', 'GET /api/ HTTP/1.1\r\nContent-Length: -1', '\x00\x01\x02']) statuses.push(Number((await raw(waldur.a.url, `${line}\r\n\r\n`)).slice(9, 12)) || 0);
    const brokerPaths = ['api/vhosts/%ZZ', 'api/queues/%2F', 'api/queues/%2F/q/x', 'api/exchanges/%2F/amq.default/publish', 'api/permissions/%2F/nouser', 'api/users/u', 'api/connections/none', 'api/nothing'];
    for (let i = 0; i < 100; i++) {
      const method = pick(methods.slice(0, 5));
      statuses.push((await mgmt(method, pick(brokerPaths), method === 'GET' ? undefined : pick(bodies))).status);
    }
    assert.equal(statuses.length, 505);
    assert.deepEqual(statuses.filter((s) => s >= 500 || s === 0), [], 'no 5xx and no dropped connection');
    assert.equal((await a.get('api/users/me/')).status, 200, 'Waldur still answers');
    assert.equal((await mgmt('GET', 'api/overview')).status, 200, 'the broker still answers');
  });
});
