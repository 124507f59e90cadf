// Responses validated against the OpenAPI 8.0.5 component schemas (extracted by emulators/waldur/schemas/extract.ts).
import { after, before, describe, it } from 'node:test';
import { activeOffering, checkSchema, Client, createOrder, Json, startWithRecorder } from './helpers';

const check = (root: string, value: Json): void => checkSchema(root, value);

describe('Waldur emulator: responses match the OpenAPI 8.0.5 schemas', () => {
  let env: Awaited<ReturnType<typeof startWithRecorder>>;
  let a: Client;
  let offering: Json;
  let order: Json;

  before(async () => {
    env = await startWithRecorder();
    a = env.a;
    offering = await activeOffering(a, 'Marketplace.Slurm', ['cpu', 'mem']);
    order = (await createOrder(a, offering, { cpu: 1, mem: 2 })).body;
    await a.post(`api/marketplace-orders/${order.uuid}/approve_by_provider/`);
    await a.post(`api/marketplace-orders/${order.uuid}/set_backend_id/`, { backend_id: '0f8fad5b-d9cb-469f-a165-70867728950e' });
  });
  after(() => env.stop());

  it('OrderDetails: create answer, detail and list items', async () => {
    check('OrderDetails', order);
    check('OrderDetails', (await a.get(`api/marketplace-orders/${order.uuid}/`)).body);
    for (const o of (await a.get('api/marketplace-orders/')).body) check('OrderDetails', o);
  });

  it('Resource: consumer and provider views, with an order in progress', async () => {
    check('Resource', (await a.get(`api/marketplace-resources/${order.marketplace_resource_uuid}/`)).body);
    check('Resource', (await a.get(`api/marketplace-provider-resources/${order.marketplace_resource_uuid}/`)).body);
  });

  it('ProviderOfferingDetails and PublicOfferingDetails', async () => {
    check('ProviderOfferingDetails', (await a.get(`api/marketplace-provider-offerings/${offering.uuid}/`)).body);
    check('PublicOfferingDetails', offering);
  });

  it('Project, AgentIdentity, EventSubscription and EventSubscriptionQueue', async () => {
    check('Project', (await a.get('api/projects/')).body[0]);
    const identity = (await a.post('api/marketplace-site-agent-identities/', { offering: offering.uuid, name: 'agent-schema' })).body;
    check('AgentIdentity', identity);
    const sub = (await a.post(`api/marketplace-site-agent-identities/${identity.uuid}/register_event_subscription/`, { observable_object_type: 'order' })).body;
    check('EventSubscription', sub);
    check('EventSubscriptionQueue', (await a.post(`api/event-subscriptions/${sub.uuid}/create_queue/`, { offering_uuid: offering.uuid, object_type: 'order' })).body);
  });
});
