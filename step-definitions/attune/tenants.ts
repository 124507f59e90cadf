/**
 * Isolation between identities (the plan's tenants; upstream has no tenants, see T1.7's comment):
 * what one user owns, another can neither list nor reach.
 */
import { Given, Then } from '@cucumber/cucumber';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { AcceptanceWorld } from '../../world/world';
import { AttuneClient, Rule, Trigger } from '../../world/clients/attune';
import { OwnedKind } from '../../support/params-attune';
import { eventually } from '../../world/wait';
import { createRule, createWebhookTrigger, executionsOf, finished, refName, registerFixturePack, trackUndo } from './context';
import { expectEnded } from './executions';

/** A user of the scenario and the ids/refs of what they own. */
export interface User {
  id: number;
  login: string;
  client: AttuneClient;
  owns: Partial<Record<OwnedKind | 'trigger' | 'rule', string | number>>;
}

export const user = (world: AcceptanceWorld, name: string) => world.recall<User>(`attune.user.${name}`);

/** The owner's thing as `viewer` lists it: is it among what the viewer sees? */
async function listed(viewer: AttuneClient, kind: OwnedKind, owns: User['owns']): Promise<boolean> {
  const id = owns[kind];
  if (id === undefined) throw new Error(`the scenario has no ${kind} of that user`);
  switch (kind) {
    case 'pack': return (await viewer.listPacks()).some((p) => p.ref === id);
    case 'action': return (await viewer.listActions()).some((a) => a.ref === id);
    case 'execution': return (await viewer.listExecutions({ action_ref: owns.action! })).some((e) => e.id === id);
    case 'event': return (await viewer.listEvents({ trigger_ref: String(owns.trigger) })).some((e) => e.id === id);
    case 'enforcement': return (await viewer.listEnforcements({ rule_ref: String(owns.rule) })).some((e) => e.id === id);
    case 'key': return (await viewer.listKeys()).some((k) => k.ref === id);
  }
}

async function fetched(viewer: AttuneClient, kind: OwnedKind, id: string | number) {
  switch (kind) {
    case 'pack': return viewer.getPack(String(id));
    case 'action': return viewer.getAction(String(id));
    case 'execution': return viewer.getExecution(Number(id));
    case 'event': return viewer.getEvent(Number(id));
    case 'enforcement': return viewer.getEnforcement(Number(id));
    case 'key': return viewer.getKey(String(id));
  }
}

Given('two separate users, Alice and Bob', async function (this: AcceptanceWorld) {
  for (const name of ['Alice', 'Bob']) {
    const login = refName(this, name.toLowerCase());
    const password = `${randomBytes(12).toString('hex')}Aa1!`;
    const reply = await this.attune.register(login, password);
    expect(reply.status, `registering ${login} answered ${JSON.stringify(reply.body)}`).to.equal(200);
    const id = reply.body.data.user.id;
    trackUndo(this, `identity ${login}`, () => this.attune.deleteIdentity(id));
    this.remember<User>(`attune.user.${name}`, { id, login, client: this.attune.as(login, password), owns: {} });
  }
});

Given('{attune-user} registers a pack with the test actions', async function (this: AcceptanceWorld, name: string) {
  const u = user(this, name);
  const pack = await registerFixturePack(this, u.client);
  Object.assign(u.owns, { pack: pack.ref, action: `${pack.ref}.echo` });
});

Given("{attune-user}'s echo action has run through her webhook rule", async function (this: AcceptanceWorld, name: string) {
  const u = user(this, name);
  const pack = String(u.owns.pack);
  const trigger: Trigger = await createWebhookTrigger(this, u.client, pack);
  const rule: Rule = await createRule(this, u.client, { packRef: pack, actionRef: String(u.owns.action), triggerRef: trigger.ref, actionParams: { message: name } });
  const reply = await u.client.fireWebhook(trigger.webhook_key!, { from: name });
  expect(reply.status, `the webhook call answered ${JSON.stringify(reply.body)}`).to.equal(200);
  const [execution] = await executionsOf(u.client, { action_ref: String(u.owns.action) }, 1, 10_000);
  expectEnded(await finished(u.client, execution.id), 'completed');
  const [enforcement] = await eventually(() => u.client.listEnforcements({ rule_ref: rule.ref }), (l) => l.length > 0, { within: 5000, what: 'the enforcement' });
  Object.assign(u.owns, { trigger: trigger.ref, rule: rule.ref, execution: execution.id, event: enforcement.event!, enforcement: enforcement.id });
});

