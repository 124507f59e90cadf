/** Keys (the plan's datastore): values an action reads, plain or encrypted. */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { actionRef, thePack, trackUndo } from './context';

/** Pack-owned key refs are `<pack>.<name>`; the worker hands the pack's keys to its actions by name. */
const keyRef = (world: AcceptanceWorld, name: string) => `${thePack(world).ref}.${name}`;

Given(
  'the pack stores {json-value} under the {key-kind} {string}',
  async function (this: AcceptanceWorld, value: unknown, kind: { encrypted: boolean }, name: string) {
    const ref = keyRef(this, name);
    await this.attune.setKey({ ref, name, value, encrypted: kind.encrypted, owner: { pack: thePack(this).ref } });
    trackUndo(this, `key ${ref}`, () => this.attune.deleteKey(ref));
  },
);

When('the {fixture-action} reads the key {string}', async function (this: AcceptanceWorld, action: string, name: string) {
  const reply = await this.attune.execute(actionRef(this, action), { key_name: name });
  expect(reply.status, `running ${action} answered ${JSON.stringify(reply.body)}`).to.equal(201);
  this.remember('attune.execution', reply.body.data);
});

Then(
  'the database does not hold {string} as the value of the key {string}',
  async function (this: AcceptanceWorld, plain: string, name: string) {
    const row = await this.attune.storedKey(keyRef(this, name));
    expect(row, `a row for key ${keyRef(this, name)} in table key`).to.not.equal(null);
    expect(row!.encrypted, 'the row is marked encrypted').to.equal(true);
    expect(JSON.stringify(row!.value), 'the stored value').to.not.include(plain);
  },
);
