import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { activeOffering, Client, client, createOrder, Json, startWaldur } from './helpers';

describe('Waldur emulator: REST dialect and order life cycle', () => {
  let waldur: Awaited<ReturnType<typeof startWaldur>>;
  let a: Client;
  let b: Client;
  let slurm: Json;
  let basic: Json;

  before(async () => {
    waldur = await startWaldur({ broker: null, targetStomp: false });
    a = client(waldur.a.url, waldur.a.token);
    b = client(waldur.b.url, waldur.b.token);
    slurm = await activeOffering(a, 'Marketplace.Slurm', ['cpu', 'mem']);
    basic = await activeOffering(b, 'Marketplace.Basic', ['cpu', 'mem']);
  });
  after(() => waldur.stop());

  it('runs two independent instances with their own staff token', async () => {
    assert.notEqual(waldur.a.url, waldur.b.url);
    assert.equal((await a.get('api/users/me/')).body.is_staff, true);
    assert.equal((await client(waldur.a.url, waldur.b.token).get('api/users/me/')).status, 401);
    assert.equal((await b.get(`api/marketplace-public-offerings/${slurm.uuid}/`)).status, 404);
    assert.equal((await b.get('api/projects/')).body.length, 0);
  });

  it('answers 401 in the DRF shape without or with a wrong token', async () => {
    assert.deepEqual((await client(waldur.a.url, null).get('api/users/me/')).body, { detail: 'Authentication credentials were not provided.' });
    assert.deepEqual((await client(waldur.a.url, 'nope').get('api/users/me/')).body, { detail: 'Invalid token.' });
  });

  it('activates an offering: Draft -> Active, and refuses to activate twice', async () => {
    const customer = (await b.get('api/customers/')).body[0];
    const category = (await b.get('api/marketplace-categories/')).body[0];
    const created = await b.post('api/marketplace-provider-offerings/', { name: 'x', category: category.url, customer: customer.url, type: 'Marketplace.Basic' });
    assert.equal(created.body.state, 'Draft');
    const comp = await b.post(`api/marketplace-provider-offerings/${created.body.uuid}/create_offering_component/`, { billing_type: 'limit', type: 'gpu', name: 'GPU', measured_unit: 'Hours' });
    assert.equal(comp.status, 201);
    const activated = await b.post(`api/marketplace-provider-offerings/${created.body.uuid}/activate/`);
    assert.deepEqual(activated.body, { detail: 'Offering has been activated.', state: 'Active' });
    assert.equal((await b.post(`api/marketplace-provider-offerings/${created.body.uuid}/activate/`)).status, 409);
    const plan = await b.post('api/marketplace-plans/', { name: 'Default', offering: created.body.url });
    assert.equal(plan.status, 201);
    const plans = await b.get(`api/marketplace-public-offerings/${created.body.uuid}/plans/`);
    assert.equal(plans.body[0].uuid, plan.body.uuid);
    assert.match(plans.body[0].url, new RegExp(`/api/marketplace-public-offerings/${created.body.uuid}/plans/${plan.body.uuid}/$`));
  });

  it('deletes a service provider only when its organisation has no active offering', async () => {
    const customer = (await b.post('api/customers/', { name: 'sp-delete' })).body;
    const sp = (await b.post('api/marketplace-service-providers/', { customer: customer.url })).body;
    const category = (await b.get('api/marketplace-categories/')).body[0];
    const offering = (await b.post('api/marketplace-provider-offerings/', { name: 'sp-o', category: category.url, customer: customer.url, type: 'Marketplace.Basic' })).body;
    await b.post(`api/marketplace-provider-offerings/${offering.uuid}/activate/`);
    assert.equal((await b.del(`api/marketplace-service-providers/${sp.uuid}/`)).status, 409);
    assert.equal((await b.del(`api/marketplace-provider-offerings/${offering.uuid}/`)).status, 204);
    assert.equal((await b.del(`api/marketplace-service-providers/${sp.uuid}/`)).status, 204);
    assert.equal((await b.get(`api/marketplace-service-providers/${sp.uuid}/`)).status, 404);
    assert.equal((await b.del(`api/customers/${customer.uuid}/`)).status, 204);
  });

  it('moves a create order pending-consumer -> pending-provider -> executing -> done, resource Creating -> OK', async () => {
    const created = await createOrder(b, basic, { cpu: 1280 });
    assert.equal(created.status, 201);
    const order = created.body;
    assert.equal(order.state, 'pending-provider');
    assert.equal(order.type, 'Create');
    assert.match(order.uuid, /^[0-9a-f]{32}$/);
    const resource = (await b.get(`api/marketplace-resources/${order.marketplace_resource_uuid}/`)).body;
    assert.equal(resource.state, 'Creating');
    assert.deepEqual(resource.limits, { cpu: 1280 });
    assert.equal(resource.backend_id, '');
    assert.deepEqual((await b.post(`api/marketplace-orders/${order.uuid}/approve_by_provider/`)).body, { detail: 'Order has been approved.' });
    assert.equal((await b.get(`api/marketplace-orders/${order.uuid}/`)).body.state, 'executing');
    assert.equal((await b.post(`api/marketplace-orders/${order.uuid}/set_state_done/`)).status, 200);
    const done = (await b.get(`api/marketplace-orders/${order.uuid}/`)).body;
    assert.equal(done.state, 'done');
    assert.ok(done.completed_at);
    assert.equal((await b.get(`api/marketplace-provider-resources/${order.marketplace_resource_uuid}/`)).body.state, 'OK');
    assert.deepEqual((await b.post(`api/marketplace-orders/${order.uuid}/set_state_done/`)).body, { detail: 'Valid states for operation: executing.' });
  });

  it('records backend ids on orders and resources (dashed as sent)', async () => {
    const order = (await createOrder(a, slurm, { cpu: 10 })).body;
    await a.post(`api/marketplace-orders/${order.uuid}/approve_by_provider/`);
    const dashed = '0f8fad5b-d9cb-469f-a165-70867728950e';
    assert.deepEqual((await a.post(`api/marketplace-orders/${order.uuid}/set_backend_id/`, { backend_id: dashed })).body, { status: 'Order backend_id has been changed.' });
    assert.equal((await a.post(`api/marketplace-provider-resources/${order.marketplace_resource_uuid}/set_backend_id/`, { backend_id: dashed })).status, 200);
    assert.equal((await a.post(`api/marketplace-provider-resources/${order.marketplace_resource_uuid}/set_limits/`, { limits: { cpu: 11 } })).status, 200);
    assert.equal((await a.post(`api/marketplace-provider-resources/${order.marketplace_resource_uuid}/set_effective_id/`, { effective_id: 'job-1' })).status, 200);
    const res = (await a.get(`api/marketplace-provider-resources/${order.marketplace_resource_uuid}/?field=backend_id&field=limits&field=effective_id`)).body;
    assert.deepEqual(res, { backend_id: dashed, limits: { cpu: 11 }, effective_id: 'job-1' });
    assert.equal((await a.get(`api/marketplace-orders/${order.uuid}/?field=uuid&field=backend_id`)).body.backend_id, dashed);
    assert.deepEqual((await a.post(`api/marketplace-orders/${order.uuid}/set_backend_id/`, {})).body, { backend_id: ['This field is required.'] });
  });

  it('runs update and terminate orders on a resource: Updating -> OK with new limits, Terminating -> Terminated', async () => {
    const order = (await createOrder(b, basic, { cpu: 5 })).body;
    const res = order.marketplace_resource_uuid;
    await b.post(`api/marketplace-orders/${order.uuid}/approve_by_provider/`);
    await b.post(`api/marketplace-orders/${order.uuid}/set_state_done/`);
    const upd = await b.post(`api/marketplace-resources/${res}/update_limits/`, { limits: { cpu: 20 } });
    assert.equal(upd.status, 200);
    const update = (await b.get(`api/marketplace-orders/${upd.body.order_uuid}/`)).body;
    assert.equal(update.type, 'Update');
    assert.equal(update.state, 'pending-provider');
    assert.equal(update.marketplace_resource_uuid, res);
    assert.equal((await b.get(`api/marketplace-resources/${res}/`)).body.state, 'Updating');
    assert.equal((await b.post(`api/marketplace-resources/${res}/terminate/`, {})).status, 409);
    await b.post(`api/marketplace-orders/${update.uuid}/approve_by_provider/`);
    await b.post(`api/marketplace-orders/${update.uuid}/set_state_done/`);
    const updated = (await b.get(`api/marketplace-resources/${res}/`)).body;
    assert.equal(updated.state, 'OK');
    assert.deepEqual(updated.limits, { cpu: 20 });

    const term = await b.post(`api/marketplace-resources/${res}/terminate/`, {});
    const terminate = (await b.get(`api/marketplace-orders/${term.body.order_uuid}/`)).body;
    assert.equal(terminate.type, 'Terminate');
    assert.equal((await b.get(`api/marketplace-resources/${res}/`)).body.state, 'Terminating');
    const inflight = await b.get(`api/marketplace-orders/?resource_uuid=${res}&type=Terminate&state=pending-consumer&state=pending-project&state=pending-provider&state=pending-start-date&state=executing`);
    assert.deepEqual(inflight.body.map((o: Json) => o.uuid), [terminate.uuid]);
    await b.post(`api/marketplace-orders/${terminate.uuid}/approve_by_provider/`);
    await b.post(`api/marketplace-orders/${terminate.uuid}/set_state_done/`);
    assert.equal((await b.get(`api/marketplace-resources/${res}/`)).body.state, 'Terminated');
  });

  it('rejects, cancels and errs orders with the resource following', async () => {
    const rejected = (await createOrder(b, basic, { cpu: 1 })).body;
    assert.equal((await b.post(`api/marketplace-orders/${rejected.uuid}/reject_by_provider/`, { provider_rejection_comment: 'no' })).status, 200);
    const r = (await b.get(`api/marketplace-orders/${rejected.uuid}/`)).body;
    assert.equal(r.state, 'rejected');
    assert.equal(r.provider_rejection_comment, 'no');
    assert.equal((await b.get(`api/marketplace-resources/${rejected.marketplace_resource_uuid}/`)).body.state, 'Terminated');
    const canceled = (await createOrder(b, basic, { cpu: 1 })).body;
    assert.equal((await b.post(`api/marketplace-orders/${canceled.uuid}/cancel/`)).status, 202);
    assert.equal((await b.get(`api/marketplace-orders/${canceled.uuid}/`)).body.state, 'canceled');
    const erred = (await createOrder(a, slurm, { cpu: 1 })).body;
    await a.post(`api/marketplace-orders/${erred.uuid}/approve_by_provider/`);
    await a.post(`api/marketplace-orders/${erred.uuid}/set_state_erred/`, { error_message: 'Target order x failed: rejected', error_traceback: '' });
    const e = (await a.get(`api/marketplace-orders/${erred.uuid}/`)).body;
    assert.equal(e.state, 'erred');
    assert.equal(e.error_message, 'Target order x failed: rejected');
    assert.equal((await a.get(`api/marketplace-resources/${erred.marketplace_resource_uuid}/`)).body.state, 'Erred');
  });

  it('paginates with page/page_size, X-Result-Count and a Link rel="next" header', async () => {
    for (let i = 0; i < 3; i++) await createOrder(b, basic, { cpu: 1 }, `page-${i}`);
    const all = await b.get(`api/marketplace-orders/?offering_uuid=${basic.uuid}&page_size=300`);
    const total = Number(all.headers.get('x-result-count'));
    assert.equal(all.body.length, total);
    assert.ok(total >= 3);
    const first = await b.get(`api/marketplace-orders/?offering_uuid=${basic.uuid}&page_size=2`);
    assert.equal(first.body.length, 2);
    assert.equal(first.headers.get('x-result-count'), String(total));
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link') ?? '');
    assert.ok(next, first.headers.get('link') ?? 'no Link header');
    const second = await b.get(next[1]);
    assert.equal(second.status, 200);
    assert.notEqual(second.body[0].uuid, first.body[0].uuid);
    const last = await b.get(`api/marketplace-orders/?offering_uuid=${basic.uuid}&page_size=300&page=1`);
    assert.doesNotMatch(last.headers.get('link') ?? '', /rel="next"/);
    assert.deepEqual((await b.get(`api/marketplace-orders/?page=999`)).body, { detail: 'Invalid page.' });
  });

  it('treats repeated query parameters as OR and validates their choices', async () => {
    const o = (await createOrder(a, slurm, { cpu: 2 })).body;
    await a.post(`api/marketplace-orders/${o.uuid}/approve_by_provider/`);
    const both = await a.get(`api/marketplace-orders/?offering_uuid=${slurm.uuid}&state=pending-provider&state=executing&page_size=100`);
    const states = new Set(both.body.map((x: Json) => x.state));
    assert.ok(states.has('executing'));
    assert.ok([...states].every((s) => s === 'pending-provider' || s === 'executing'));
    const one = await a.get(`api/marketplace-orders/?offering_uuid=${slurm.uuid}&state=executing`);
    assert.ok(one.body.every((x: Json) => x.state === 'executing'));
    assert.deepEqual((await a.get('api/marketplace-orders/?state=bogus')).body, { state: ['Select a valid choice. bogus is not one of the available choices.'] });
    const resources = await a.get(`api/marketplace-resources/?offering_uuid=${slurm.uuid}&state=OK&state=Creating`);
    assert.ok(resources.body.length >= 1);
  });

  it('accepts UUIDs hex or dashed, in paths and filters, and returns hex', async () => {
    const hex = slurm.uuid as string;
    const dashed = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
    assert.equal((await a.get(`api/marketplace-public-offerings/${dashed}/`)).body.uuid, hex);
    assert.equal((await a.get(`api/marketplace-public-offerings/${dashed.toUpperCase()}/`)).body.uuid, hex);
    const byDashed = await a.get(`api/marketplace-orders/?offering_uuid=${dashed}`);
    const byHex = await a.get(`api/marketplace-orders/?offering_uuid=${hex}`);
    assert.deepEqual(byDashed.body.map((o: Json) => o.uuid), byHex.body.map((o: Json) => o.uuid));
    assert.deepEqual((await a.get('api/marketplace-orders/?offering_uuid=xyz')).body, { offering_uuid: ['“xyz” is not a valid UUID.'] });
    assert.deepEqual((await a.get('api/marketplace-orders/not-a-uuid/')).body, { detail: 'Not found.' });
  });

  it('finds projects by backend_id and creates them under a customer URL', async () => {
    const customer = (await b.get('api/customers/')).body[0];
    const backendId = '0f8fad5b-d9cb-469f-a165-70867728950e_7c9e6679-7425-40de-944b-e07fc1f90ae7';
    assert.deepEqual((await b.get(`api/projects/?backend_id=${backendId}&field=uuid`)).body, []);
    const p = await b.post('api/projects/', { name: 'Federation project', customer: `${waldur.b.url}api/customers/${customer.uuid}/`, backend_id: backendId, description: '' });
    assert.equal(p.status, 201);
    assert.deepEqual((await b.get(`api/projects/?backend_id=${backendId}&field=uuid&field=url`)).body, [{ uuid: p.body.uuid, url: p.body.url }]);
  });

  it('answers bad input with Waldur-style 400/404/405, never 500', async () => {
    const project = (await a.get('api/projects/')).body[0];
    const cases: [string, unknown, Json][] = [
      ['api/marketplace-orders/', {}, { offering: ['This field is required.'] }],
      ['api/marketplace-orders/', { offering: slurm.url, project: project.url, plan: slurm.plans[0].url, limits: { cpu: -1 } }, { limits: ['Ensure "cpu" is greater than or equal to 0.'] }],
      ['api/marketplace-orders/', { offering: slurm.url, project: project.url, plan: slurm.plans[0].url, limits: { gpu: 1 } }, null],
      ['api/marketplace-orders/', { offering: slurm.url, project: `${waldur.a.url}api/projects/0f8fad5bd9cb469fa16570867728950e/` }, { project: ['Invalid hyperlink - Object does not exist.'] }],
      ['api/marketplace-orders/', [1, 2], null],
      ['api/projects/', { name: 'x' }, { customer: ['This field is required.'] }],
      ['api/marketplace-site-agent-identities/', { name: 'agent-x', offering: basic.uuid }, null],
    ];
    for (const [path, body, expected] of cases) {
      const res = await a.post(path, body);
      assert.equal(res.status, 400, `${path} ${JSON.stringify(body)} -> ${res.status} ${JSON.stringify(res.body)}`);
      if (expected) assert.deepEqual(res.body, expected);
    }
    const raw = await fetch(`${waldur.a.url}api/marketplace-orders/`, { method: 'POST', headers: { Authorization: `Token ${waldur.a.token}`, 'Content-Type': 'application/json' }, body: '{broken' });
    assert.equal(raw.status, 400);
    assert.equal((await a.get('api/nothing-here/')).status, 404);
    assert.equal((await a.del('api/marketplace-orders/')).status, 405);
    assert.equal((await a.post('api/marketplace-orders/0f8fad5bd9cb469fa16570867728950e/approve_by_provider/')).status, 404);
  });
});
