/** Webhooks: a trigger with its own address, and what one call to it sets off. */
import { DataTable, Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Rule, Trigger } from '../../world/clients/attune';
import { eventually } from '../../world/wait';
import { actionRef, createRule, createWebhookTrigger, payloadOf, thePack } from './context';

Given('a webhook trigger', async function (this: AcceptanceWorld) {
  await createWebhookTrigger(this, this.attune, thePack(this).ref);
});

When('the webhook receives:', async function (this: AcceptanceWorld, table: DataTable) {
  const trigger = this.recall<Trigger>('attune.trigger');
  const payload = this.remember('attune.payload', payloadOf(table.rowsHash()));
  const reply = await this.attune.fireWebhook(trigger.webhook_key!, payload);
  expect(reply.status, `the webhook call answered ${JSON.stringify(reply.body)}`).to.equal(200);
  // The call answers with the event it recorded.
  this.remember('attune.events', [{ id: reply.body?.data?.event_id }]);
});

/** A second webhook trigger of the pack with a rule of its own; the trigger and rule in focus stay as they were. */
Given('another webhook trigger whose rule runs the {fixture-action}', async function (this: AcceptanceWorld, action: string) {
  const focus = { trigger: this.recall<Trigger>('attune.trigger'), rule: this.recall<Rule>('attune.rule') };
  const trigger = await createWebhookTrigger(this, this.attune, thePack(this).ref);
  const rule = await createRule(this, this.attune, { packRef: thePack(this).ref, actionRef: actionRef(this, action), triggerRef: trigger.ref, actionParams: { message: 'other' } });
  this.remember('attune.other', { trigger, rule });
  this.remember('attune.trigger', focus.trigger);
  this.remember('attune.rule', focus.rule);
});

Then('each webhook trigger has an address of its own', function (this: AcceptanceWorld) {
  const mine = this.recall<Trigger>('attune.trigger');
  const { trigger: other } = this.recall<{ trigger: Trigger }>('attune.other');
  for (const t of [mine, other]) {
    expect(t.webhook_enabled, `webhook enabled on ${t.ref}`).to.equal(true);
    expect(t.webhook_key, `the webhook key of ${t.ref} (wh_ + 32 hex digits)`).to.match(/^wh_[0-9a-f]{32}$/);
  }
  expect(other.webhook_key, `the keys of ${mine.ref} and ${other.ref}`).to.not.equal(mine.webhook_key);
});

Then("the other webhook trigger recorded no event and its rule ran nothing", async function (this: AcceptanceWorld) {
  const { trigger, rule } = this.recall<{ trigger: Trigger; rule: Rule }>('attune.other');
  // Asked once the posted call's own execution has finished: a call that reached both triggers
  // recorded both events in the same request.
  expect((await this.attune.listEvents({ trigger_ref: trigger.ref })).map((e) => `${e.id} at ${e.created}`), `events of the other trigger ${trigger.ref}`).to.deep.equal([]);
  expect((await this.attune.listEnforcements({ rule_ref: rule.ref })).map((e) => e.id), `enforcements of the other trigger's rule ${rule.ref}`).to.deep.equal([]);
  expect((await this.attune.listExecutions({ rule_ref: rule.ref })).map((e) => `${e.id} ${e.action_ref}`), `executions of the other trigger's rule ${rule.ref}`).to.deep.equal([]);
});

Then('exactly one event is recorded for the trigger, carrying the posted payload', async function (this: AcceptanceWorld) {
  const trigger = this.recall<Trigger>('attune.trigger');
  const named = this.recall<{ id: number }[]>('attune.events').map((e) => e.id);
  const events = await this.attune.listEvents({ trigger_ref: trigger.ref });
  expect(events.map((e) => e.id), `events of ${trigger.ref} right after the call (the call named event ${named})`).to.deep.equal(named);
  const event = await eventually(
    async () => (await this.attune.getEvent(events[0].id)).body?.data,
    (e) => e !== undefined,
    { within: 2000, what: `event ${events[0].id}` },
  );
  expect(event.payload, 'the event payload').to.deep.equal(this.recall('attune.payload'));
});
