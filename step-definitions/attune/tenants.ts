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
import { createRule, createWebhookTrigger, executionsOf, finished, outputOf, refName, registerFixturePack, trackUndo } from './context';
import { expectEnded } from './executions';

/** A user of the scenario and the ids/refs of what they own. */
export interface User {
  id: number;
  login: string;
  client: AttuneClient;
  owns: Partial<Record<OwnedKind, string | number>>;
  /** The value of the key the user keeps. */
  keyValue?: unknown;
}

export const user = (world: AcceptanceWorld, name: string) => world.recall<User>(`attune.user.${name}`);

/** Where each kind is listed, its page-size parameter, and the field that names an item. */
const LISTS: Record<OwnedKind, { url: string; size: string; key: 'ref' | 'id' }> = {
  pack: { url: '/api/v1/packs', size: 'page_size', key: 'ref' },
  action: { url: '/api/v1/actions', size: 'page_size', key: 'ref' },
  workflow: { url: '/api/v1/workflows', size: 'page_size', key: 'ref' },
  trigger: { url: '/api/v1/triggers', size: 'page_size', key: 'ref' },
  rule: { url: '/api/v1/rules', size: 'page_size', key: 'ref' },
  execution: { url: '/api/v1/executions', size: 'page_size', key: 'id' },
  event: { url: '/api/v1/events', size: 'per_page', key: 'id' },
  enforcement: { url: '/api/v1/enforcements', size: 'per_page', key: 'id' },
  key: { url: '/api/v1/keys', size: 'per_page', key: 'ref' },
};

/** The names (refs or ids) `viewer` gets from one list call; any answer but 200 with a list is a failure. */
async function names(viewer: AttuneClient, kind: OwnedKind, filter: Record<string, unknown> = {}): Promise<(string | number)[]> {
  const { url, size, key } = LISTS[kind];
  const reply = await viewer.call('get', url, undefined, { [size]: 100, ...filter });
  const items = reply.body?.items ?? reply.body?.data;
  if (reply.status !== 200 || !Array.isArray(items)) throw new Error(`listing ${kind}s answered ${reply.status} ${JSON.stringify(reply.body)}`);
  return items.map((i: Record<string, string | number>) => i[key]);
}

/** The filter a list of `kind` is narrowed to the owner's things with, if it has one. */
function ownFilter(kind: OwnedKind, owns: User['owns']): Record<string, unknown> | undefined {
  switch (kind) {
    case 'execution': return { action_ref: owns.action };
    case 'event': return { trigger_ref: owns.trigger };
    case 'enforcement': return { rule_ref: owns.rule };
    default: return undefined;
  }
}

/** The owner's thing as `viewer` lists it, unfiltered and (where the list has one) filtered to it. */
async function listed(viewer: AttuneClient, kind: OwnedKind, owns: User['owns']): Promise<boolean> {
  const id = owns[kind];
  if (id === undefined) throw new Error(`the scenario has no ${kind} of that user`);
  const filter = ownFilter(kind, owns);
  const lists = [await names(viewer, kind), ...(filter ? [await names(viewer, kind, filter)] : [])];
  return lists.some((l) => l.includes(id));
}

