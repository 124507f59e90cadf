/** Resources on both sides of the federation: the link A -> B, limits, states. */
import { Then } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { WaldurResource, dashedUuid, hexUuid } from '../../world/clients/waldur';
import { federation } from './federation';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Once the agent has linked A's resource to B's, register B's project and resource for cleanup. */
export async function trackResources(world: AcceptanceWorld): Promise<void> {
  if (!world.recalled('resourceA')) return; // nothing ordered yet
  const resourceA = await world.waldur.a.resource(world.recall<string>('resourceA'));
  if (!resourceA.backend_id || world.recalled(`tracked:${resourceA.backend_id}`)) return;
  world.remember(`tracked:${resourceA.backend_id}`, true);
  const b = world.waldur.b;
  const resourceB = await b.resource(resourceA.backend_id);
  world.registry.track(`project ${resourceB.project_uuid} created on Waldur B by the site agent`, () => b.deleteProject(resourceB.project_uuid));
  world.registry.track(`resource ${resourceB.uuid} on Waldur B`, () => b.terminateAsOperator(resourceB.uuid));
}

async function resources(world: AcceptanceWorld): Promise<{ a: WaldurResource; b: WaldurResource }> {
  const a = await world.waldur.a.resource(world.recall<string>('resourceA'));
  expect(a.backend_id, "backend_id of the resource on Waldur A (B's resource UUID)").to.match(UUID);
  return { a, b: await world.waldur.b.resource(a.backend_id) };
}

// REPORT §4 (create_resource_with_id): B's resource carries A's resource name, in B's offering, in the B
// project the agent found or created with backend_id "<A customer>_<A project>".
Then("the resource on Waldur A records Waldur B's resource as its backend", async function (this: AcceptanceWorld) {
  const { a, b } = await resources(this);
  expect({ name: b.name, offering: hexUuid(b.offering_uuid) }, "B's resource at A's backend_id").to.deep.equal({ name: a.name, offering: hexUuid(federation(this).b.offering.uuid) });
  const [projectB] = await this.waldur.b.list('/api/projects/', { backend_id: `${dashedUuid(a.customer_uuid)}_${dashedUuid(a.project_uuid)}` });
  expect(projectB && hexUuid(projectB.uuid), "B's project for A's project (backend_id <A customer>_<A project>) vs the project of B's resource").to.equal(hexUuid(b.project_uuid));
});

Then('the resource on Waldur B has {int} {word}', async function (this: AcceptanceWorld, amount: number, component: string) {
  const { b } = await resources(this);
  expect(b.limits, `limits of the resource on Waldur B`).to.deep.include({ [component]: amount });
});

Then('the resource on Waldur B carries no backend ID from the site agent', async function (this: AcceptanceWorld) {
  const { b } = await resources(this);
  expect(b.backend_id, 'backend_id of the resource on Waldur B (the agent must never set it)').to.equal('');
});

Then('the resources on Waldur A and Waldur B are no longer OK', async function (this: AcceptanceWorld) {
  const { a, b } = await resources(this);
  expect(a.state, 'state of the resource on Waldur A').to.not.equal('OK');
  expect(b.state, 'state of the resource on Waldur B').to.not.equal('OK');
});

Then('the resources on Waldur A and Waldur B are OK', async function (this: AcceptanceWorld) {
  const { a, b } = await resources(this);
  expect([a.state, b.state], 'states of the resources on Waldur A and Waldur B').to.deep.equal(['OK', 'OK']);
});
