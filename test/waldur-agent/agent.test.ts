// The reference agent against the embedded Waldur A/B and STOMP broker: polling and event mode.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { startStompBroker } from '../../emulators/stomp';
import { startWaldur } from '../../emulators/waldur';
import { startSiteAgent } from '../../emulators/waldur/agent';
import { Json, WaldurApi, dashed } from '../../emulators/waldur/agent/api';

type Started = { stop(): Promise<void> };
const running: Started[] = [];
let a: WaldurApi, b: WaldurApi, control: string, config: (mode: boolean) => string, tokenA: string;

async function offering(api: WaldurApi, type: string, component: string): Promise<Json> {
  const [customer] = await api.list('/api/customers/');
  const [category] = await api.list('/api/marketplace-categories/');
  const o = await api.post('/api/marketplace-provider-offerings/', { name: `${type} ${component}`, type, customer: customer.url, category: category.url });
  await api.post(`/api/marketplace-provider-offerings/${o.uuid}/create_offering_component/`, { type: component, name: component, billing_type: 'limit', measured_unit: 'h' });
  await api.post('/api/marketplace-plans/', { name: 'Default', offering: o.url });
  await api.post(`/api/marketplace-provider-offerings/${o.uuid}/activate/`);
  return { ...o, customer_uuid: customer.uuid };
}

async function call(method: string, path: string, body?: unknown): Promise<Json> {
  const res = await fetch(new URL(path, control), { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

before(async () => {
  const broker = await startStompBroker();
  running.push(broker);
  const waldur = await startWaldur({ broker: { wsUrl: broker.wsUrl, managementUrl: broker.managementUrl, adminUser: broker.adminUser, adminPassword: broker.adminPassword }, targetStomp: true });
  running.push(waldur);
  const agent = await startSiteAgent();
  running.push(agent);
  control = agent.controlUrl;
  a = new WaldurApi(waldur.a.url, waldur.a.token);
  tokenA = waldur.a.token;
  b = new WaldurApi(waldur.b.url, waldur.b.token);
  const offA = await offering(a, 'Marketplace.Slurm', 'node_hours');
  const offB = await offering(b, 'Marketplace.Basic', 'cpu_k_hours');
  const stompB = await offering(b, 'Marketplace.Slurm', 'cpu_k_hours');
  config = (events: boolean) =>
    stringify({
      offerings: [{
        name: 'unit', waldur_api_url: `${waldur.a.url}api/`, waldur_api_token: waldur.a.token, waldur_offering_uuid: offA.uuid,
        backend_type: 'waldur', order_processing_backend: 'waldur', membership_sync_backend: 'waldur',
        stomp_enabled: events, websocket_use_tls: false, stomp_ws_port: Number(new URL(waldur.a.url).port),
        backend_settings: { target_api_url: waldur.b.url, target_api_token: waldur.b.token, target_offering_uuid: offB.uuid, target_customer_uuid: offB.customer_uuid, target_stomp_enabled: true, target_stomp_offering_uuid: stompB.uuid },
        backend_components: { node_hours: { measured_unit: 'h', accounting_type: 'limit', label: 'NH', target_components: { cpu_k_hours: { factor: 128 } } } },
      }],
    });
});

after(async () => {
  for (const s of running.reverse()) await s.stop();
});

test('control API refuses a bad configuration with 400', async () => {
  const res = await call('POST', 'processors', { mode: 'order_process', config_yaml: 'offerings: []' });
  assert.equal(res.status, 400);
  assert.match(res.body.detail, /at least one offering/);
});

test('polling: submit on cycle 1 without waiting, complete on a later cycle; B resource without backend_id', async () => {
  const started = await call('POST', 'processors', { mode: 'order_process', config_yaml: config(false) });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  const [offA] = await a.list('/api/marketplace-provider-offerings/', { type: 'Marketplace.Slurm' });
  const [project] = await a.list('/api/projects/');
  const pub = await a.get(`/api/marketplace-public-offerings/${offA.uuid}/`);
  const order = await a.post('/api/marketplace-orders/', { offering: pub.url, project: project.url, plan: pub.plans[0].url, limits: { node_hours: 10 }, attributes: { name: 'unit-res' }, type: 'Create' });
  const cycle1 = await call('POST', `processors/${started.body.id}/cycle`);
  assert.deepEqual(cycle1.body[0].actions.map((x: Json) => x.action), ['approved', 'submitted']);
  const afterCycle1 = await a.get(`/api/marketplace-orders/${order.uuid}/`);
  assert.equal(afterCycle1.state, 'executing');
  const orderB = await b.get(`/api/marketplace-orders/${afterCycle1.backend_id.replace(/-/g, '')}/`);
  assert.deepEqual(orderB.limits, { cpu_k_hours: 1280 });
  await b.post(`/api/marketplace-orders/${orderB.uuid}/approve_by_provider/`);
  await b.post(`/api/marketplace-orders/${orderB.uuid}/set_state_done/`);
  await b.post(`/api/marketplace-provider-resources/${orderB.marketplace_resource_uuid}/set_backend_id/`, { backend_id: 'b-side-id' });
  const cycle2 = await call('POST', `processors/${started.body.id}/cycle`);
  assert.deepEqual(cycle2.body[0].actions.map((x: Json) => x.action), ['done']);
  const resA = await a.get(`/api/marketplace-provider-resources/${order.marketplace_resource_uuid}/`);
  assert.equal(resA.backend_id, dashed(orderB.marketplace_resource_uuid));
  assert.equal(resA.effective_id, 'b-side-id', "B provider's backend_id mirrored as A's effective_id");
  assert.equal((await call('DELETE', `processors/${started.body.id}`)).status, 204);
});

test('event mode: 5 source and 1 target STOMP connections, all connected', async () => {
  const started = await call('POST', 'processors', { mode: 'event_process', config_yaml: config(true) });
  assert.equal(started.status, 201, JSON.stringify(started.body));
  let conns: Json[] = [];
  for (let i = 0; i < 100; i += 1) {
    conns = (await call('GET', `processors/${started.body.id}/connections`)).body;
    if (conns.length === 6 && conns.every((c: Json) => c.is_connected)) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.deepEqual(conns.filter((c) => c.side === 'source').map((c) => c.object_type).sort(), ['course_account', 'order', 'resource', 'service_account', 'user_role']);
  assert.deepEqual(conns.filter((c) => c.side === 'target').map((c) => [c.object_type, c.is_connected]), [['order', true]]);
  await call('DELETE', `processors/${started.body.id}`);
});

test('lists follow the Link header page by page (agent client and suite client)', async () => {
  for (const name of ['page-x', 'page-y']) await a.post('/api/customers/', { name });
  const all = await a.list('/api/customers/', { page_size: 1 });
  assert.ok(all.length >= 3, `customers over pages: ${all.length}`);
  const { WaldurInstanceClient } = await import('../../world/clients/waldur');
  const { HttpLog } = await import('../../world/clients/http');
  const suite = new WaldurInstanceClient('a', { url: a.base, token: tokenA }, new HttpLog());
  assert.deepEqual((await suite.list('/api/customers/', { page_size: 1 })).map((c: Json) => c.uuid), all.map((c: Json) => c.uuid));
});
