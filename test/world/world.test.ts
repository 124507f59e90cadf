import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, holdsFor } from '../../world/wait';
import { Registry } from '../../world/registry';
import { redact, redactText, registerSecret, REDACTED } from '../../world/redact';
import { CaptureBuffer } from '../../world/capture/buffer';

test('eventually returns as soon as the condition holds', async () => {
  let n = 0;
  const t0 = Date.now();
  const v = await eventually(() => ++n, (x) => x >= 3, { within: 2000, every: 10 });
  assert.equal(v, 3);
  assert.ok(Date.now() - t0 < 500);
});

test('eventually fails with what it last saw', async () => {
  await assert.rejects(
    eventually(() => ({ status: 'running' }), () => false, { within: 60, every: 10, what: 'execution completes' }),
    /execution completes did not hold within 60 ms; last seen: \{"status":"running"\}/,
  );
});

test('holdsFor fails the moment the condition breaks and passes a quiet window', async () => {
  let n = 0;
  await assert.rejects(holdsFor(() => ++n, (x) => x < 3, 1000, { every: 5, what: 'count' }), /count stopped holding: 3/);
  assert.equal(await holdsFor(() => 1, (x) => x === 1, 30, { every: 5 }), 1);
});

test('registry undoes newest first, keeps going past failures and reports them', async () => {
  const order: string[] = [];
  const r = new Registry();
  r.track('pack', () => order.push('pack'));
  r.track('rule', () => {
    throw new Error('gone already');
  });
  r.track('trigger', async () => order.push('trigger'));
  const failures = await r.undoAll();
  assert.deepEqual(order, ['trigger', 'pack']);
  assert.deepEqual(failures, [{ description: 'rule', error: 'gone already' }]);
  assert.equal(r.size, 0);
});

test('redaction blanks secret keys, bearer values, JWTs and registered secrets', () => {
  registerSecret('hunter2-very-secret');
  const out = redact({
    login: 'admin',
    password: 'p',
    nested: { access_token: 'abc', note: 'uses hunter2-very-secret inside' },
    header: 'Bearer abcdefghijkl',
    jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig',
  }) as Record<string, unknown>;
  assert.equal(out.login, 'admin');
  assert.equal(out.password, REDACTED);
  assert.deepEqual(out.nested, { access_token: REDACTED, note: `uses ${REDACTED} inside` });
  assert.equal(out.header, `Bearer ${REDACTED}`);
  assert.equal(out.jwt, REDACTED);
  assert.equal(redactText('Token 0123456789abcdef'), `Token ${REDACTED}`);
});

test('capture buffer resolves on a past or future message and reports what it saw on timeout', async () => {
  const b = new CaptureBuffer<{ type: string }>();
  b.push({ type: 'a' });
  assert.deepEqual(await b.waitFor((m) => m.type === 'a', { within: 10 }), { type: 'a' });
  const later = b.waitFor((m) => m.type === 'b', { within: 500 });
  setTimeout(() => b.push({ type: 'b' }), 5);
  assert.deepEqual(await later, { type: 'b' });
  await assert.rejects(b.waitFor((m) => m.type === 'c', { within: 20, what: 'a c message' }), /a c message was not captured within 20 ms; 2 captured/);
});

test('the HTTP log folds identical polls into one entry and keeps the last ones', async () => {
  const { HttpLog } = await import('../../world/clients/http');
  const log = new HttpLog(3);
  const poll = { at: '00:00:00.000', method: 'GET', url: 'http://x/api/v1/events', status: 200, ms: 1, response: { items: [] } };
  for (let i = 0; i < 5; i++) log.add({ ...poll });
  log.add({ ...poll, response: { items: [1] } });
  assert.equal(log.last().length, 2);
  assert.match(log.render(), /the same 5 times in a row/);
  for (let i = 0; i < 4; i++) log.add({ ...poll, url: `http://x/${i}` });
  assert.deepEqual(log.last().map((x) => x.url), ['http://x/1', 'http://x/2', 'http://x/3']);
});

test('multipart bodies are logged by their field names, never their content', async () => {
  const { HttpLog, createHttp } = await import('../../world/clients/http');
  const http = await import('node:http');
  const server = http.createServer((req, res) => req.resume().on('end', () => res.end('{}')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const log = new HttpLog();
  try {
    const form = new FormData();
    form.append('pack', new Blob(['secret bytes']), 'pack.tar.gz');
    form.append('force', 'true');
    await createHttp(`http://127.0.0.1:${(server.address() as { port: number }).port}`, log).post('/upload', form);
    assert.equal(log.last()[0].request, '(multipart form data: pack, force)');
  } finally {
    server.close();
  }
});
