/** Webhooks: a trigger with its own address, and what one call to it sets off. */
import { DataTable, Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Trigger } from '../../world/clients/attune';
import { eventually } from '../../world/wait';
import { createWebhookTrigger, payloadOf, thePack } from './context';

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

Then('the webhook trigger has an address of its own', function (this: AcceptanceWorld) {
  const trigger = this.recall<Trigger>('attune.trigger');
  expect(trigger.webhook_enabled, 'webhook enabled on the trigger').to.equal(true);
  expect(trigger.webhook_key, 'the webhook key (wh_ + 32 hex digits)').to.match(/^wh_[0-9a-f]{32}$/);
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
