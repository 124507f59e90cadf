/** Order events published by Waldur A, captured on a queue of the suite's own (like the plan's MessageCapture). */
import { Given, Then } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { StompCapture } from '../../world/capture/stomp';
import { WaldurOrder, hexUuid } from '../../world/clients/waldur';
import { federation, tracker } from './federation';
import { holdsFor } from '../../world/wait';

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
  // Every announcement for the order so far, in the order Waldur A published them: each state once
  // and in the order's lifecycle, none ahead of what A itself holds.
  const lifecycle = ['pending-consumer', 'pending-provider', 'executing', 'done'];
  const announcedSoFar = () => capture.frames().filter((f) => hexUuid(String(f.json?.order_uuid ?? '')) === hexUuid(order.uuid)).map((f) => String(f.json?.order_state));
  const inLifecycle = (list: string[]) => list.join() === [...new Set(list)].sort((x, y) => lifecycle.indexOf(x) - lifecycle.indexOf(y)).join();
  // A second announcement would follow the first within milliseconds (one ordered delivery chain); a second is ample.
  const announced = await holdsFor(announcedSoFar, inLifecycle, 1000, { every: 100, what: `order events for ${order.uuid} (first ${JSON.stringify(frame.json)}) announcing each state once, in lifecycle order` });
  const held = (await this.waldur.a.order(order.uuid)).state;
  const ahead = announced.filter((s) => lifecycle.includes(held) && lifecycle.indexOf(s) > lifecycle.indexOf(held));
  expect(ahead, `states announced for order ${order.uuid} ahead of the ${held} Waldur A holds`).to.deep.equal([]);
});
