import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { cloudModel, useBud } from './helpers';

const bud = useBud({ timings: { local_model_step_ms: 60 } });
const cloud = (body: unknown, token = bud.adminToken) => bud.call('POST', '/models/cloud-model-workflow', body, token);
const local = (body: unknown, token = bud.adminToken) => bud.call('POST', '/models/local-model-workflow', body, token);
const name = () => `e2e-${randomUUID().slice(0, 8)}`;

async function openaiId(): Promise<string> {
  const r = await bud.call('GET', '/models/providers', undefined, bud.adminToken);
  return r.body.providers.find((p: any) => p.type === 'openai').id;
}

describe('cloud model onboarding', () => {
  it('step 1 answers in_progress; trigger completes synchronously and creates the model', async () => {
    const s1 = await cloud({ workflow_total_steps: 2, step_number: 1, provider_type: 'cloud_model', provider_id: await openaiId(), name: name(), tags: [{ name: 'a', color: '#123456' }] });
    assert.equal(s1.status, 200);
    assert.deepEqual([s1.body.object, s1.body.status, s1.body.current_step, s1.body.total_steps], ['workflow.get', 'in_progress', 1, 2]);
    assert.equal(s1.body.workflow_steps.provider.type, 'openai');
    const s2 = await cloud({ workflow_id: s1.body.workflow_id, step_number: 2, trigger_workflow: true });
    assert.equal(s2.body.status, 'completed');
    assert.equal(s2.body.current_step, 3);
    assert.equal(s2.body.workflow_steps.workflow_execution_status.status, 'success');
    const model = await bud.call('GET', `/models/${s2.body.workflow_steps.model_id}`, undefined, bud.adminToken);
    assert.equal(model.body.model.name, s1.body.workflow_steps.name);
    const polled = await bud.call('GET', `/workflows/${s1.body.workflow_id}`, undefined, bud.adminToken);
    assert.equal(polled.body.status, 'completed');
  });

  it('the documented 4-step sequence with a catalogue cloud model', async () => {
    const cm = (await bud.call('GET', '/models/?table_source=cloud_model&limit=50', undefined, bud.adminToken)).body.models[0].model;
    const s1 = await cloud({ workflow_total_steps: 6, step_number: 1, provider_type: 'cloud_model' });
    const id = s1.body.workflow_id;
    await cloud({ workflow_id: id, step_number: 2, provider_id: cm.provider_id });
    await cloud({ workflow_id: id, step_number: 3, cloud_model_id: cm.id });
    const s4 = await cloud({ workflow_id: id, step_number: 4, name: name(), tags: [{ name: 'b', color: '#ABCDEF' }], trigger_workflow: true });
    assert.equal(s4.body.status, 'completed');
    assert.equal(s4.body.workflow_steps.model.uri, cm.uri);
  });

  it('validation: XOR of workflow_id/total_steps (422), bad enums (422), missing data and duplicates (400), unknown provider (400)', async () => {
    assert.equal((await cloud({ step_number: 1 })).status, 422);
    assert.equal((await cloud({ workflow_id: randomUUID(), workflow_total_steps: 2, step_number: 1 })).status, 422);
    assert.equal((await cloud({ workflow_total_steps: 2, step_number: 0 })).status, 422);
    assert.equal((await cloud({ workflow_total_steps: 2, step_number: 1, modality: ['text'] })).status, 422);
    assert.equal((await cloud({ workflow_total_steps: 2, step_number: 1, name: 'n'.repeat(200) })).status, 422);
    const unknown = await cloud({ workflow_total_steps: 2, step_number: 1, provider_id: randomUUID() });
    assert.deepEqual([unknown.status, unknown.body.message], [400, 'Provider not found']);
    const missing = await cloud({ workflow_total_steps: 1, step_number: 1, provider_type: 'cloud_model', provider_id: await openaiId(), name: '', trigger_workflow: true });
    assert.deepEqual([missing.status, missing.body.message], [400, 'Missing required data: tags, name']);
    const existing = await cloudModel(bud);
    const dup = await cloud({ workflow_total_steps: 1, step_number: 1, provider_type: 'cloud_model', provider_id: await openaiId(), name: existing.name.toUpperCase(), tags: [{ name: 'a', color: '#123456' }], trigger_workflow: true });
    assert.deepEqual([dup.status, dup.body.message], [400, 'Model name already exists']);
    assert.equal((await cloud({ workflow_id: randomUUID(), step_number: 2 })).status, 404);
  });

  it('auth: 401 without or with an invalid token, 403 for clients', async () => {
    const u = await bud.newUser();
    const body = { workflow_total_steps: 2, step_number: 1 };
    assert.equal((await bud.call('POST', '/models/cloud-model-workflow', body)).status, 401);
    assert.equal((await bud.call('POST', '/models/local-model-workflow', body)).status, 401);
    assert.equal((await cloud(body, 'invalid_token_12345')).status, 401);
    assert.equal((await cloud(body, u.access)).status, 403);
    assert.equal((await bud.call('GET', `/workflows/${randomUUID()}`)).status, 401);
  });
});

