/**
 * The federation under test: Waldur B's organisation and Marketplace.Basic offering, Waldur A's
 * Marketplace.Slurm offering and project (the plan's setup Steps 1-2), the STOMP pre-flight, and the
 * site agent that connects them.
 */
import { After, Given } from '@cucumber/cucumber';
import { AcceptanceWorld } from '../../world/world';
import { unavailable } from './strict';
import { Side, Track, WaldurInstanceClient } from '../../world/clients/waldur';
import { AgentDriver, ComponentMapping, Federation, agentDriver } from '../../world/clients/waldur-agent';

export function federation(world: AcceptanceWorld): Federation {
  return world.recall<Federation>('federation');
}

/** The site agent of this scenario (built once, stopped after the scenario). */
export function siteAgent(world: AcceptanceWorld): AgentDriver {
  const target = world.target('waldur');
  return world.lazy('agent', () => world.remember('siteAgent', agentDriver(target, world.waldur, federation(world), world.httpLog)));
}

// Stop the agent before the registry undoes what the scenario created, so it does not act on the
// cleanup's own orders (this After hook is defined after support/hooks.ts, so it runs before it).
After({ tags: '@waldur' }, async function (this: AcceptanceWorld) {
  if (this.recalled('siteAgent')) await this.recall<AgentDriver>('siteAgent').stop();
});

export const tracker = (world: AcceptanceWorld): Track => (description, undo) => {
  world.registry.track(description, undo);
};

async function organisation(world: AcceptanceWorld, side: WaldurInstanceClient, prefix: string) {
  const customer = await side.createCustomer(world.uniqueName(prefix), tracker(world));
  await side.createServiceProvider(customer.url, tracker(world));
  const category = await side.createCategory(world.uniqueName(`${prefix}-hpc`), tracker(world));
  return { customer, categoryUrl: category.url as string };
}

Given('Waldur A and Waldur B are federated with {mapping} components', async function (this: AcceptanceWorld, mapping: ComponentMapping) {
  const { a, b } = this.waldur;
  const track = tracker(this);
  const orgB = await organisation(this, b, 'e2e-b');
  const offeringB = await b.createOffering({ name: this.uniqueName('e2e-basic'), type: 'Marketplace.Basic', components: mapping.target, ...orgB }, track);
  // Seed 000: the agent identity on B needs a Marketplace.Slurm offering of its own.
  const stompOffering = this.target('waldur').targetStomp
    ? await b.createOffering({ name: this.uniqueName('e2e-b-stomp'), type: 'Marketplace.Slurm', components: mapping.target, ...orgB }, track)
    : undefined;
  const orgA = await organisation(this, a, 'e2e-a');
  const offeringA = await a.createOffering({ name: this.uniqueName('e2e-slurm'), type: 'Marketplace.Slurm', components: mapping.source, ...orgA }, track);
  const project = await a.createProject(this.uniqueName('e2e-project'), orgA.customer.url, track);
  this.remember<Federation>('federation', {
    name: this.uniqueName('e2e-federation'),
    mapping,
    a: { offering: offeringA, project },
    b: { offering: offeringB, stompOffering },
  });
});

/** The plan's pre-flight (check_stomp_available): a plain GET on /rmqws-stomp answers 426. */
Given('{waldur} offers STOMP over WebSocket', async function (this: AcceptanceWorld, side: Side) {
  const status = await this.waldur.side(side).stompProbe();
  if (status !== 426) return unavailable(this, `Waldur ${side.toUpperCase()} answers ${status} (not 426) on /rmqws-stomp, so it offers no STOMP over WebSocket`);
  return undefined;
});
