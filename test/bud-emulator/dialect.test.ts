import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { cloudModel, useBud } from './helpers';

/** Deviations budapp's own E2E suite found in the emulator (issue 11); budapp source cited in emulators/bud/README.md. */
const bud = useBud();

describe('order of checks: 401, then 422, then 403', () => {
  it('a user without model:manage gets 422 for a malformed request and 403 only for a valid one', async () => {
    const client = await bud.newUser();
    const del = await bud.call('DELETE', '/models/not-a-uuid', undefined, client.access);
    assert.equal(del.status, 422, JSON.stringify(del.body));
    assert.equal(del.body.detail[0].type, 'uuid_parsing');
    assert.equal((await bud.call('DELETE', `/models/${randomUUID()}`, undefined, client.access)).status, 403);
    const noSteps = await bud.call('POST', '/models/cloud-model-workflow', { step_number: 1, provider_type: 'cloud_model' }, client.access);
    assert.equal(noSteps.status, 422, JSON.stringify(noSteps.body));
    assert.match(noSteps.body.detail[0].msg, /Either workflow_total_steps or workflow_id/);
    const modality = await bud.call('POST', '/models/cloud-model-workflow', { workflow_total_steps: 2, step_number: 1, modality: ['smell'] }, client.access);
    assert.equal(modality.status, 422, JSON.stringify(modality.body));
    assert.deepEqual(modality.body.detail[0].loc, ['body', 'modality', 0]);
    const valid = await bud.call('POST', '/models/cloud-model-workflow', { workflow_total_steps: 2, step_number: 1 }, client.access);
    assert.deepEqual([valid.status, valid.body], [403, { detail: 'Insufficient permissions for this operation' }]);
    assert.equal((await bud.call('DELETE', '/models/not-a-uuid')).status, 401, 'authentication still comes first');
  });
});

describe('workflow step messages', () => {
  it('a finished workflow is "not in progress"; another user\'s workflow is not theirs to step', async () => {
    const model = await cloudModel(bud);
    const list = await bud.call('GET', '/workflows?workflow_type=cloud_model_onboarding&status=completed&limit=100', undefined, bud.adminToken);
    const done = list.body.workflows.find((w: { id: string }) => w.id);
    assert.ok(model.id && done, JSON.stringify(list.body));
    const again = await bud.call('POST', '/models/cloud-model-workflow', { workflow_id: done.id, step_number: 3 }, bud.adminToken);
    assert.deepEqual([again.status, again.body.message], [400, 'Workflow is not in progress']);
    const open = await bud.call('POST', '/models/cloud-model-workflow', { workflow_total_steps: 3, step_number: 1 }, bud.adminToken);
    const manager = await bud.call('POST', '/users/', {
      name: 'Other Manager', email: `om-${randomUUID().slice(0, 8)}@example.com`, password: 'Str0ng!Passw0rd', role: 'developer',
      permissions: [{ name: 'model:manage', has_permission: true }],
    }, bud.adminToken);
    const login = await bud.login(manager.body.user.email, 'Str0ng!Passw0rd');
    const token = login.body.token.access_token;
    assert.equal((await bud.call('PATCH', `/users/${manager.body.user.id}`, { password: 'N3w!Passw0rd' }, token)).status, 200);
    const foreign = await bud.call('POST', '/models/cloud-model-workflow', { workflow_id: open.body.workflow_id, step_number: 2 }, token);
    assert.deepEqual([foreign.status, foreign.body.message, foreign.body.type], [400, 'User is not authorized to perform this action', 'BadRequesterror']);
  });
});

describe('list parameters budapp refuses', () => {
  it('answers 422 for a bad page, limit or enum filter, as FastAPI does', async () => {
    const cases: [string, string][] = [
      ['/models/?page=-1', 'greater_than_equal'], ['/models/?page=0', 'greater_than_equal'],
      ['/models/?limit=1e9', 'int_parsing'], ['/models/?limit=abc', 'int_parsing'], ['/models/?page=1.5', 'int_parsing'],
      ['/workflows?status=bogus', 'enum'], ['/workflows?page=-1', 'greater_than_equal'],
      ['/endpoints/?status=bogus', 'enum'], ['/projects/?limit=abc', 'int_parsing'], ['/clusters/clusters?page=-1', 'greater_than_equal'],
      ['/models/providers?search=maybe', 'bool_parsing'],
    ];
    for (const [path, type] of cases) {
      const r = await bud.call('GET', path, undefined, bud.adminToken);
      assert.equal(r.status, 422, `${path} -> ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(r.body.detail[0].type, type, path);
    }
    // Parameters a route does not declare are ignored by FastAPI, so budapp answers these 200 too.
    for (const path of ['/models/?per_page=abc', '/models/?page_size=1000000000']) {
      assert.equal((await bud.call('GET', path, undefined, bud.adminToken)).status, 200, path);
    }
  });
});
