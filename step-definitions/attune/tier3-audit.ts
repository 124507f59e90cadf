/**
 * Tier 3 audit trail (T3.28): the entries of one execution, read by execution through the audit log
 * API, who took each step and when, and that nobody can rewrite them.
 */
import { DataTable, Then } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { Execution } from '../../world/clients/attune';
import { auditEvent, auditEvents } from '../../world/clients/attune-tier3';
import { describe, eventually } from '../../world/wait';
import { ms } from './context';
import { database } from './tier3-secrets';
import { user } from './tenants';

interface AuditEntry { id: number; created: string; category: string; event_type: string; outcome: string; actor_identity: number | null; actor_login: string | null; resource_type: string; resource_id?: number }

/** The plan's lifecycle words -> the audit event types. */
const STEP: Record<string, string> = {
  created: 'execution.created', scheduled: 'execution.scheduled', started: 'execution.started', completed: 'execution.completed',
};
const byExecution = (id: number) => ({ resource_type: 'execution', resource_id: id });
const entries = (world: AcceptanceWorld) => world.recall<AuditEntry[]>('attune.audit');
const entry = (world: AcceptanceWorld, step: string) => entries(world).find((e) => e.event_type === STEP[step])!;

Then('the audit trail of that execution, read by execution, is:', async function (this: AcceptanceWorld, table: DataTable) {
  const { id } = this.recall<Execution>('attune.execution');
  const expected = table.hashes();
  const alice = user(this, 'Alice');
  const trail = await eventually(async () => {
    const reply = await auditEvents(alice.client, byExecution(id));
    expect(reply.status, `Alice reading the audit trail of execution ${id}: ${describe(reply.body)}`).to.equal(200);
    return reply.body.items as AuditEntry[];
  }, (items) => items.length >= expected.length, { within: 5000, every: 200, what: `${expected.length} audit entries for execution ${id}` });
  expect(trail.map((e) => e.event_type), `audit entries of execution ${id}`).to.deep.equal(expected.map((r) => STEP[r.step]));
  // each entry, read whole, is about this execution
  const whole: AuditEntry[] = [];
  for (const e of trail) {
    const reply = await auditEvent(alice.client, e.id);
    expect(reply.status, `audit entry ${e.id}: ${describe(reply.body)}`).to.equal(200);
    expect([reply.body.data.resource_type, reply.body.data.resource_id], `resource of audit entry ${e.id}`).to.deep.equal(['execution', id]);
    whole.push(reply.body.data);
  }
  const services = new Set<string>();
  expected.forEach((row, i) => {
    const e = whole[i];
    const said = `${row.step} entry ${describe(e)}`;
    expect(e.actor_login, `actor of the ${said}`).to.be.a('string').and.not.equal('');
    if (row.actor === 'Alice') {
      expect([e.actor_identity, e.actor_login], `actor of the ${said}`).to.deep.equal([alice.id, alice.login]);
    } else {
      // a platform component, not a user, naming itself as the plan's role
      expect(e.actor_identity, `actor identity of the ${said} (a service, not a user)`).to.equal(null);
      expect(e.actor_login, `actor of the ${said}`).to.include(row.actor);
      services.add(`${row.actor}=${e.actor_login}`);
    }
  });
  expect(new Set([...services].map((s) => s.split('=')[1])).size, `the components named (${[...services].join(', ')}) are distinct`).to.equal(new Set([...services].map((s) => s.split('=')[0])).size);
  this.remember('attune.audit', whole);
});

Then('the same worker started and completed it', function (this: AcceptanceWorld) {
  expect(entry(this, 'completed').actor_login, 'the actor of the completion against that of the start').to.equal(entry(this, 'started').actor_login);
});

Then("each audit entry's time matches the execution's own timestamps, in order", async function (this: AcceptanceWorld) {
  const done = await this.attune.execution(this.recall<Execution>('attune.execution').id);
  const tolerance = 1000;
  const against: [string, string | null | undefined][] = [['created', done.created], ['started', done.started_at], ['completed', done.updated]];
  for (const [step, instant] of against) {
    const delta = ms(entry(this, step).created) - ms(String(instant));
    expect(Math.abs(delta), `ms between the ${step} audit entry (${entry(this, step).created}) and the execution's ${instant}`).to.be.at.most(tolerance);
  }
  const times = entries(this).map((e) => ms(e.created));
  expect(times, `audit entry times ${entries(this).map((e) => `${e.event_type}@${e.created}`).join(', ')}`).to.deep.equal([...times].sort((a, b) => a - b));
});

Then(
  'no audit entry of that execution can be changed or deleted, over the API or in the database',
  async function (this: AcceptanceWorld) {
    const before = entries(this);
    const { id } = before[0];
    // the strongest caller there is: the operator (admin)
    for (const [method, body] of [['put', { actor_login: 'tampered' }], ['delete', undefined]] as const) {
      const reply = await this.attune.call(method, `/api/v1/audit-events/${id}`, body);
      expect(reply.status, `${method.toUpperCase()} audit entry ${id} as the operator: ${describe(reply.body)}`).to.be.within(400, 499);
    }
    // the table itself (upstream's audit_event), over the database URL
    for (const sql of ["UPDATE audit_event SET actor_login = 'tampered' WHERE id = $1", 'DELETE FROM audit_event WHERE id = $1']) {
      const outcome = await database(this).query(sql, [id]).then(() => 'accepted', (e: Error) => `refused: ${e.message}`);
      expect(outcome, `${sql.split(' ')[0]} of audit entry ${id} in the database`).to.match(/^refused/);
    }
    const after = [];
    for (const e of before) after.push((await auditEvent(this.attune, e.id)).body?.data);
    expect(after, 'the audit entries afterwards').to.deep.equal(before);
  },
);

Then("Bob cannot read that execution's audit trail", async function (this: AcceptanceWorld) {
  const bob = user(this, 'Bob');
  const { id } = this.recall<Execution>('attune.execution');
  const list = await auditEvents(bob.client, byExecution(id));
  expect(list.status === 403 || (list.status === 200 && list.body.items.length === 0), `Bob listing the audit trail of execution ${id}: ${list.status} ${describe(list.body)}`).to.equal(true);
  const one = await auditEvent(bob.client, entries(this)[0].id);
  expect(one.status, `Bob reading audit entry ${entries(this)[0].id}: ${describe(one.body)}`).to.be.oneOf([403, 404]);
});
