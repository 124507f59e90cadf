/** Rules: linking a trigger to an action, and the enforcements they create for events. */
import { Given, Then } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Enforcement, EventSummary, Execution, Rule, Trigger } from '../../world/clients/attune';
import { eventually } from '../../world/wait';
import { actionRef, createRule, ms, thePack } from './context';

Given(
  'a rule that runs the {fixture-action} with message {string} on that trigger',
  async function (this: AcceptanceWorld, action: string, message: string) {
    const trigger = this.recall<Trigger>('attune.trigger');
    await createRule(this, this.attune, {
      packRef: thePack(this).ref,
      actionRef: actionRef(this, action),
      triggerRef: trigger.ref,
      actionParams: { message },
    });
  },
);

Then('each event created one enforcement for the rule', async function (this: AcceptanceWorld) {
  const rule = this.recall<Rule>('attune.rule');
  const events = this.recall<EventSummary[]>('attune.events');
  const ids = events.map((e) => e.id);
  const all = await eventually(
    () => this.attune.listEnforcements({ rule_ref: rule.ref }),
    (list) => ids.every((id) => list.some((x) => x.event === id)),
    { within: 10_000, every: 200, what: `an enforcement of rule ${rule.ref} for each of the events ${ids.join(', ')}` },
  );
  const enforcements = ids.map((id) => {
    const mine = all.filter((x) => x.event === id);
    expect(mine.map((x) => x.id), `enforcements of rule ${rule.ref} for event ${id}`).to.have.lengthOf(1);
    expect([mine[0].rule, mine[0].rule_ref], `rule id and ref named by enforcement ${mine[0].id}`).to.deep.equal([rule.id, rule.ref]);
    return mine[0];
  });
  this.remember('attune.enforcements', enforcements);
});

Then('each enforcement started one execution of the {fixture-action}', async function (this: AcceptanceWorld, action: string) {
  const ref = actionRef(this, action);
  const executions: Execution[] = [];
  for (const enforcement of this.recall<Enforcement[]>('attune.enforcements')) {
    const found = await eventually(
      () => this.attune.listExecutions({ enforcement: enforcement.id }),
      (list) => list.length > 0,
      { within: 10_000, every: 200, what: `an execution for enforcement ${enforcement.id}` },
    );
    expect(found.map((e) => `${e.id} ${e.action_ref}`), `executions started by enforcement ${enforcement.id}`).to.deep.equal([`${found[0].id} ${ref}`]);
    executions.push(found[0]);
  }
  this.remember('attune.executions', executions);
});

Then("the rule's enforcement was processed, with that execution as its only one", async function (this: AcceptanceWorld) {
  const [enforcement] = this.recall<Enforcement[]>('attune.enforcements');
  const execution = this.recall<Execution>('attune.execution');
  // Read once the execution has ended: the executor resolved the enforcement when it created the
  // execution (upstream: created -> processed with resolved_at), and the failure neither reopened
  // it nor made it start another execution.
  const reply = await this.attune.getEnforcement(enforcement.id);
  const seen = reply.body?.data;
  expect([reply.status, seen?.status], `enforcement ${enforcement.id} after execution ${execution.id} ended ${execution.status}: ${JSON.stringify(reply.body)}`).to.deep.equal([200, 'processed']);
  expect(seen.resolved_at, `when enforcement ${enforcement.id} was resolved`).to.be.a('string');
  expect(ms(seen.resolved_at) >= ms(seen.created) && ms(seen.resolved_at) <= ms(execution.created) + 1000, `enforcement ${enforcement.id} created ${seen.created}, resolved ${seen.resolved_at}; its execution created ${execution.created}`).to.equal(true);
  const started = await this.attune.listExecutions({ enforcement: enforcement.id });
  expect(started.map((e) => `${e.id} ${e.status}`), `executions of enforcement ${enforcement.id}`).to.deep.equal([`${execution.id} ${execution.status}`]);
});

Then(
  'in all the rule led to exactly {int} event(s), {int} enforcement(s) and {int} execution(s)',
  async function (this: AcceptanceWorld, events: number, enforcements: number, executions: number) {
    const { ref } = this.recall<Rule>('attune.rule');
    const counts = {
      events: (await this.attune.listEvents({ rule_ref: ref })).length,
      enforcements: (await this.attune.listEnforcements({ rule_ref: ref })).length,
      executions: (await this.attune.listExecutions({ rule_ref: ref })).length,
    };
    expect(counts, `what rule ${ref} led to`).to.deep.equal({ events, enforcements, executions });
  },
);
