/**
 * Tier 3 executions: parameter validation before scheduling (T3.13) and paging through the
 * execution history (T3.22), on ad-hoc shell actions of the scenario's own pack.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Execution, Trigger } from '../../world/clients/attune';
import { createAdhocAction, deleteAction, executionPage } from '../../world/clients/attune-tier3';
import { describe, eventually } from '../../world/wait';
import { createRule, executionsOf, finished, notifications, refName, statusesOf, thePack, trackUndo } from './context';

async function adhoc(world: AcceptanceWorld, shell: string, params: Record<string, { type: string; required?: boolean }> = {}): Promise<string> {
  const packRef = thePack(world).ref;
  const ref = `${packRef}.${refName(world, 'adhoc')}`;
  const reply = await createAdhocAction(world.attune, { ref, packRef, shell, params });
  expect(reply.status, `creating action ${ref} answered ${describe(reply.body)}`).to.equal(201);
  trackUndo(world, `action ${ref}`, () => deleteAction(world.attune, ref));
  return world.remember('attune.adhoc', ref);
}

Given('an action of the pack that requires the parameter {string}', async function (this: AcceptanceWorld, name: string) {
  await adhoc(this, `printf 'fetched %s\\n' "$${name}"`, { [name]: { type: 'string', required: true } });
});

Given('an action of the pack that does nothing', async function (this: AcceptanceWorld) {
  await adhoc(this, 'true');
});

When('I run that action without any parameters', async function (this: AcceptanceWorld) {
  const reply = await this.attune.execute(this.recall<string>('attune.adhoc'), {});
  expect(reply.status, `running the action answered ${describe(reply.body)}`).to.equal(201);
  this.remember('attune.execution', reply.body.data);
});

Given('a rule that runs that action without any parameters on that trigger', async function (this: AcceptanceWorld) {
  await createRule(this, this.attune, { packRef: thePack(this).ref, actionRef: this.recall<string>('attune.adhoc'), triggerRef: this.recall<Trigger>('attune.trigger').ref });
});

Then("the rule's execution is the one in focus", async function (this: AcceptanceWorld) {
  const [execution] = await executionsOf(this.attune, { rule_ref: this.recall<{ ref: string }>('attune.rule').ref }, 1, 10_000);
  this.remember('attune.execution', execution);
});

Then('that execution failed at once saying {string}', async function (this: AcceptanceWorld, message: string) {
  const { id } = this.recall<Execution>('attune.execution');
  const done = await finished(this.attune, id, 5000);
  expect(done.status, `execution ${id} ended with ${JSON.stringify(done.result)}`).to.equal('failed');
  expect(String(done.result?.error ?? ''), `error of execution ${id}`).to.include(message);
  this.remember('attune.execution', done);
});

Then('it never reached a worker', async function (this: AcceptanceWorld) {
  const done = this.recall<Execution>('attune.execution');
  // Statuses as the notifier announced them: requested straight to failed, nothing scheduled or run.
  const seen = await eventually(() => statusesOf(notifications(this).about('execution', done.id)), (s) => s.includes('failed'), {
    within: 5000, every: 100, what: `the notifications of execution ${done.id}`,
  });
  expect(seen, `statuses announced for execution ${done.id}`).to.deep.equal(['requested', 'failed']);
  expect(done.started_at ?? null, `started_at of execution ${done.id}`).to.equal(null);
  expect(done.result?.exit_code, `no process exit code in ${JSON.stringify(done.result)}`).to.equal(undefined);
});

// ---- pagination (T3.22) -----------------------------------------------------------------------------

Given('{int} executions of that action', async function (this: AcceptanceWorld, count: number) {
  const ref = this.recall<string>('attune.adhoc');
  const ids: number[] = [];
  for (let i = 0; i < count; i += 10) {
    const batch = await Promise.all(Array.from({ length: Math.min(10, count - i) }, () => this.attune.execute(ref, {})));
    for (const r of batch) {
      expect(r.status, `running ${ref} answered ${describe(r.body)}`).to.equal(201);
      ids.push(r.body.data.id);
    }
  }
  this.remember('attune.created-ids', ids);
});

When('I read its execution history in pages of {int}', async function (this: AcceptanceWorld, size: number) {
  const ref = this.recall<string>('attune.adhoc');
  const pages: { items: Execution[]; pagination: Record<string, any> }[] = [];
  for (let page = 1; page <= 100; page++) {
    const reply = await executionPage(this.attune, { action_ref: ref }, page, size);
    expect(reply.status, `page ${page} answered ${describe(reply.body)}`).to.equal(200);
    pages.push(reply.body);
    if (!reply.body.pagination?.has_next) break;
  }
  this.remember('attune.pages', pages);
});

Then('there are {int} pages of {int}, with a total of {int}', function (this: AcceptanceWorld, count: number, size: number, total: number) {
  const pages = this.recall<{ items: Execution[]; pagination: Record<string, any> }[]>('attune.pages');
  expect(pages.map((p) => p.items.length), 'executions per page').to.deep.equal(Array(count).fill(size));
  pages.forEach((p, i) => {
    expect(p.pagination, `pagination of page ${i + 1}`).to.include({ page: i + 1, total_items: total, total_pages: count, has_next: i < count - 1, has_previous: i > 0 });
  });
});

Then('every execution appears exactly once, newest first', function (this: AcceptanceWorld) {
  const ids = this.recall<{ items: Execution[] }[]>('attune.pages').flatMap((p) => p.items.map((e) => e.id));
  const created = this.recall<number[]>('attune.created-ids');
  const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
  expect(repeated, 'executions listed on more than one page').to.deep.equal([]);
  expect([...created].filter((id) => !ids.includes(id)), 'executions missing from every page').to.deep.equal([]);
  expect(ids.filter((id) => !created.includes(id)), 'executions listed that this scenario did not create').to.deep.equal([]);
  expect(ids, 'order across the pages (newest first)').to.deep.equal([...created].sort((a, b) => b - a));
});
