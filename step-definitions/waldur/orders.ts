/** Orders on Waldur A: create, update limits, terminate; where they end and what they record. */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { eventually } from '../../world/wait';
import { WaldurOrder, dashedUuid, hexUuid } from '../../world/clients/waldur';
import { ORDER_POLL_TIMEOUT_S, OrderRun } from '../../world/clients/waldur-agent';
import { federation, siteAgent } from './federation';
import { trackResources } from './resources';

async function orderResource(world: AcceptanceWorld, amount: number, component: string): Promise<WaldurOrder> {
  const fed = federation(world);
  const order = await world.waldur.a.orderResource(fed.a.offering, fed.a.project.url, { [component]: amount }, world.uniqueName('e2e-res'));
  world.registry.track(`resource of order ${order.uuid} on Waldur A`, () => world.waldur.a.terminateAsOperator(order.marketplace_resource_uuid));
  world.remember('resourceA', order.marketplace_resource_uuid);
  return world.remember('order', order);
}

async function runToEnd(world: AcceptanceWorld): Promise<OrderRun> {
  const run = await siteAgent(world).runUntilOrderTerminal(world.recall<WaldurOrder>('order').uuid);
  await trackResources(world);
  return world.remember('run', run);
}

When('a project member orders the offering on Waldur A with {int} {word}', async function (this: AcceptanceWorld, amount: number, component: string) {
  await orderResource(this, amount, component);
});

Given('a resource with {int} {word} ordered on Waldur A and provisioned on Waldur B by the site agent', { timeout: 120_000 }, async function (this: AcceptanceWorld, amount: number, component: string) {
  await orderResource(this, amount, component);
  const run = await runToEnd(this);
  expect(run.state, `state of the create order after ${run.cycles} processor cycles`).to.equal('done');
});

When('the project member raises the limit on Waldur A to {int} {word}', async function (this: AcceptanceWorld, amount: number, component: string) {
  const uuid = await this.waldur.a.updateLimits(this.recall<string>('resourceA'), { [component]: amount });
  this.remember('order', await this.waldur.a.order(uuid));
});

When('the project member terminates the resource on Waldur A', async function (this: AcceptanceWorld) {
  const uuid = await this.waldur.a.terminate(this.recall<string>('resourceA'));
  this.remember('order', await this.waldur.a.order(uuid));
});

When('the site agent runs until the order on Waldur A is finished', { timeout: 120_000 }, async function (this: AcceptanceWorld) {
  await runToEnd(this);
});

When('the site agent runs one processor cycle', async function (this: AcceptanceWorld) {
  this.remember('cycleStartedAt', new Date());
  await siteAgent(this).cycle();
  await trackResources(this);
});

When("the service provider on Waldur B approves and completes the site agent's order", async function (this: AcceptanceWorld) {
  const completed = await this.waldur.b.autoApprove(federation(this).b.offering.uuid);
  expect(completed, 'orders waiting for the provider on Waldur B').to.have.lengthOf(1);
});

Then('the order on Waldur A becomes done without another processor cycle', async function (this: AcceptanceWorld) {
  const uuid = this.recall<WaldurOrder>('order').uuid;
  await eventually(() => this.waldur.a.order(uuid), (o) => o.state === 'done', { within: 10_000, every: 100, what: `order ${uuid} on Waldur A done through B's order event` });
});

/**
 * The agent's submission, seen on both targets: A's order executing with B's order UUID as its
 * backend_id, and B's order for B's offering still waiting for B's provider (nothing approved it yet).
 */
async function submittedToB(world: AcceptanceWorld, order: WaldurOrder): Promise<void> {
  await trackResources(world);
  const orderB = await world.waldur.b.order(order.backend_id);
  const fed = federation(world);
  expect({ state: orderB.state, offering: hexUuid(orderB.offering_uuid) }, "the site agent's order on Waldur B").to.deep.equal({ state: 'pending-provider', offering: hexUuid(fed.b.offering.uuid) });
}

// REPORT §4.5: a source ORDER event in pending-provider runs the polling code for that one order. The
// embedded agent runs no cycle unless a step asks; a real waldur_site_agent also polls beside it.
Then("the site agent submits the order on Waldur A to Waldur B on its order event", async function (this: AcceptanceWorld) {
  const uuid = this.recall<WaldurOrder>('order').uuid;
  const order = await eventually(() => this.waldur.a.order(uuid), (o) => o.state === 'executing' && !!o.backend_id, {
    within: 30_000,
    every: 100,
    what: `order ${uuid} on Waldur A approved and submitted to Waldur B (backend_id set) through its order event`,
  });
  await submittedToB(this, order);
});

// Test 2: the submitting cycle does not wait for B; the order is completed only on a later cycle.
Then("after that cycle the order on Waldur A is executing and waits for Waldur B's provider", async function (this: AcceptanceWorld) {
  const order = await this.waldur.a.order(this.recall<WaldurOrder>('order').uuid);
  expect({ state: order.state, submitted: !!order.backend_id }, 'the order on Waldur A after the first processor cycle').to.deep.equal({ state: 'executing', submitted: true });
  await submittedToB(this, order);
});

Then('the order on Waldur A ends {orderState}', async function (this: AcceptanceWorld, state: string) {
  const run = this.recall<OrderRun>('run');
  const order = await this.waldur.a.order(this.recall<WaldurOrder>('order').uuid);
  expect(order.state, `order state on Waldur A after ${run.cycles} processor cycles (error: "${order.error_message}")`).to.equal(state);
});

// Known issue 3: polling must finish what target STOMP did not, within backend_settings.order_poll_timeout,
// measured on Waldur A's own timestamps (created -> completed_at).
Then('the order on Waldur A was completed within the order poll timeout', async function (this: AcceptanceWorld) {
  const order = await this.waldur.a.order(this.recall<WaldurOrder>('order').uuid);
  expect(order.completed_at, 'completed_at of the order on Waldur A').to.be.a('string');
  const seconds = (Date.parse(order.completed_at!) - Date.parse(order.created)) / 1000;
  expect(seconds, `seconds from creation to completion of order ${order.uuid} on Waldur A`).to.be.at.most(ORDER_POLL_TIMEOUT_S);
});

// Known issue 2: proves the fault took effect, so the scenario exercises the agent's fallback.
Then('the order on Waldur A pointed at a shadow resource without a backend ID', async function (this: AcceptanceWorld) {
  const order = await this.waldur.a.order(this.recall<WaldurOrder>('order').uuid);
  expect(hexUuid(order.marketplace_resource_uuid), "the order's resource vs the ordered resource").to.not.equal(hexUuid(this.recall<string>('resourceA')));
  const shadow = await this.waldur.a.resource(order.marketplace_resource_uuid);
  expect({ name: shadow.name, backend_id: shadow.backend_id }, 'the shadow resource').to.deep.equal({ name: '', backend_id: '' });
});

Then("the order on Waldur A records Waldur B's order for the resource", async function (this: AcceptanceWorld) {
  const order = await this.waldur.a.order(this.recall<WaldurOrder>('order').uuid);
  expect(order.backend_id, "backend_id of the order on Waldur A (B's order UUID)").to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const orderB = await this.waldur.b.order(order.backend_id);
  const resourceA = await this.waldur.a.resource(this.recall<string>('resourceA'));
  expect(dashedUuid(orderB.marketplace_resource_uuid), "resource of B's order vs A's resource backend_id").to.equal(resourceA.backend_id);
  expect({ type: orderB.type, offering: hexUuid(orderB.offering_uuid) }, "B's order").to.deep.equal({ type: order.type, offering: hexUuid(federation(this).b.offering.uuid) });
});
