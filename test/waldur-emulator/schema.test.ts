// Responses validated against the OpenAPI 8.0.5 component schemas (extracted by emulators/waldur/schemas/extract.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Ajv from 'ajv';
import { activeOffering, Client, client, createOrder, fakeRabbit, Json, startWaldur } from './helpers';

const SCHEMAS = join(__dirname, '../../emulators/waldur/schemas');
const ajv = new Ajv({
  strict: false,
  allErrors: true,
  formats: {
    uuid: /^[0-9a-f]{32}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    'date-time': (s: string) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s),
    date: /^\d{4}-\d{2}-\d{2}$/,
    // DRF renders a blank URLField as "" although the schema says format: uri.
    uri: /^$|^https?:\/\//,
    email: /^[^@\s]+@[^@\s]+$/,
    decimal: /^-?\d+(\.\d+)?$/,
    double: true,
    int32: true,
    int64: true,
    binary: true,
  },
});

function check(root: string, value: Json): void {
  const validate = ajv.getSchema(`waldur-8.0.5/${root}.json`) ?? ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, `${root}.json`), 'utf8')));
  assert.ok(validate(value), `${root}: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
}

describe('Waldur emulator: responses match the OpenAPI 8.0.5 schemas', () => {
  let rabbit: Awaited<ReturnType<typeof fakeRabbit>>;
  let waldur: Awaited<ReturnType<typeof startWaldur>>;
  let a: Client;
  let offering: Json;
  let order: Json;

  before(async () => {
    rabbit = await fakeRabbit();
    waldur = await startWaldur({ broker: { wsUrl: 'ws://127.0.0.1:9/ws', managementUrl: rabbit.url, adminUser: 'admin', adminPassword: 'x' }, targetStomp: false });
    a = client(waldur.a.url, waldur.a.token);
    offering = await activeOffering(a, 'Marketplace.Slurm', ['cpu', 'mem']);
    order = (await createOrder(a, offering, { cpu: 1, mem: 2 })).body;
    await a.post(`api/marketplace-orders/${order.uuid}/approve_by_provider/`);
    await a.post(`api/marketplace-orders/${order.uuid}/set_backend_id/`, { backend_id: '0f8fad5b-d9cb-469f-a165-70867728950e' });
  });
  after(async () => {
    await waldur.stop();
    await rabbit.stop();
  });

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