Given('{attune-user} keeps {json-value} under a personal key', async function (this: AcceptanceWorld, name: string, value: unknown) {
  const u = user(this, name);
  const ref = refName(this, 'key');
  await u.client.setKey({ ref, name: ref, value, owner: { identity: u.id } });
  trackUndo(this, `key ${ref}`, () => u.client.deleteKey(ref));
  u.owns.key = ref;
});

Then('{attune-user} sees her own {owned-kind} when listing them', async function (this: AcceptanceWorld, name: string, kind: OwnedKind) {
  const u = user(this, name);
  expect(await listed(u.client, kind, u.owns), `${name}'s own ${kind} ${u.owns[kind]} among what she lists`).to.equal(true);
});

Then(
  "{attune-user} does not see {attune-user}'s {owned-kind} when listing them",
  async function (this: AcceptanceWorld, viewer: string, owner: string, kind: OwnedKind) {
    const o = user(this, owner);
    expect(await listed(user(this, viewer).client, kind, o.owns), `${owner}'s ${kind} ${o.owns[kind]} among what ${viewer} lists`).to.equal(false);
  },
);

Then(
  "{attune-user} is told that {attune-user}'s {owned-kind} does not exist",
  async function (this: AcceptanceWorld, viewer: string, owner: string, kind: OwnedKind) {
    const id = user(this, owner).owns[kind]!;
    const reply = await fetched(user(this, viewer).client, kind, id);
    expect(reply.status, `${viewer} asking for ${owner}'s ${kind} ${id} got ${JSON.stringify(reply.body)}`).to.equal(404);
  },
);

Then(
  "{attune-user} is told that {attune-user}'s action does not exist when running it",
  async function (this: AcceptanceWorld, viewer: string, owner: string) {
    const ref = String(user(this, owner).owns.action);
    const reply = await user(this, viewer).client.execute(ref, { message: viewer });
    expect(reply.status, `${viewer} running ${owner}'s action ${ref} got ${JSON.stringify(reply.body)}`).to.equal(404);
  },
);

Then('{attune-user} runs her echo action to success', async function (this: AcceptanceWorld, name: string) {
  const u = user(this, name);
  const reply = await u.client.execute(String(u.owns.action), { message: name });
  expect(reply.status, `${name} running her action answered ${JSON.stringify(reply.body)}`).to.equal(201);
  expectEnded(await finished(u.client, reply.body.data.id), 'completed');
});

Then(
  "{attune-user} is told that {attune-user}'s pack does not exist, even with SQL injected into its name",
  async function (this: AcceptanceWorld, viewer: string, owner: string) {
    const ref = `${user(this, owner).owns.pack}' OR '1'='1`;
    const reply = await user(this, viewer).client.getPack(ref);
    expect(reply.status, `${viewer} asking for pack ${ref} got ${JSON.stringify(reply.body)}`).to.equal(404);
  },
);

/** The same JWT with its claims changed and its signature kept, as an attacker would try. */
function forged(token: string, claims: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const changed = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), ...claims };
  return [header, Buffer.from(JSON.stringify(changed)).toString('base64url'), signature].join('.');
}

Then(
  "{attune-user}'s token, altered to claim {attune-user}'s identity, is refused as unauthorized \\(401)",
  async function (this: AcceptanceWorld, attacker: string, victim: string) {
    const v = user(this, victim);
    const token = forged(await user(this, attacker).client.accessToken(), { sub: String(v.id), login: v.login });
    const reply = await this.attune.withToken(token).getPack(String(v.owns.pack));
    expect(reply.status, `a forged token asking for ${victim}'s pack got ${JSON.stringify(reply.body)}`).to.equal(401);
  },
);
