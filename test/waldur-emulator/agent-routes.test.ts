// Every response on the routes the reference agent and the real agent's client (waldur-site-agent with its
// waldur-api-client) read, validated against the OpenAPI 8.0.5 schemas; and the five deviations the real
// agent met (issue 10): AgentIdentity created_by and offering types, register_processor service_name/url,
// set_backend_metadata, the current client's observable object types, the missing 8.0.5 routes.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { activeOffering, checkSchema, Client, createOrder, Json, startWithRecorder } from './helpers';

const validate = (root: string, value: Json, where: string): void => checkSchema(root, value, where);

/** An answer of the route: status as expected, the body (or each list item) valid against the root schema. */
function check(answer: { status: number; body: Json }, status: number, root: string, where: string, opts: { list?: boolean; nonEmpty?: boolean } = {}): void {
  assert.equal(answer.status, status, `${where}: ${JSON.stringify(answer.body)?.slice(0, 300)}`);
  if (!opts.list) return validate(root, answer.body, where);
  assert.ok(Array.isArray(answer.body), `${where}: a list`);
  if (opts.nonEmpty) assert.ok(answer.body.length > 0, `${where}: at least one item to validate`);
  for (const item of answer.body) validate(root, item, where);
}

describe('Waldur emulator: the routes the site agents read answer as schema 8.0.5', () => {
  let env: Awaited<ReturnType<typeof startWithRecorder>>;
  let a: Client;
  let offering: Json;
  let order: Json;
  let identity: Json;
  let sp: Json;

  before(async () => {
    env = await startWithRecorder();
    a = env.a;
    offering = await activeOffering(a, 'Marketplace.Slurm', ['cpu', 'mem']);
    order = (await createOrder(a, offering, { cpu: 1, mem: 2 })).body;
    sp = (await a.get('api/marketplace-service-providers/')).body[0];
    identity = (await a.post('api/marketplace-site-agent-identities/', { offering: offering.uuid, name: 'agent-routes' })).body;
  });
  after(() => env.stop());

  it('order flow: users/me, offerings, orders, resources, projects, customers, service providers', async () => {
    check(await a.get('api/users/me/'), 200, 'User', 'GET users/me/');
    check(await a.get(`api/marketplace-provider-offerings/${offering.uuid}/`), 200, 'ProviderOfferingDetails', 'GET provider offering');
    check(await a.get(`api/marketplace-orders/?offering_uuid=${offering.uuid}&state=pending-provider&state=executing`), 200, 'OrderDetails', 'GET marketplace-orders/', { list: true, nonEmpty: true });
    check(await a.get(`api/marketplace-orders/${order.uuid}/`), 200, 'OrderDetails', 'GET order');
    check(await a.get(`api/marketplace-resources/?offering_uuid=${offering.uuid}`), 200, 'Resource', 'GET marketplace-resources/', { list: true, nonEmpty: true });
    check(await a.get(`api/marketplace-provider-resources/${order.marketplace_resource_uuid}/`), 200, 'Resource', 'GET provider resource');
    check(await a.get('api/projects/'), 200, 'Project', 'GET projects/', { list: true, nonEmpty: true });
    check(await a.get('api/customers/'), 200, 'Customer', 'GET customers/', { list: true, nonEmpty: true });
    check(await a.get('api/marketplace-service-providers/'), 200, 'ServiceProvider', 'GET marketplace-service-providers/', { list: true, nonEmpty: true });
  });

  it('deviation 1: AgentIdentity carries created_by, and SCRIPT, OPENSTACK_TENANT and BASIC offerings are accepted', async () => {
    validate('AgentIdentity', identity, 'POST identity');
    const me = (await a.get('api/users/me/')).body;
    assert.equal(identity.created_by, me.uuid);
    assert.deepEqual(Object.keys(identity.compatibility).sort(), ['message', 'status']);
    for (const type of ['Marketplace.Basic', 'Marketplace.Script', 'OpenStack.Tenant']) {
      const o = await activeOffering(a, type, ['cpu']);
      check(await a.post('api/marketplace-site-agent-identities/', { offering: o.uuid, name: `agent-${type}` }), 201, 'AgentIdentity', `identity for ${type}`);
    }
    const other = await activeOffering(a, 'Marketplace.Remote', ['cpu']);
    const refused = await a.post('api/marketplace-site-agent-identities/', { offering: other.uuid, name: 'agent-remote' });
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.body, { offering: [`Object with uuid=${other.uuid} does not exist.`] });
    check(await a.get(`api/marketplace-site-agent-identities/?name=agent-routes`), 200, 'AgentIdentity', 'GET identities', { list: true, nonEmpty: true });
  });

  it('deviation 2: register_service, register_processor (service_name, url) and the nested services and processors (url)', async () => {
    const service = await a.post(`api/marketplace-site-agent-identities/${identity.uuid}/register_service/`, { name: 'event_process-order', mode: 'event_process' });
    check(service, 201, 'AgentService', 'register_service');
    const processor = await a.post(`api/marketplace-site-agent-services/${service.body.uuid}/register_processor/`, { name: 'waldur', backend_type: 'waldur', backend_version: '1.0' });
    check(processor, 201, 'AgentProcessor', 'register_processor');
    assert.equal(processor.body.service_name, 'event_process-order');
    check(await a.get(`api/marketplace-site-agent-services/${service.body.uuid}/`), 200, 'AgentService', 'GET service');
    const again = await a.get(`api/marketplace-site-agent-identities/${identity.uuid}/`);
    check(again, 200, 'AgentIdentity', 'GET identity with a service');
    assert.match(again.body.services[0].url, /marketplace-site-agent-services\/[0-9a-f]{32}\/$/);
  });

  it('deviation 3: set_backend_metadata stores the metadata on the resource', async () => {
    const path = `api/marketplace-provider-resources/${order.marketplace_resource_uuid}/`;
    check(await a.post(`${path}set_backend_metadata/`, { backend_metadata: { cluster: 'alpha' } }), 200, 'ResourceResponseStatus', 'set_backend_metadata');
    assert.deepEqual((await a.get(path)).body.backend_metadata, { cluster: 'alpha' });
    assert.deepEqual((await a.post(`${path}set_backend_metadata/`, {})).body, { backend_metadata: ['This field is required.'] });
  });

  it("deviation 4: the current client's 14 observable object types are accepted", async () => {
    const types = ['order', 'user_role', 'resource', 'offering_user', 'importable_resources', 'service_account', 'course_account', 'resource_periodic_limits', 'offering_resources_sync', 'resource_api_key_rotation', 'resource_end_date_change_request', 'user_lifecycle', 'user_profile', 'user_ssh_key'];
    for (const type of types) {
      const sub = await a.post(`api/marketplace-site-agent-identities/${identity.uuid}/register_event_subscription/`, { observable_object_type: type, description: 'e2e' });
      check(sub, 201, 'EventSubscription', `register_event_subscription ${type}`);
      check(await a.post(`api/event-subscriptions/${sub.body.uuid}/create_queue/`, { offering_uuid: offering.uuid, object_type: type }), 201, 'EventSubscriptionQueue', `create_queue ${type}`);
    }
    assert.equal((await a.post(`api/marketplace-site-agent-identities/${identity.uuid}/register_event_subscription/`, { observable_object_type: 'nonsense' })).status, 400);
  });

  it('deviation 5: version, service provider keys/projects/service accounts, offering accounts and attribute config, component usages', async () => {
    check(await a.get('api/version/'), 200, 'Version', 'GET version/');
    check(await a.get(`api/marketplace-service-providers/${sp.uuid}/keys/`), 200, 'SshKey', 'GET sp keys', { list: true });
    check(await a.get(`api/marketplace-service-providers/${sp.uuid}/projects/`), 200, 'Project', 'GET sp projects', { list: true, nonEmpty: true });
    check(await a.get(`api/marketplace-service-providers/${sp.uuid}/project_service_accounts/`), 200, 'ProjectServiceAccount', 'GET sp project_service_accounts', { list: true });
    check(await a.get(`api/marketplace-provider-offerings/${offering.uuid}/list_project_service_accounts/`), 200, 'ProjectServiceAccount', 'GET list_project_service_accounts', { list: true });
    check(await a.get(`api/marketplace-provider-offerings/${offering.uuid}/list_course_accounts/`), 200, 'CourseAccount', 'GET list_course_accounts', { list: true });
    check(await a.get(`api/marketplace-provider-offerings/${offering.uuid}/user-attribute-config/`), 200, 'OfferingUserAttributeConfig', 'GET user-attribute-config');
    check(await a.get(`api/marketplace-component-usages/?resource_uuid=${order.marketplace_resource_uuid}`), 200, 'ComponentUsage', 'GET component usages', { list: true });
    assert.equal((await a.get('api/marketplace-component-usages/?resource_uuid=nope')).status, 400);
    assert.equal((await a.get('api/marketplace-service-providers/00000000000000000000000000000000/keys/')).status, 404);
  });

  it('username sync: users, roles, identity bridge and offering users', async () => {
    const user = await a.post('api/users/', { username: 'routes-subject', email: 'routes-subject@example.org' });
    check(user, 201, 'User', 'POST users/');
    const project = (await a.get('api/projects/')).body[0];
    check(await a.post(`api/projects/${project.uuid}/add_user/`, { role: 'PROJECT.MEMBER', user: user.body.uuid }), 201, 'UserRoleExpirationTime', 'project add_user');
    check(await a.post('api/identity-bridge/', { username: 'routes-subject', source: 'isd:routes' }), 200, 'IdentityBridgeResult', 'identity bridge');
    const other = await activeOffering(a, 'Marketplace.Slurm', ['cpu']);
    await fetch(`${env.waldur.a.adminUrl}offerings/${other.uuid}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ plugin_options: { service_provider_can_create_offering_user: true } }) });
    const ou = await a.post('api/marketplace-offering-users/', { user: user.body.url, offering_uuid: other.uuid });
    check(ou, 201, 'OfferingUser', 'POST offering user');
    assert.equal(ou.body.state, 'Requested');
    check(await a.get(`api/marketplace-offering-users/?offering_uuid=${other.uuid}&state=OK&state=Creating&state=Requested&is_restricted=false`), 200, 'OfferingUser', 'GET offering users', { list: true, nonEmpty: true });
    const named = await a.patch(`api/marketplace-offering-users/${ou.body.uuid}/`, { username: 'routes' });
    check(named, 200, 'OfferingUser', 'PATCH offering user');
    assert.deepEqual([named.body.state, named.body.username], ['OK', 'routes']);
    assert.equal((await a.get('api/marketplace-offering-users/?state=Bogus')).status, 400);
  });
});
