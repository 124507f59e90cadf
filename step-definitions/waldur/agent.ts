/** The site agent: starting it in a mode, running its processor, and its STOMP connections. */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { eventually } from '../../world/wait';
import { AgentConnection, OrderRun } from '../../world/clients/waldur-agent';
import { federation, siteAgent } from './federation';

const targetStompWanted = (world: AcceptanceWorld): boolean =>
  world.recalled('targetStompOff') ? false : world.target('waldur').targetStomp;

Given("the site agent's STOMP connection to Waldur B is switched off", function (this: AcceptanceWorld) {
  this.remember('targetStompOff', true);
});

Given('the site agent processes orders by polling', async function (this: AcceptanceWorld) {
  this.remember('agentStart', await siteAgent(this).startPolling());
});

Given('the site agent processes events', async function (this: AcceptanceWorld) {
  const agent = siteAgent(this);
  this.registry.track("the site agent's identities and event subscriptions on Waldur A and B", () => agent.removeRegistrations());
  this.remember('agentStart', await agent.startEvents(targetStompWanted(this)));
});

Then("the order processor serves Waldur A's offering with Waldur B as its backend", function (this: AcceptanceWorld) {
  const started = this.recall<{ offerings: { offering_uuid: string; backend?: { target_offering_uuid: string } }[] }>('agentStart');
  const fed = federation(this);
  const processors = started.offerings ?? [];
  expect(processors.map((p) => p.offering_uuid), 'offerings the processor serves').to.deep.equal([fed.a.offering.uuid]);
  if (this.target('waldur').agent.kind === 'embedded') {
    expect(processors[0].backend?.target_offering_uuid, "the processor's backend offering on Waldur B").to.equal(fed.b.offering.uuid);
  }
});

Then('the order was completed on a later processor cycle than the one that submitted it', function (this: AcceptanceWorld) {
  const run = this.recall<OrderRun>('run');
  expect(run.cycles, `cycles the processor needed (final state ${run.state})`).to.be.greaterThan(1);
});

async function connectionsOf(world: AcceptanceWorld, role: 'source' | 'target'): Promise<AgentConnection[] | 'skipped'> {
  const all = await siteAgent(world).connections();
  if (all === null) {
    world.log('skipped: a waldur_site_agent command does not show its STOMP connections');
    return 'skipped';
  }
  return all.filter((c) => c.side === role);
}

Then('the site agent holds the configured number of {stompRole} STOMP connections, all connected', async function (this: AcceptanceWorld, role: 'source' | 'target') {
  const { stomp } = this.target('waldur');
  const expected = role === 'source' ? stomp.sourceConnections : stomp.targetConnections;
  const first = await connectionsOf(this, role);
  if (first === 'skipped') return 'skipped';
  const seen = await eventually(
    async () => (await connectionsOf(this, role)) as AgentConnection[],
    (cs) => cs.length === expected && cs.every((c) => c.is_connected),
    { within: 15_000, every: 100, what: `${expected} connected ${role} STOMP connections` },
  );
  expect(seen.length, `${role} STOMP connections (config waldur.stomp)`).to.equal(expected);
  return undefined;
});

Then('the {stompRole} STOMP connections listen for {objectTypes}', async function (this: AcceptanceWorld, role: 'source' | 'target', types: string[]) {
  const seen = await connectionsOf(this, role);
  if (seen === 'skipped') return 'skipped';
  expect(seen.map((c) => c.object_type).sort(), `object types of the ${role} STOMP connections`).to.deep.equal([...types].sort());
  return undefined;
});

/** The broker connections a forced drop closed: the agent's subscription (its broker user) and their names. */
interface DroppedConnection {
  user: string;
  names: string[];
}

// Known issue 4: the operator drops the connection on the broker (RabbitMQ management API), which lists
// connections only at its stats interval, hence the waits.
When("the broker drops the site agent's {stompRole} STOMP connection for orders", async function (this: AcceptanceWorld, role: 'source' | 'target') {
  const first = await connectionsOf(this, role);
  if (first === 'skipped') return 'skipped';
  const order = await eventually(
    async () => ((await connectionsOf(this, role)) as AgentConnection[]).find((c) => c.object_type === 'order'),
    (c) => !!c?.is_connected,
    { within: 15_000, every: 100, what: `the site agent's connected ${role} STOMP connection for orders` },
  );
  const user = order!.subscription_uuid;
  const listed = await eventually(() => this.waldur.broker.connections(), (cs) => cs.some((c) => c.user === user), {
    within: 30_000,
    every: 250,
    what: `the broker listing the connection of broker user ${user}`,
  });
  const names = listed.filter((c) => c.user === user).map((c) => c.name);
  for (const name of names) await this.waldur.broker.dropConnection(name);
  this.remember<DroppedConnection>('droppedConnection', { user, names });
  return undefined;
});

Then('the site agent reconnects its {stompRole} STOMP connection for orders', async function (this: AcceptanceWorld, role: 'source' | 'target') {
  const { user, names } = this.recall<DroppedConnection>('droppedConnection');
  // A new connection of the same broker user (a new name: a new client port) replaces the dropped one.
  await eventually(() => this.waldur.broker.connections(), (cs) => !cs.some((c) => names.includes(c.name)) && cs.some((c) => c.user === user), {
    within: 30_000,
    every: 250,
    what: `a new broker connection of user ${user} in place of the dropped ${names.join(', ')}`,
  });
  await eventually(
    async () => ((await connectionsOf(this, role)) as AgentConnection[]).find((c) => c.subscription_uuid === user),
    (c) => !!c?.is_connected,
    { within: 15_000, every: 100, what: `the site agent reporting its ${role} STOMP connection for orders connected again` },
  );
});

Then('the site agent holds no target STOMP connections', async function (this: AcceptanceWorld) {
  const seen = await connectionsOf(this, 'target');
  if (seen === 'skipped') return 'skipped';
  expect(seen, 'target STOMP connections of an agent with target STOMP off').to.deep.equal([]);
  return undefined;
});
