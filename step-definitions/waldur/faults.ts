/** The plan's known issues, reproduced through the operator's fault switches of Waldur A. */
import { Given } from '@cucumber/cucumber';
import { AcceptanceWorld } from '../../world/world';

Given('Waldur A answers HTTP 500 when the order is marked done', async function (this: AcceptanceWorld) {
  await this.waldur.a.fault('set_state_done_500', { times: 1 });
  this.registry.track('set_state_done_500 fault on Waldur A', () => this.waldur.a.clearFaults());
});

Given('Waldur A points the next order at a shadow resource', async function (this: AcceptanceWorld) {
  await this.waldur.a.fault('shadow_resource', { times: 1 });
  this.registry.track('shadow_resource fault on Waldur A', () => this.waldur.a.clearFaults());
});
