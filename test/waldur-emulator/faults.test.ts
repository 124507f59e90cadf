import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { activeOffering, Client, client, createOrder, Json, startWaldur } from './helpers';

describe('Waldur emulator: operator endpoint and known-issue switches', () => {
  let waldur: Awaited<ReturnType<typeof startWaldur>>;
  let a: Client;
  let admin: Client;
  let offering: Json;

  before(async () => {
    waldur = await startWaldur({ broker: null, targetStomp: false });
    a = client(waldur.a.url, waldur.a.token);
    admin = client(waldur.a.adminUrl, null);
    offering = await activeOffering(a, 'Marketplace.Slurm', ['cpu']);
  });
  after(() => waldur.stop());

  const executingOrder = async (): Promise<Json> => {
    const order = (await createOrder(a, offering, { cpu: 1 })).body;
    await a.post(`api/marketplace-orders/${order.uuid}/approve_by_provider/`);
    return order;
  };

  it('has every fault off by default', async () => {
    assert.deepEqual((await admin.get('faults')).body, []);
    const order = await executingOrder();
    assert.equal((await a.post(`api/marketplace-orders/${order.uuid}/set_state_done/`)).status, 200);
  });

  it('set_state_done_500: answers 500 without completing, so the processor marks the order erred', async () => {
    assert.equal((await admin.post('faults', { name: 'set_state_done_500', offering_uuid: offering.uuid, times: 1 })).status, 201);
    const order = await executingOrder();
    const res = await a.post(`api/marketplace-orders/${order.uuid}/set_state_done/`);
    assert.equal(res.status, 500);
    assert.equal((await a.get(`api/marketplace-orders/${order.uuid}/`)).body.state, 'executing');
    assert.equal((await a.post(`api/marketplace-orders/${order.uuid}/set_state_erred/`, { error_message: 'HTTP 500' })).status, 200);
    assert.equal((await a.get(`api/marketplace-orders/${order.uuid}/`)).body.state, 'erred');
    assert.deepEqual((await admin.get('faults')).body, [], 'times: 1 is used up');
  });

  it('set_state_done_500 with commit: the transition happens although the answer is 500', async () => {
    const order = await executingOrder();
    const sw = (await admin.post('faults', { name: 'set_state_done_500', order_uuid: order.uuid, commit: true })).body;
    assert.equal((await a.post(`api/marketplace-orders/${order.uuid}/set_state_done/`)).status, 500);
    assert.equal((await a.get(`api/marketplace-orders/${order.uuid}/`)).body.state, 'done');
    assert.equal((await admin.del(`faults/${sw.uuid}`)).status, 204);
    assert.deepEqual((await admin.get('faults')).body, []);
  });

  it('shadow_resource: update and terminate orders point at a resource with empty name and backend_id', async () => {
    const order = await executingOrder();
    const real = order.marketplace_resource_uuid;
    await a.post(`api/marketplace-provider-resources/${real}/set_backend_id/`, { backend_id: '0f8fad5b-d9cb-469f-a165-70867728950e' });
    await a.post(`api/marketplace-orders/${order.uuid}/set_state_done/`);
    const sw = (await admin.post('faults', { name: 'shadow_resource', resource_uuid: real })).body;
    const upd = await a.post(`api/marketplace-resources/${real}/update_limits/`, { limits: { cpu: 7 } });
    const update = (await a.get(`api/marketplace-orders/${upd.body.order_uuid}/`)).body;
    assert.notEqual(update.marketplace_resource_uuid, real);
    const shadow = (await a.get(`api/marketplace-provider-resources/${update.marketplace_resource_uuid}/`)).body;
    assert.equal(shadow.backend_id, '');
    assert.equal(shadow.name, '');
    const listed = (await a.get(`api/marketplace-resources/?offering_uuid=${offering.uuid}&project_uuid=${shadow.project_uuid}`)).body;
    assert.ok(listed.some((r: Json) => r.uuid === real && r.backend_id !== ''));
    await a.post(`api/marketplace-orders/${update.uuid}/approve_by_provider/`);
    await a.post(`api/marketplace-orders/${update.uuid}/set_state_done/`);
    const after = (await a.get(`api/marketplace-resources/${real}/`)).body;
    assert.equal(after.state, 'OK');
    assert.deepEqual(after.limits, { cpu: 7 });
    const term = await a.post(`api/marketplace-resources/${real}/terminate/`, {});
    const terminate = (await a.get(`api/marketplace-orders/${term.body.order_uuid}/`)).body;
    assert.notEqual(terminate.marketplace_resource_uuid, real);
    assert.equal((await a.get(`api/marketplace-resources/${terminate.marketplace_resource_uuid}/`)).body.backend_id, '');
    assert.equal((await admin.del(`faults/${sw.uuid}`)).status, 204);
  });

  it('applies a switch only to its own offering, resource or order, and removes only that switch', async () => {
    const other = await activeOffering(a, 'Marketplace.Slurm', ['cpu']);
    const mine = (await admin.post('faults', { name: 'set_state_done_500', offering_uuid: offering.uuid })).body;
    const theirs = (await admin.post('faults', { name: 'set_state_done_500', offering_uuid: other.uuid })).body;
    const order = (await createOrder(a, other, { cpu: 1 })).body;
    await a.post(`api/marketplace-orders/${order.uuid}/approve_by_provider/`);
    assert.equal((await admin.del(`faults/${theirs.uuid}`)).status, 204);
    assert.equal((await a.post(`api/marketplace-orders/${order.uuid}/set_state_done/`)).status, 200, "the other offering's order ignores this offering's switch");
    assert.deepEqual((await admin.get('faults')).body.map((f: Json) => f.uuid), [mine.uuid], 'removing one switch leaves the other');
    const own = await executingOrder();
    assert.equal((await a.post(`api/marketplace-orders/${own.uuid}/set_state_done/`)).status, 500);
    await admin.del(`faults/${mine.uuid}`);
  });

  it('refuses unknown faults, unscoped switches and bad bodies with 400', async () => {
    assert.deepEqual((await admin.post('faults', { name: 'nope', offering_uuid: offering.uuid })).body, { name: ['Unknown fault; one of: set_state_done_500, shadow_resource.'] });
    assert.equal((await admin.post('faults', [1])).status, 400);
    assert.equal((await admin.post('faults', { name: 'shadow_resource' })).status, 400, 'an instance-wide switch is refused');
    assert.equal((await admin.post('faults', { name: 'shadow_resource', offering_uuid: offering.uuid, order_uuid: offering.uuid })).status, 400);
    assert.equal((await admin.post('faults', { name: 'shadow_resource', offering_uuid: '0f8fad5bd9cb469fa16570867728950e' })).status, 400);
    assert.equal((await admin.post('faults', { name: 'shadow_resource', offering_uuid: offering.uuid, times: 0 })).status, 400);
    assert.equal((await admin.del('faults')).status, 405, 'there is no switch-everything-off');
  });

  it('creates users with tokens, resources without orders, and sets offering plugin options', async () => {
    const user = await admin.post('users', { username: 'user-a', email: 'user-a@example.org' });
    assert.equal(user.status, 201);
    assert.equal((await client(waldur.a.url, user.body.token).get('api/users/me/')).body.username, 'user-a');
    assert.equal((await admin.get(`users/${user.body.uuid}/token`)).body.token, user.body.token);
    const project = (await a.get('api/projects/')).body[0];
    const res = await admin.post('resources', { offering_uuid: offering.uuid, project_uuid: project.uuid, name: 'orm-made', state: 'OK' });
    assert.equal(res.status, 201);
    assert.equal((await a.get(`api/marketplace-resources/${res.body.uuid}/`)).body.state, 'OK');
    const patched = await admin.patch(`offerings/${offering.uuid}`, { plugin_options: { service_provider_can_create_offering_user: true } });
    assert.equal(patched.body.plugin_options.service_provider_can_create_offering_user, true);
    assert.equal((await admin.post('resources', { offering_uuid: 'x' })).status, 400);
  });
});
