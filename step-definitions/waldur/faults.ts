/**
 * The plan's known issues, reproduced through the operator's fault switches of Waldur A. Each switch
 * covers only this scenario's own offering or resource, so parallel scenarios on a shared Waldur never
 * meet it, and its cleanup removes that one switch.
 */
import { Given } from '@cucumber/cucumber';
import { AcceptanceWorld } from '../../world/world';
import { FaultName, FaultScope } from '../../world/clients/waldur';
import { federation } from './federation';

async function arm(world: AcceptanceWorld, name: FaultName, scope: FaultScope, what: string): Promise<void> {
  const uuid = await world.waldur.a.fault(name, scope, { times: 1 });
  world.registry.track(`${name} fault switch ${uuid} on Waldur A (${what})`, () => world.waldur.a.clearFault(uuid));
}

Given('Waldur A answers HTTP 500 when the order is marked done', async function (this: AcceptanceWorld) {
  const offering = federation(this).a.offering;
  await arm(this, 'set_state_done_500', { offering_uuid: offering.uuid }, `offering ${offering.uuid}`);
});

Given('Waldur A points the next order at a shadow resource', async function (this: AcceptanceWorld) {
  const resource = this.recall<string>('resourceA');
  await arm(this, 'shadow_resource', { resource_uuid: resource }, `resource ${resource}`);
});