async function fetched(viewer: AttuneClient, kind: OwnedKind, id: string | number) {
  switch (kind) {
    case 'pack': return viewer.getPack(String(id));
    case 'action': return viewer.getAction(String(id));
    case 'workflow': return viewer.getWorkflow(String(id));
    case 'trigger': return viewer.call('get', `/api/v1/triggers/${encodeURIComponent(String(id))}`);
    case 'rule': return viewer.call('get', `/api/v1/rules/${encodeURIComponent(String(id))}`);
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
  Object.assign(u.owns, { pack: pack.ref, action: `${pack.ref}.echo`, workflow: `${pack.ref}.process_items` });
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

Given(
  '{attune-user} keeps {json-value} under a personal {key-kind}',
  async function (this: AcceptanceWorld, name: string, value: unknown, kind: { encrypted: boolean }) {
    const u = user(this, name);
    const ref = refName(this, 'key');
    await u.client.setKey({ ref, name: ref, value, encrypted: kind.encrypted, owner: { identity: u.id } });
    trackUndo(this, `key ${ref}`, () => u.client.deleteKey(ref));
    Object.assign(u, { keyValue: value });
    u.owns.key = ref;
  },
);

/** Run `viewer`'s key reader action (the platform's datastore helper, with the execution's token) on a key ref. */
async function readThroughAction(world: AcceptanceWorld, viewer: User, keyRef: string): Promise<unknown> {
  const reply = await viewer.client.execute(`${viewer.owns.pack}.read_key`, { key_name: keyRef });
  expect(reply.status, `running the key reader answered ${JSON.stringify(reply.body)}`).to.equal(201);
  const done = await finished(viewer.client, reply.body.data.id);
  expectEnded(done, 'completed');
  return outputOf(done);
}

Then("{attune-user}'s key reader action reads {attune-user}'s key as {json-value}", async function (this: AcceptanceWorld, reader: string, owner: string, value: unknown) {
  const key = String(user(this, owner).owns.key);
  expect(await readThroughAction(this, user(this, reader), key), `what ${reader}'s action read from ${owner}'s key ${key}`).to.deep.equal(value);
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

/** What an attacker appends to a value that a careless query would splice into its SQL. */
const INJECTIONS = ["' OR '1'='1", "' OR 1=1 --", "'; UPDATE attune.key SET value = '\"pwned\"'; --", '" OR ""="'];

Then(
  "SQL that {attune-user} injects into list filters shows him nothing of {attune-user}'s",
  async function (this: AcceptanceWorld, viewer: string, owner: string) {
    const v = user(this, viewer);
    const o = user(this, owner);
    const leaks: string[] = [];
    for (const sql of INJECTIONS) {
      const filters: [OwnedKind, Record<string, string>][] = [
        ['execution', { action_ref: `${o.owns.action}${sql}` }],
        ['event', { trigger_ref: `${o.owns.trigger ?? 'x'}${sql}` }],
        ['enforcement', { rule_ref: `x${sql}` }],
        ['rule', { pack_ref: `${o.owns.pack}${sql}` }],
      ];
      for (const [kind, filter] of filters) {
        const reply = await v.client.call('get', LISTS[kind].url, undefined, { [LISTS[kind].size]: 100, ...filter });
        const items: Record<string, unknown>[] = reply.body?.items ?? reply.body?.data ?? [];
        if (reply.status >= 500 || (reply.status === 200 && items.length > 0)) leaks.push(`${kind}s ${JSON.stringify(filter)} -> ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
      }
    }
    expect(leaks, `lists ${viewer} got with SQL in their filters (each should be empty or refused with a 4xx)`).to.deep.equal([]);
  },
);

Then(
  "SQL that {attune-user} injects into a key he stores changes nothing of {attune-user}'s",
  async function (this: AcceptanceWorld, attacker: string, owner: string) {
    const a = user(this, attacker);
    const o = user(this, owner);
    // A key whose value and name carry SQL is stored as text (or refused), never run.
    const ref = refName(this, 'key');
    const reply = await a.client.call('post', '/api/v1/keys', {
      ref, name: `${ref}${INJECTIONS[2]}`, value: `x${INJECTIONS[2]}`, owner_type: 'identity', owner_identity: a.id,
    });
    if (reply.status < 300) trackUndo(this, `key ${ref}`, () => a.client.deleteKey(ref));
    expect(reply.status, `storing a key with SQL in its name and value answered ${JSON.stringify(reply.body)}`).to.be.oneOf([201, 400, 422]);
    const bad = await a.client.call('post', '/api/v1/keys', { ref: `x${INJECTIONS[2]}`, name: 'x', value: 'x', owner_type: 'identity', owner_identity: a.id });
    expect(bad.status, `a key ref carrying SQL answered ${JSON.stringify(bad.body)}`).to.be.oneOf([400, 422]);
    // The owner's key still holds its value, and only she sees it.
    const mine = await o.client.getKey(String(o.owns.key));
    expect([mine.status, mine.body?.data?.value], `${owner}'s key ${o.owns.key} read back by ${owner}`).to.deep.equal([200, o.keyValue]);
    expect(await listed(a.client, 'key', o.owns), `${owner}'s key among what ${attacker} lists`).to.equal(false);
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
