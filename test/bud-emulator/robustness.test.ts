import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { useBud } from './helpers';

const bud = useBud();

const ROUTES: [string, string][] = [
  ['POST', '/auth/register'], ['POST', '/auth/login'], ['POST', '/auth/refresh-token'], ['POST', '/auth/logout'],
  ['POST', '/users/reset-password'], ['POST', '/users/validate-reset-token'], ['POST', '/users/reset-password-with-token'],
  ['POST', '/users/'], ['POST', '/models/cloud-model-workflow'], ['POST', '/models/local-model-workflow'],
  ['POST', '/models/deploy-workflow'], ['PATCH', `/models/${randomUUID()}`], ['POST', '/projects/'], ['POST', '/credentials/'],
  ['POST', '/clusters/clusters'], ['PATCH', '/__operator__/config'], ['PUT', '/__operator__/rate-limits/login'],
  ['POST', '/v1/chat/completions'],
];

const BODIES: string[] = [
  'null', '[]', '"text"', '42', '{"email": 5, "password": ["x"], "name": {}, "role": null}',
  '{"workflow_total_steps": "two", "step_number": 1.5, "trigger_workflow": "maybe", "tags": "x", "modality": "text_input"}',
  '{"workflow_id": "not-a-uuid", "step_number": -1, "deploy_config": 7, "provider_id": 12}',
  '{"workflow_total_steps": 1, "step_number": 1, "deploy_config": {"concurrent_requests": "many"}, "tags": [null, 1]}',
  '{"limit": "x", "window_seconds": null, "refresh_token": {"a": 1}, "token": 1, "new_password": true}',
  '{"model": 1, "messages": "hi"}', '{',
];

it('no route answers 5xx to malformed input', async () => {
  const seen: string[] = [];
  for (const [method, path] of ROUTES) {
    for (const body of BODIES) {
      const res = await fetch(bud.url + path, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${bud.adminToken}` }, body });
      if (res.status >= 500) seen.push(`${method} ${path} ${body} -> ${res.status} ${await res.text()}`);
      else await res.arrayBuffer();
    }
  }
  for (const path of ['/models/%E0%A4%A', '/workflows/..%2F', `/clusters/${'9'.repeat(40)}`, '/endpoints/?page=-1', '/models/?limit=abc&modality=x']) {
    const res = await fetch(bud.url + path, { headers: { authorization: `Bearer ${bud.adminToken}` } });
    if (res.status >= 500) seen.push(`GET ${path} -> ${res.status}`);
    assert.ok(res.status >= 400, `GET ${path} -> ${res.status}`);
    await res.arrayBuffer();
  }
  assert.deepEqual(seen, []);
});

/** A small deterministic generator (mulberry32) so a failing case can be replayed. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

it('a bounded fuzz run (300 malformed requests) gets no 5xx and leaves the emulator healthy', async () => {
  const rand = rng(11);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const methods = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'] as const;
  const paths = [...ROUTES.map(([, p]) => p), '/models/', '/workflows', '/endpoints/', '/projects/', '/clusters/clusters',
    `/workflows/${randomUUID()}`, '/users/me', '/users/onboard', `/users/${randomUUID()}`, '/__operator__/mailbox', '/v1/models'];
  const queries = ['', '?page=-1', '?limit=1e9', '?per_page=abc', '?status=bogus', '?page=%00', '?search=%FF', '?modality=x&modality=',
    '?limit=99999999999999999999', '?name=' + 'a'.repeat(3000), '?tags[]=1', '?page=1&page=2'];
  const auths = [`Bearer ${bud.adminToken}`, 'Bearer', 'Basic abc', 'Bearer  x', `Bearer ${bud.adminToken.slice(0, -3)}`, ''];
  const types = ['application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded', ''];
  const seen: string[] = [];
  for (let i = 0; i < 300; i++) {
    const method = pick(methods);
    const path = pick(paths) + pick(queries);
    const body = method === 'GET' ? undefined : pick([...BODIES, '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--', 'a=1&a=2', '\u0000'.repeat(10)]);
    const headers: Record<string, string> = {};
    const auth = pick(auths);
    if (auth) headers.authorization = auth;
    const type = pick(types);
    if (type && body !== undefined) headers['content-type'] = type;
    const res = await fetch(bud.url + path, { method, headers, body });
    if (res.status >= 500) seen.push(`#${i} ${method} ${path} ${type} ${JSON.stringify(body)} -> ${res.status} ${await res.text()}`);
    else await res.arrayBuffer();
  }
  assert.deepEqual(seen, []);
  assert.equal((await bud.call('GET', '/health')).status, 200);
  assert.equal((await bud.call('GET', '/models/', undefined, bud.adminToken)).status, 200);
});
