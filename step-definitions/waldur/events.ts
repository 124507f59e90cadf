/** Order events published by Waldur A, captured on a queue of the suite's own (like the plan's MessageCapture). */
import { Given, Then } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { StompCapture } from '../../world/capture/stomp';
import { WaldurOrder, hexUuid } from '../../world/clients/waldur';
import { federation, tracker } from './federation';

Given("the order events of Waldur A's offering are captured", async function (this: AcceptanceWorld) {
  const a = this.waldur.a;
  const sub = await a.subscribeToEvents(federation(this).a.offering.uuid, 'order', this.uniqueName('e2e-capture'), tracker(this));
  const capture = await StompCapture.connect(a.stompUrl(), { login: sub.login, passcode: a.instance.token, host: sub.vhost });
  this.remember('orderEventsA', this.lazy('orderEventsA', () => capture));
  await capture.subscribe(`/amq/queue/${sub.queue}`);
});

Then('an order event from Waldur A announces the order as {orderState}', async function (this: AcceptanceWorld, state: string) {
  const capture = this.recall<StompCapture>('orderEventsA');
  const order = this.recall<WaldurOrder>('order');
  const frame = await capture.waitFor((f) => hexUuid(String(f.json?.order_uuid ?? '')) === hexUuid(order.uuid) && f.json?.order_state === state, {
    within: 30_000,
    what: `order event for ${order.uuid} in state ${state}`,
  });
  expect(frame.json, 'the order event').to.include({ order_state: state });
});
