import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { cloudModel, useBud, type Bud } from './helpers';

const bud = useBud({ timings: { deployment_step_ms: 30 } });
const name = (p: string) => `${p}-${randomUUID().slice(0, 8)}`;

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
  - name: c1
    cluster: { server: 'https://10.0.0.1:6443' }
users:
  - name: u1
    user: { token: abc }
contexts:
  - name: ctx
    context: { cluster: c1, user: u1 }
current-context: ctx
`;

async function onboardCluster(b: Bud, kubeconfig = KUBECONFIG) {
  const f = new FormData();
  for (const [k, v] of Object.entries({ workflow_total_steps: '1', step_number: '1', trigger_workflow: 'true', name: name('cluster'), ingress_url: 'https://cluster.example' })) f.append(k, v);
  f.append('configuration_file', new Blob([kubeconfig]), 'kubeconfig.yaml');
  return b.call('POST', '/clusters/clusters', f, b.adminToken);
}

async function deploy(b: Bud, projectId: string, modelId: string, clusterId: string, concurrent: number) {
  const endpointName = name('ep');
  const s1 = await b.call('POST', '/models/deploy-workflow', { workflow_total_steps: 5, step_number: 1, project_id: projectId, model_id: modelId }, b.adminToken);
  const s2 = await b.call('POST', '/models/deploy-workflow', {
    workflow_id: s1.body.workflow_id, step_number: 2, endpoint_name: endpointName,
    deploy_config: { concurrent_requests: concurrent, avg_sequence_length: 100, avg_context_length: 500 },
  }, b.adminToken);
  assert.equal(s2.status, 200, JSON.stringify(s2.body));
  const rec = await b.until(`/clusters/recommended/${s1.body.workflow_id}`, (r) => r.body.status !== 'in_progress');
  const s3 = await b.call('POST', '/models/deploy-workflow', { workflow_id: s1.body.workflow_id, step_number: 3, cluster_id: clusterId, trigger_workflow: true }, b.adminToken);
  assert.equal(s3.status, 200, JSON.stringify(s3.body));
  const done = await b.until(`/workflows/${s1.body.workflow_id}`, (r) => r.body.status !== 'in_progress');
  return { endpointName, rec: rec.body, done: done.body };
}

describe('README flows', () => {
  it('cluster onboarding -> model deployment -> inference through an API key', async () => {
    const c = await onboardCluster(bud);
    assert.equal(c.body.status, 'in_progress');
    const cw = await bud.until(`/workflows/${c.body.workflow_id}`, (r) => r.body.status !== 'in_progress');
    assert.equal(cw.body.status, 'completed');
    const clusterId = cw.body.workflow_steps.cluster_id;
    const clusters = await bud.call('GET', '/clusters/clusters', undefined, bud.adminToken);
    assert.equal(clusters.body.clusters.find((x: any) => x.id === clusterId).status, 'available');

    const project = await bud.call('POST', '/projects/', { name: name('proj') }, bud.adminToken);
    assert.equal(project.body.object, 'project.create');
    const projectId = project.body.project.id;
    const model = await cloudModel(bud);
    const { endpointName, rec, done } = await deploy(bud, projectId, model.id, clusterId, 4);
    assert.equal(rec.status, 'completed');
    assert.ok(rec.clusters.some((x: any) => x.cluster_id === clusterId));
    assert.equal(done.status, 'completed');
    assert.equal(done.workflow_steps.endpoint.status, 'running');

    const eps = await bud.call('GET', `/endpoints/?project_id=${projectId}`, undefined, bud.adminToken);
    assert.deepEqual(eps.body.endpoints.map((e: any) => [e.name, e.status, e.model.id]), [[endpointName, 'running', model.id]]);

    const cred = await bud.call('POST', '/credentials/', { name: 'key', project_id: projectId }, bud.adminToken);
    assert.equal(cred.status, 201);
    const key = cred.body.result.key;
    const chat = (body: unknown, k = key) => bud.call('POST', '/v1/chat/completions', body, k);
    const ok = await chat({ model: endpointName, messages: [{ role: 'user', content: 'hello there' }] });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.object, 'chat.completion');
    assert.equal(ok.body.choices[0].message.content, 'Echo: hello there');
    assert.equal(ok.body.usage.total_tokens, ok.body.usage.prompt_tokens + ok.body.usage.completion_tokens);
    assert.deepEqual([(await chat({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })).status, (await chat({ messages: [] })).status], [404, 400]);
    assert.equal((await chat({ model: endpointName, messages: [{ role: 'user', content: 'x' }] }, 'bad-key')).status, 401);
    assert.equal((await bud.call('POST', '/v1/chat/completions', { model: endpointName })).body.error, 'Missing authorization header');

    // Cleanup order the suite's registry would follow: endpoint, then cluster.
    assert.equal((await bud.call('POST', `/clusters/${clusterId}/delete-workflow`, undefined, bud.adminToken)).status, 400);
    const epId = eps.body.endpoints[0].id;
    const del = await bud.call('POST', `/endpoints/${epId}/delete-workflow`, undefined, bud.adminToken);
    await bud.until(`/workflows/${del.body.workflow_id}`, (r) => r.body.status === 'completed');
    assert.equal((await chat({ model: endpointName, messages: [{ role: 'user', content: 'x' }] })).status, 404);
    const cdel = await bud.call('POST', `/clusters/${clusterId}/delete-workflow`, undefined, bud.adminToken);
    await bud.until(`/workflows/${cdel.body.workflow_id}`, (r) => r.body.status === 'completed');
    assert.equal((await bud.call('GET', `/clusters/${clusterId}`, undefined, bud.adminToken)).status, 404);
  });

  it('deployments compete for cluster workers: the one that does not fit fails and frees nothing it never had', async () => {
    const c = await onboardCluster(bud);
    const clusterId = (await bud.until(`/workflows/${c.body.workflow_id}`, (r) => r.body.status === 'completed')).body.workflow_steps.cluster_id;
    const projectId = (await bud.call('POST', '/projects/', { name: name('proj') }, bud.adminToken)).body.project.id;
    const model = await cloudModel(bud);
    const first = await deploy(bud, projectId, model.id, clusterId, 24); // 6 of 8 workers
    assert.equal(first.done.status, 'completed');
    const second = await deploy(bud, projectId, model.id, clusterId, 12); // needs 3, 2 left
    assert.ok(!second.rec.clusters.some((x: any) => x.cluster_id === clusterId), 'budsim does not recommend a full cluster');
    assert.equal(second.done.status, 'failed');
    assert.match(second.done.reason, /Insufficient resources/);
    assert.equal(second.done.workflow_steps.endpoint.status, 'failure');
    const cluster = await bud.call('GET', `/clusters/${clusterId}`, undefined, bud.adminToken);
    assert.equal(cluster.body.cluster.cpu_available_workers, 2);
  });

  it('rejects a broken kubeconfig (400) and clients (403)', async () => {
    const bad = await onboardCluster(bud, 'clusters: [');
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /Invalid configuration file/);
    const noContext = await onboardCluster(bud, 'apiVersion: v1\nclusters: []\n');
    assert.equal(noContext.status, 400);
    const u = await bud.newUser();
    assert.equal((await bud.call('GET', '/clusters/clusters', undefined, u.access)).status, 403);
    assert.equal((await bud.call('POST', '/models/deploy-workflow', { workflow_total_steps: 1, step_number: 1 }, u.access)).status, 403);
    const own = await bud.call('POST', '/projects/', { name: name('client-proj') }, u.access);
    assert.equal(own.status, 200);
    assert.equal((await bud.call('GET', `/projects/${own.body.project.id}`, undefined, u.access)).body.object, 'project.retrieve');
  });
});
