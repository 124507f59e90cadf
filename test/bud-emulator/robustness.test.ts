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
