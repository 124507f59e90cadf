/**
 * Tier 3 security: permission sets (T3.10) and per-user rate limiting (T3.29). Users are created by
 * the operator (the admin of the target config) and removed with their undo.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { AcceptanceWorld } from '../../world/world';
import { ApiReply, AttuneClient } from '../../world/clients/attune';
import { assignPermissionSet, createAdhocAction, createIdentity, listPermissionSets } from '../../world/clients/attune-tier3';
import { describe } from '../../world/wait';
import { finished, refName, thePack, trackUndo } from './context';

interface StaffUser { id: number; login: string; client: AttuneClient }
const staff = (world: AcceptanceWorld) => world.recall<StaffUser>('attune.staff');

async function operatorCreatesUser(world: AcceptanceWorld, attributes: Record<string, unknown> = {}): Promise<StaffUser> {
  const login = refName(world, 'user');
  const password = `${randomBytes(12).toString('hex')}Aa1!`;
  const reply = await createIdentity(world.attune, login, password, attributes);
  expect(reply.status, `creating identity ${login} answered ${describe(reply.body)}`).to.equal(201);
  const id = reply.body.data.id;
  trackUndo(world, `identity ${login}`, () => world.attune.deleteIdentity(id));
  return world.remember('attune.staff', { id, login, client: world.attune.as(login, password) });
}

async function grant(world: AcceptanceWorld, user: StaffUser, role: string): Promise<void> {
  const sets = await listPermissionSets(world.attune);
  expect(sets.status, `listing permission sets answered ${describe(sets.body)}`).to.equal(200);
  const ref = `core.${role}`;
  expect(sets.body.items.map((s: { ref: string }) => s.ref), 'permission sets of the target').to.include(ref);
  const reply = await assignPermissionSet(world.attune, user.id, ref);
  expect(reply.status, `assigning ${ref} to ${user.login} answered ${describe(reply.body)}`).to.equal(201);
}

Given('a user with the {role} role', async function (this: AcceptanceWorld, role: string) {
  await grant(this, await operatorCreatesUser(this), role);
  this.remember('attune.role', role);
});

When('that user tries to {rbac-operation}', async function (this: AcceptanceWorld, operation: string) {
  const { client } = staff(this);
  const pack = thePack(this).ref;
  const target = this.recall<string>('attune.adhoc');
  const fresh = `${pack}.${refName(this, 'made')}`;
  let reply: ApiReply;
  switch (operation) {
    case 'view the actions': reply = await client.call('get', '/api/v1/actions', undefined, { page_size: 100 }); break;
    case 'create an action':
      reply = await createAdhocAction(client, { ref: fresh, packRef: pack, shell: 'true' });
      if (reply.status === 201) trackUndo(this, `action ${fresh}`, () => this.attune.call('delete', `/api/v1/actions/${fresh}`));
      break;
    case 'create an action with an invalid definition': reply = await client.call('post', '/api/v1/actions', { ref: fresh, pack_ref: pack }); break;
    case 'update an action': reply = await client.call('put', `/api/v1/actions/${target}`, { label: 'changed by the user' }); break;
    case 'delete an action': reply = await client.call('delete', `/api/v1/actions/${target}`); break;
    case 'run an action': reply = await client.execute(target, {}); break;
    default: throw new Error(`unknown operation "${operation}"`);
  }
  this.remember('attune.attempt', { operation, reply, fresh, target });
});

Then('the attempt is {rbac-outcome}', async function (this: AcceptanceWorld, outcome: 'allowed' | 'forbidden' | 'invalid') {
  const { operation, reply, fresh, target } = this.recall<{ operation: string; reply: ApiReply; fresh: string; target: string }>('attune.attempt');
  const role = this.recall<string>('attune.role');
  const said = `${role} trying to ${operation} got ${reply.status} ${describe(reply.body)}`;
  if (outcome === 'forbidden') {
    expect(reply.status, said).to.equal(403);
    expect(String(reply.body?.error ?? ''), `the refusal names what is missing (${said})`).to.match(/permission/i).and.to.match(/actions:\w+/);
  } else if (outcome === 'invalid') {
    expect(reply.status, said).to.be.oneOf([400, 422]);
  } else {
    expect(reply.status, said).to.be.within(200, 201);
  }
  // What the target really holds afterwards, as the operator sees it.
  const admin = this.attune;
  const exists = async (ref: string) => (await admin.getAction(ref)).status === 200;
  switch (operation) {
    case 'view the actions':
      if (outcome === 'allowed') expect(reply.body.items.map((a: { ref: string }) => a.ref), 'actions the user sees').to.include(target);
      break;
    case 'create an action':
    case 'create an action with an invalid definition':
      expect(await exists(fresh), `action ${fresh} exists after ${said}`).to.equal(outcome === 'allowed');
      break;
    case 'update an action':
      expect((await admin.getAction(target)).body.data.label === 'changed by the user', `label of ${target} changed after ${said}`).to.equal(outcome === 'allowed');
      break;
    case 'delete an action':
      expect(await exists(target), `action ${target} still exists after ${said}`).to.equal(outcome !== 'allowed');
      break;
    case 'run an action': {
      const executions = await admin.listExecutions({ action_ref: target });
      expect(executions.length, `executions of ${target} after ${said}`).to.equal(outcome === 'allowed' ? 1 : 0);
      if (outcome === 'allowed') expect((await finished(admin, executions[0].id)).status, 'the permitted execution').to.equal('completed');
      break;
    }
  }
});

// ---- rate limiting (T3.29) ------------------------------------------------------------------------

Given('a user limited to {int} requests per second', async function (this: AcceptanceWorld, requests: number) {
  await operatorCreatesUser(this, { rate_limit: { requests, window_seconds: 1 } });
  this.remember('attune.limit', requests);
});

Given('that user holds the admin role', async function (this: AcceptanceWorld) {
  await grant(this, staff(this), 'admin');
});

When('that user makes {int} requests at once', async function (this: AcceptanceWorld, count: number) {
  const { client } = staff(this);
  await client.accessToken(); // log in first: the burst is API calls only
  const started = Date.now();
  const replies = await Promise.all(Array.from({ length: count }, () => client.call('get', '/api/v1/packs', undefined, { page_size: 1 })));
  this.remember('attune.burst', { replies, ms: Date.now() - started });
});

Then('only the first {int} succeed and the rest are refused with 429 and a Retry-After', function (this: AcceptanceWorld, allowed: number) {
  const { replies, ms } = this.recall<{ replies: ApiReply[]; ms: number }>('attune.burst');
  const ok = replies.filter((r) => r.status === 200).length;
  const limited = replies.filter((r) => r.status === 429);
  const other = replies.filter((r) => r.status !== 200 && r.status !== 429).map((r) => `${r.status} ${describe(r.body)}`);
  expect(other, 'answers other than 200 or 429').to.deep.equal([]);
  // A burst that took longer than one window may have earned a second allowance.
  const windows = Math.max(1, Math.ceil(ms / 1000));
  expect(ok, `successful requests in a burst of ${replies.length} over ${ms} ms (${windows} window(s))`).to.be.within(allowed, allowed * windows);
  expect(limited.length, 'requests refused with 429').to.equal(replies.length - ok);
  for (const r of limited) {
    const retry = Number(r.headers?.['retry-after']);
    expect(Number.isInteger(retry) && retry >= 1 && retry <= 1, `Retry-After of a 429 (headers ${describe(r.headers)})`).to.equal(true);
    expect(String(r.body?.error ?? ''), 'the 429 says why').to.match(/rate limit/i);
  }
  this.remember('attune.retry-after', Math.max(...limited.map((r) => Number(r.headers?.['retry-after']))));
});

Then('once the Retry-After has passed, {int} more requests succeed', async function (this: AcceptanceWorld, count: number) {
  const { client } = staff(this);
  const wait = this.recall<number>('attune.retry-after') * 1000;
  // Honouring Retry-After is the behaviour under test: the client is told to wait that long.
  await new Promise((resolve) => setTimeout(resolve, wait));
  const replies: ApiReply[] = [];
  for (let i = 0; i < count; i++) replies.push(await client.call('get', '/api/v1/packs', undefined, { page_size: 1 }));
  expect(replies.map((r) => r.status), `answers after waiting ${wait} ms`).to.deep.equal(Array(count).fill(200));
});

Then('none of them is refused', function (this: AcceptanceWorld) {
  const { replies } = this.recall<{ replies: ApiReply[] }>('attune.burst');
  expect(replies.map((r) => r.status).filter((s) => s !== 200), 'answers other than 200 for an admin').to.deep.equal([]);
});

Then('an admin of the target is never throttled either', async function (this: AcceptanceWorld) {
  const replies = await Promise.all(Array.from({ length: 30 }, () => this.attune.call('get', '/api/v1/packs', undefined, { page_size: 1 })));
  expect(replies.map((r) => r.status).filter((s) => s !== 200), 'answers other than 200 for the operator').to.deep.equal([]);
});