describe('local model onboarding', () => {
  it('a known Hugging Face repo progresses over time and completes with a local_path', async () => {
    const s1 = await local({ workflow_total_steps: 2, step_number: 1, add_model_modality: ['llm'] });
    const n = name();
    const s2 = await local({ workflow_id: s1.body.workflow_id, step_number: 2, provider_type: 'hugging_face', name: n, uri: 'prajjwal1/bert-tiny', author: 'prajjwal1', tags: [{ name: 'hf', color: '#FFAA00' }], trigger_workflow: true });
    assert.equal(s2.body.status, 'in_progress');
    assert.equal(s2.body.workflow_steps.model_extraction_events.current_stage, 'validation');
    const done = await bud.until(`/workflows/${s1.body.workflow_id}`, (r) => r.body.status !== 'in_progress');
    assert.equal(done.body.status, 'completed');
    assert.equal(done.body.workflow_steps.model_extraction_events.progress, 100);
    const model = (await bud.call('GET', `/models/${done.body.workflow_steps.model_id}`, undefined, bud.adminToken)).body.model;
    assert.deepEqual([model.name, model.provider_type, model.source], [n, 'hugging_face', 'local']);
    assert.match(model.local_path, /^models-registry\//);
  });

  it('an unknown repository fails like a hub 404; a gated one fails without a credential', async () => {
    for (const [uri, reason] of [['nonexistent-org/no-such-model-xyz', /Repository Not Found/], ['meta-llama/Llama-2-7b-chat-hf', /restricted/]] as const) {
      const s = await local({ workflow_total_steps: 1, step_number: 1, provider_type: 'hugging_face', name: name(), uri, trigger_workflow: true });
      assert.equal(s.body.status, 'in_progress');
      const done = await bud.until(`/workflows/${s.body.workflow_id}`, (r) => r.body.status !== 'in_progress');
      assert.equal(done.body.status, 'failed');
      assert.match(done.body.reason, reason);
      assert.equal(done.body.workflow_steps.workflow_execution_status.status, 'failed');
    }
  });

  it('without trigger the workflow just advances; validation of provider type and icon', async () => {
    const s1 = await local({ workflow_total_steps: 4, step_number: 1, provider_type: 'hugging_face', name: '', uri: 'prajjwal1/bert-tiny' });
    assert.equal(s1.status, 200);
    const s2 = await local({ workflow_id: s1.body.workflow_id, step_number: 2, author: 'someone' });
    assert.deepEqual([s2.body.current_step, s2.body.status], [2, 'in_progress']);
    const trig = await local({ workflow_id: s1.body.workflow_id, step_number: 3, trigger_workflow: true });
    assert.deepEqual([trig.status, trig.body.message], [400, 'Missing required data: name']);
    assert.equal((await local({ workflow_total_steps: 2, step_number: 1, provider_type: 'invalid_provider_xyz' })).status, 422);
    assert.equal((await local({ workflow_total_steps: 2, step_number: 1, provider_type: 'cloud_model' })).status, 422);
    assert.equal((await local({ workflow_total_steps: 2, step_number: 1, provider_type: 'hugging_face', icon: 'x' })).status, 422);
    const wrongType = await cloud({ workflow_id: s1.body.workflow_id, step_number: 2 });
    assert.equal(wrongType.status, 400);
  });
});

describe('workflow routes', () => {
  it('list by type, only the caller\'s workflows; mark completed; delete', async () => {
    const s = await local({ workflow_total_steps: 3, step_number: 1 });
    const list = await bud.call('GET', '/workflows?workflow_type=local_model_onboarding&limit=100', undefined, bud.adminToken);
    assert.equal(list.body.object, 'workflow.list');
    assert.ok(list.body.workflows.some((w: any) => w.id === s.body.workflow_id && w.workflow_type === 'local_model_onboarding'));
    const u = await bud.newUser();
    assert.equal((await bud.call('GET', `/workflows/${s.body.workflow_id}`, undefined, u.access)).status, 404);
    assert.equal((await bud.call('GET', '/workflows?workflow_type=bogus', undefined, bud.adminToken)).status, 422);
    const patched = await bud.call('PATCH', `/workflows/${s.body.workflow_id}`, undefined, bud.adminToken);
    assert.equal(patched.body.status, 'completed');
    const del = await bud.call('DELETE', `/workflows/${s.body.workflow_id}`, undefined, bud.adminToken);
    assert.equal(del.body.object, 'workflow.delete');
    assert.equal((await bud.call('GET', `/workflows/${s.body.workflow_id}`, undefined, bud.adminToken)).status, 404);
  });
});
