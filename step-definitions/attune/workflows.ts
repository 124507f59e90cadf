/** Workflows: with_items fan-out into child executions. */
import { Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Execution, ExecutionStatus } from '../../world/clients/attune';
import { eventually } from '../../world/wait';
import { actionRef, executionsOf, finished, notifications } from './context';
import { expectEnded } from './executions';

const itemsOf = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);

When('the {fixture-action} runs with the items {string}', async function (this: AcceptanceWorld, action: string, items: string) {
  const reply = await this.attune.execute(actionRef(this, action), { items: itemsOf(items) });
  expect(reply.status, `running ${action} answered ${JSON.stringify(reply.body)}`).to.equal(201);
  this.remember('attune.execution', reply.body.data);
});

Then('it started {int} child executions, each with the workflow as parent', async function (this: AcceptanceWorld, count: number) {
  const parent = this.recall<Execution>('attune.execution');
  const children = await executionsOf(this.attune, { parent: parent.id }, count, 10_000);
  expect(children.map((c) => c.parent), `parents of the children of execution ${parent.id}`).to.deep.equal(Array(count).fill(parent.id));
  this.remember('attune.children', children);
});

Then('the children received the items {string}, one each', async function (this: AcceptanceWorld, items: string) {
  const children = await Promise.all(this.recall<Execution[]>('attune.children').map((c) => this.attune.execution(c.id)));
  const received = children.map((c) => c.config?.message);
  expect([...received].sort(), `items the children received: ${JSON.stringify(received)}`).to.deep.equal(itemsOf(items).sort());
});

Then('every child execution has {execution-status}', async function (this: AcceptanceWorld, status: ExecutionStatus) {
  for (const child of this.recall<Execution[]>('attune.children')) expectEnded(await finished(this.attune, child.id), status);
});

Then('the workflow was running while its children ran', async function (this: AcceptanceWorld) {
  const parent = this.recall<Execution>('attune.execution');
  const children = this.recall<Execution[]>('attune.children');
  const capture = notifications(this);
  const first = (id: number, status: string) =>
    capture.buffer.all().findIndex((n) => n.entity_type === 'execution' && n.entity_id === id && n.payload?.status === status);
  const order = await eventually(
    () => ({
      parentRunning: first(parent.id, 'running'),
      parentDone: first(parent.id, 'completed'),
      childrenDone: children.map((c) => first(c.id, 'completed')),
    }),
    (o) => o.parentRunning >= 0 && o.parentDone >= 0 && o.childrenDone.every((i) => i >= 0),
    { within: 5000, every: 100, what: 'notifications of the workflow and its children running and completing' },
  );
  const lastChild = Math.max(...order.childrenDone);
  expect(order.parentRunning, `the workflow announced running (notification #${order.parentRunning}) before its children completed (#${order.childrenDone})`).to.be.below(Math.min(...order.childrenDone));
  expect(order.parentDone, `the workflow completed (notification #${order.parentDone}) only after its last child (#${lastChild})`).to.be.above(lastChild);
});
