/**
 * Tier 3 packs: the probe pack (T3.8, T3.20), the system pack `core` seen and run by every user
 * while each user's own pack stays theirs (T3.11).
 */
import * as path from 'node:path';
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Execution } from '../../world/clients/attune';
import { describe } from '../../world/wait';
import { finished, registerFixturePack } from './context';
import { user } from './tenants';

const PROBE_PACK_DIR = path.join(__dirname, '..', '..', 'features', 'attune', 'fixtures', 'e2e_probe');
const BOTH = ['Alice', 'Bob'];

Given('a registered pack with the probe actions', async function (this: AcceptanceWorld) {
  this.remember('attune.pack', await registerFixturePack(this, this.attune, PROBE_PACK_DIR));
});

Then('Alice and Bob both see the system pack {string} when listing packs', async function (this: AcceptanceWorld, ref: string) {
  for (const name of BOTH) {
    const listed = (await user(this, name).client.listPacks()).find((p) => p.ref === ref) as { is_standard?: boolean } | undefined;
    expect(listed, `${ref} among the packs ${name} lists`).to.not.equal(undefined);
    expect(listed!.is_standard, `${ref} listed to ${name} as a standard (system) pack`).to.equal(true);
    const reply = await user(this, name).client.getPack(ref);
    expect(reply.status, `${name} reading pack ${ref}: ${describe(reply.body)}`).to.equal(200);
  }
});

When(
  'Alice and Bob each run the system action {string} with message {string}',
  async function (this: AcceptanceWorld, ref: string, message: string) {
    const started: Record<string, Execution> = {};
    for (const name of BOTH) {
      const reply = await user(this, name).client.execute(ref, { message });
      expect(reply.status, `${name} running ${ref}: ${describe(reply.body)}`).to.equal(201);
      started[name] = reply.body.data;
    }
    this.remember('attune.system-runs', started);
  },
);

Then('both executions of {string} succeeded with output {string}', async function (this: AcceptanceWorld, ref: string, output: string) {
  const started = this.recall<Record<string, Execution>>('attune.system-runs');
  for (const name of BOTH) {
    const done = await finished(user(this, name).client, started[name].id);
    expect([done.action_ref, done.status], `${name}'s execution ${done.id} (result ${describe(done.result)})`).to.deep.equal([ref, 'completed']);
    // core.echo is a text-output shell action: its output is its stdout
    expect(String(done.result?.stdout ?? '').trim(), `output of ${name}'s execution ${done.id}`).to.equal(output);
  }
});

Then("neither can see the other's execution", async function (this: AcceptanceWorld) {
  const started = this.recall<Record<string, Execution>>('attune.system-runs');
  for (const [viewer, owner] of [['Alice', 'Bob'], ['Bob', 'Alice']]) {
    const { id, action_ref } = started[owner];
    const reply = await user(this, viewer).client.getExecution(id);
    expect(reply.status, `${viewer} reading ${owner}'s execution ${id}: ${describe(reply.body)}`).to.equal(404);
    const listed = (await user(this, viewer).client.listExecutions({ action_ref })).map((e) => e.id);
    expect(listed, `${action_ref} executions ${viewer} lists`).to.include(started[viewer].id).and.not.include(id);
  }
});

Then('neither can delete the system pack {string}', async function (this: AcceptanceWorld, ref: string) {
  for (const name of BOTH) {
    const reply = await user(this, name).client.deletePack(ref);
    expect(reply.status, `${name} deleting the system pack ${ref}: ${describe(reply.body)}`).to.be.within(400, 499);
  }
  const still = await this.attune.getPack(ref);
  expect(still.status, `the system pack ${ref} after the attempts: ${describe(still.body)}`).to.equal(200);
});
