/**
 * Seed 001 (Username Sync and STOMP Event Routing): offerings A and B on one Waldur, user_a managing A,
 * user_b an ISD identity manager owning a non-provider organisation C, and a subject user whose offering
 * users the agent keeps in step (B's username copied to A). Everything lives on the Waldur under test
 * (Waldur A of the config), as in the report's single-Waldur environment.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { AcceptanceWorld } from '../../world/world';
import { eventually, holdsFor } from '../../world/wait';
import { StompCapture, CapturedFrame } from '../../world/capture/stomp';
import { Json, OfferingRefs, WaldurInstanceClient, WaldurUser, hexUuid } from '../../world/clients/waldur';
import { UsernameSyncAgent, UsernameSyncOffering, UsernameSyncReport } from '../../world/clients/waldur-agent';
import { tracker } from './federation';
import { unavailable } from './strict';

type Which = 'A' | 'B';
type Subscriber = 'user_a' | 'user_b';

interface SyncEnv {
  isd: string;
  offerings: Record<Which, OfferingRefs>;
  projects: Record<Which, Json>;
  customerB: Json;
  users: { user_a: WaldurUser; user_b: WaldurUser; subject: WaldurUser };
}

const env = (world: AcceptanceWorld): SyncEnv => world.recall<SyncEnv>('syncEnv');
/** The Waldur under test as staff (the report's "Waldur API (staff)"). */
const staff = (world: AcceptanceWorld): WaldurInstanceClient => world.waldur.a;
const as = (world: AcceptanceWorld, who: Subscriber): WaldurInstanceClient => staff(world).asUser(env(world).users[who].token);
/** A run-unique username for a label of the feature ("placeholder", "inttest-sync"), the same within a scenario. */
const username = (world: AcceptanceWorld, label: string): string => world.lazy(`username:${label}`, () => world.uniqueName(label));

function needsOperator(world: AcceptanceWorld, what: string, accessLog = false): void {
  const w = staff(world);
  if (accessLog ? !w.hasOperator : !w.hasShellOperator) throw new Error(`${what} goes through the operator interface, and Waldur A has none (waldur.a.${accessLog ? 'admin_url' : 'admin_url or operator_command'})`);
}

// ---- environment (test_01 of each suite) -------------------------------------------------------

Given('a Waldur with offerings A and B whose service providers may create offering users', async function (this: AcceptanceWorld) {
  needsOperator(this, "the offerings' plugin options (service_provider_can_create_offering_user)");
  const w = staff(this);
  const track = tracker(this);
  const category = await w.createCategory(this.uniqueName('e2e-sync-hpc'), track);
  const components = [
    { type: 'cpu', name: 'CPU Hours', measured_unit: 'Hours' },
    { type: 'mem', name: 'Memory GB', measured_unit: 'GB' },
  ];
  const made = {} as Record<Which, { customer: Json; offering: OfferingRefs }>;
  for (const which of ['A', 'B'] as Which[]) {
    const customer = await w.createCustomer(this.uniqueName(`e2e-sync-${which.toLowerCase()}`), track);
    await w.createServiceProvider(customer.url, track);
    const offering = await w.createOffering({ name: this.uniqueName(`e2e-sync-offering-${which.toLowerCase()}`), type: 'Marketplace.Slurm', customer, categoryUrl: category.url, components }, track);
    await w.setPluginOptions(offering.uuid, { service_provider_can_create_offering_user: true });
    made[which] = { customer, offering };
  }
  const projectA = await w.createProject(this.uniqueName('e2e-sync-project-a'), made.A.customer.url, track);
  this.remember('syncBase', { offerings: { A: made.A.offering, B: made.B.offering }, projectA, customerB: made.B.customer });
});

Given('user_a manages offering A, and user_b owns an organisation without offerings and manages the identities of a domain', async function (this: AcceptanceWorld) {
  const w = staff(this);
  const track = tracker(this);
  const base = this.recall<Pick<SyncEnv, 'offerings' | 'customerB'> & { projectA: Json }>('syncBase');
  const isd = `isd:${this.uniqueName('e2e')}`;
  const users = {
    user_a: await w.createUser(this.uniqueName('e2e-user-a'), track),
    user_b: await w.createUser(this.uniqueName('e2e-user-b'), track),
    subject: await w.createUser(this.uniqueName('e2e-subject'), track),
  };
  const customerC = await w.createCustomer(this.uniqueName('e2e-sync-c'), track);
  await w.grantRole('marketplace-provider-offerings', base.offerings.A.uuid, 'OFFERING.MANAGER', users.user_a.uuid);
  await w.grantRole('customers', customerC.uuid, 'CUSTOMER.OWNER', users.user_b.uuid);
  await w.call('patch', `/api/users/${users.user_b.uuid}/`, { is_identity_manager: true, managed_isds: [isd] });
  const projectB = await w.createProject(this.uniqueName('e2e-sync-project-b'), customerC.url, track);
  this.remember<SyncEnv>('syncEnv', { isd, offerings: base.offerings, projects: { A: base.projectA, B: projectB }, customerB: base.customerB, users });
});

Given("the identity bridge pushes the subject user from that domain", async function (this: AcceptanceWorld) {
  const { users, isd } = env(this);
  const result = await staff(this).post('/api/identity-bridge/', { username: users.subject.username, source: isd });
  expect({ uuid: hexUuid(result.uuid), created: result.created }, 'the identity bridge answer for the subject user').to.deep.equal({ uuid: users.subject.uuid, created: false });
});

Given('user_a also manages offering B', async function (this: AcceptanceWorld) {
  const { offerings, users } = env(this);
  await staff(this).grantRole('marketplace-provider-offerings', offerings.B.uuid, 'OFFERING.MANAGER', users.user_a.uuid);
});

// ---- offering users ----------------------------------------------------------------------------

/** The subject's offering user on one offering, as staff sees it (null: none). */
async function subjectOfferingUser(world: AcceptanceWorld, which: Which, client = staff(world)): Promise<Json | null> {
  const { offerings, users } = env(world);
  const found = (await client.offeringUsers({ offering_uuid: hexUuid(offerings[which].uuid) })).filter((ou) => hexUuid(ou.user_uuid) === users.subject.uuid);
  expect(found.length, `offering users of the subject on offering ${which}`).to.be.at.most(1);
  return found[0] ?? null;
}

async function awaitSubjectOfferingUser(world: AcceptanceWorld, which: Which): Promise<Json> {
  return eventually(() => subjectOfferingUser(world, which), (ou) => ou !== null, { within: 15_000, every: 100, what: `an offering user for the subject on offering ${which}` });
}

// Seed 001: the resource comes from the Django ORM (operator), PROJECT.MEMBER fires role_granted, and
// the create_or_restore_offering_users_for_user task is run by the operator as the report does.
When('the subject user joins the projects of offerings A and B', async function (this: AcceptanceWorld) {
  needsOperator(this, 'Resource.objects.create and the create_or_restore_offering_users_for_user task');
  const w = staff(this);
  const { offerings, projects, users } = env(this);
  for (const which of ['A', 'B'] as Which[]) {
    await w.createResourceAsOperator(offerings[which].uuid, projects[which].uuid, this.uniqueName(`e2e-sync-res-${which.toLowerCase()}`), tracker(this));
    await w.grantRole('projects', projects[which].uuid, 'PROJECT.MEMBER', users.subject.uuid);
    await w.runOfferingUserTask(users.subject.uuid, projects[which].uuid);
  }
});

Then('an offering user for the subject appears on offerings A and B, requested and without a username', async function (this: AcceptanceWorld) {
  for (const which of ['A', 'B'] as Which[]) {
    const ou = await awaitSubjectOfferingUser(this, which);
    expect({ state: ou.state, username: ou.username || '' }, `the subject's auto-created offering user on offering ${which}`).to.deep.equal({ state: 'Requested', username: '' });
  }
});

When('the provider of {syncOffering} names the subject\'s account {string}', async function (this: AcceptanceWorld, which: Which, label: string) {
  const ou = await awaitSubjectOfferingUser(this, which);
  const answer = await staff(this).call('patch', `/api/marketplace-offering-users/${hexUuid(ou.uuid)}/`, { username: username(this, label) });
  expect(answer.username, `username in the PATCH answer on offering ${which}`).to.equal(username(this, label));
});

When('the provider of offering B creates an offering user for the subject', async function (this: AcceptanceWorld) {
  const { offerings, users } = env(this);
  const ou = await staff(this).post('/api/marketplace-offering-users/', { user: users.subject.url, offering_uuid: offerings.B.uuid });
  this.remember('offeringUserB', hexUuid(ou.uuid));
});

When('the providers create offering users for the subject, {string} on offering A and unnamed on offering B', async function (this: AcceptanceWorld, label: string) {
  const { offerings, users } = env(this);
  await staff(this).post('/api/marketplace-offering-users/', { user: users.subject.url, offering_uuid: offerings.A.uuid, username: username(this, label) });
  await staff(this).post('/api/marketplace-offering-users/', { user: users.subject.url, offering_uuid: offerings.B.uuid });
});

Then('the subject\'s offering user on {syncOffering} is OK with username {string}', async function (this: AcceptanceWorld, which: Which, label: string) {
  const ou = await subjectOfferingUser(this, which);
  expect(ou && { state: ou.state, username: ou.username }, `the subject's offering user on offering ${which}`).to.deep.equal({ state: 'OK', username: username(this, label) });
});

Then('the subject\'s offering user on {syncOffering} has no username', async function (this: AcceptanceWorld, which: Which) {
  const ou = await subjectOfferingUser(this, which);
  expect(ou && (ou.username || ''), `username of the subject's offering user on offering ${which}`).to.equal('');
});

Then('{syncUser} sees the subject\'s offering user on {syncOffering} and none on {syncOffering}', async function (this: AcceptanceWorld, who: Subscriber, seen: Which, unseen: Which) {
  const client = as(this, who);
  const expected = await subjectOfferingUser(this, seen);
  const visible = await subjectOfferingUser(this, seen, client);
  expect(visible && hexUuid(visible.uuid), `the subject's offering user on offering ${seen} as ${who} sees it`).to.equal(expected && hexUuid(expected.uuid));
  const { offerings } = env(this);
  const other = await client.offeringUsers({ offering_uuid: hexUuid(offerings[unseen].uuid) });
  expect(other.map((ou) => ou.user_username), `offering users of offering ${unseen} that ${who} can list`).to.deep.equal([]);
});

Then('{syncUser} sees the subject\'s offering user on {syncOffering}', async function (this: AcceptanceWorld, who: Subscriber, which: Which) {
  const expected = await subjectOfferingUser(this, which);
  const visible = await subjectOfferingUser(this, which, as(this, who));
  expect(visible && hexUuid(visible.uuid), `the subject's offering user on offering ${which} as ${who} sees it`).to.equal(expected && hexUuid(expected.uuid)).and.to.not.equal(null);
});

When("the providers delete the subject's offering users", async function (this: AcceptanceWorld) {
  for (const which of ['A', 'B'] as Which[]) {
    const ou = await subjectOfferingUser(this, which);
    expect(ou, `the subject's offering user on offering ${which} before the cleanup`).to.not.equal(null);
    const res = await staff(this).http.delete(`/api/marketplace-offering-users/${hexUuid(ou.uuid)}/`);
    expect(res.status, `DELETE of the offering user on offering ${which}`).to.equal(204);
  }
});

Then('neither offering lists an offering user for the subject', async function (this: AcceptanceWorld) {
  for (const which of ['A', 'B'] as Which[]) expect(await subjectOfferingUser(this, which), `the subject's offering user on offering ${which}`).to.equal(null);
});

Then('the offerings A and B are active and let their providers create offering users', async function (this: AcceptanceWorld) {
  for (const which of ['A', 'B'] as Which[]) {
    const o = await staff(this).get(`/api/marketplace-provider-offerings/${hexUuid(env(this).offerings[which].uuid)}/`);
    expect({ state: o.state, type: o.type, can_create: o.plugin_options?.service_provider_can_create_offering_user }, `offering ${which}`).to.deep.equal({ state: 'Active', type: 'Marketplace.Slurm', can_create: true });
  }
});

// ---- the site agent's username sync ------------------------------------------------------------

Given('the site agent serves offering A with offering B as its backend {agentGating}', async function (this: AcceptanceWorld, gate: Pick<UsernameSyncOffering, 'stomp' | 'membershipSync' | 'reconciliation'>) {
  const e = env(this);
  const agent = this.lazy('usernameSyncAgent', () => this.remember('usernameSyncAgent', new UsernameSyncAgent(this.target('waldur'), this.httpLog)));
  await agent.start({
    name: this.uniqueName('e2e-sync-agent'),
    apiUrl: staff(this).instance.url,
    offeringA: e.offerings.A.uuid,
    tokenA: e.users.user_a.token,
    offeringB: e.offerings.B.uuid,
    tokenB: e.users.user_b.token,
    customerB: e.customerB.uuid,
    ...gate,
  });
});

async function runSync(world: AcceptanceWorld, kind: 'sync' | 'reconciliation'): Promise<void> {
  needsOperator(world, "counting the agent's requests (Waldur's access log)", true);
  const agent = world.recall<UsernameSyncAgent>('usernameSyncAgent');
  const startedAt = new Date();
  const reports = kind === 'sync' ? await agent.syncUsernames() : await agent.reconcileUsernames();
  world.remember('syncRun', { startedAt, reports });
}

When('the site agent syncs offering user usernames', async function (this: AcceptanceWorld) {
  await runSync(this, 'sync');
});

When('the periodic username reconciliation runs', async function (this: AcceptanceWorld) {
  await runSync(this, 'reconciliation');
});

Given('the site agent has synced offering user usernames once', async function (this: AcceptanceWorld) {
  await runSync(this, 'sync');
  const ou = await subjectOfferingUser(this, 'A');
  const b = await subjectOfferingUser(this, 'B');
  expect(ou?.username, 'username on offering A after the first sync').to.equal(b?.username);
});

// Counted from Waldur's own access log: the writes the agent (user_a) made to the subject's offering user on A.
Then('the site agent changed the subject\'s offering user on offering A {int} time(s) during that run', async function (this: AcceptanceWorld, times: number) {
  const { startedAt } = this.recall<{ startedAt: Date }>('syncRun');
  const ou = await subjectOfferingUser(this, 'A');
  const log = await staff(this).requestLog([hexUuid(ou.uuid)], startedAt);
  const writes = log.filter((r) => ['PATCH', 'PUT'].includes(r.method));
  expect(writes.map((r) => `${r.user} ${r.method} ${r.path} ${r.status}`), "writes to the subject's offering user on A during the run (Waldur's access log)").to.have.lengthOf(times);
  if (times) expect(writes.every((r) => r.user === env(this).users.user_a.username && r.status === 200), 'every write made as user_a and answered 200').to.equal(true);
});

Then('the reconciliation skips offering A because {string}', async function (this: AcceptanceWorld, reason: string) {
  const { reports } = this.recall<{ reports: UsernameSyncReport[] }>('syncRun');
  expect(reports.map((r) => ({ skipped: r.skipped, changed: r.changed })), 'what the reconciliation did per offering').to.deep.equal([{ skipped: reason, changed: false }]);
});

// ---- STOMP event routing (Suite 2) ---------------------------------------------------------------

interface Listener {
  capture: StompCapture;
  login: string;
  vhost: string;
  queue: string;
}

const listener = (world: AcceptanceWorld, who: Subscriber): Listener => world.recall<Listener>(`listener:${who}`);

When('user_a and user_b each subscribe to the offering user events of offering B', async function (this: AcceptanceWorld) {
  const { offerings } = env(this);
  if (!this.target('waldur').broker.managementUrl) return unavailable(this, 'the broker grant needs the RabbitMQ management API (waldur.broker)');
  for (const who of ['user_a', 'user_b'] as Subscriber[]) {
    const client = as(this, who);
    const sub = await client.subscribeToEvents(offerings.B.uuid, 'offering_user', this.uniqueName(`e2e-${who.replace('_', '')}`), tracker(this));
    // Seed 001: Waldur's publisher user gets access to the subscriber's vhost (RabbitMQ management API).
    await this.waldur.broker.grantVhost(sub.vhost, this.waldur.broker.user);
    const capture = this.lazy(`capture:${who}`, () => StompCapture.connect(client.stompUrl(), { login: sub.login, passcode: env(this).users[who].token, host: sub.vhost }));
    const c = await capture;
    this.lazy(`captureClose:${who}`, () => ({ close: () => c.close() }));
    await c.subscribe(`/amq/queue/${sub.queue}`);
    this.remember<Listener>(`listener:${who}`, { capture: c, ...sub });
  }
  return undefined;
});

Then('the broker shows a live connection and a consumer on the offering user queue of user_a and of user_b', async function (this: AcceptanceWorld) {
  for (const who of ['user_a', 'user_b'] as Subscriber[]) {
    const l = listener(this, who);
    await eventually(async () => ({ connected: (await this.waldur.broker.connections()).some((c) => c.user === l.login), consumers: (await this.waldur.broker.queue(l.vhost, l.queue)).consumers }), (s) => s.connected && s.consumers > 0, {
      within: 30_000,
      every: 250,
      what: `the broker listing ${who}'s connection (user ${l.login}) and a consumer on ${l.queue}`,
    });
  }
});

const aboutSubject = (world: AcceptanceWorld) => (f: CapturedFrame) => hexUuid(String(f.json?.offering_user_uuid ?? '')) === world.recall<string>('offeringUserB');

Then('{syncUser} receives the {word} event of that offering user with username {string}', async function (this: AcceptanceWorld, who: Subscriber, action: string, label: string) {
  const about = aboutSubject(this);
  const want = username(this, label);
  await listener(this, who).capture.waitFor((f) => about(f) && f.json?.action === action && f.json?.username === want, { within: 15_000, what: `${who}: ${action} event of offering user ${this.recall<string>('offeringUserB')} with username ${want}` });
});

Then('{syncUser} receives the create event of that offering user', async function (this: AcceptanceWorld, who: Subscriber) {
  const about = aboutSubject(this);
  await listener(this, who).capture.waitFor((f) => about(f) && f.json?.action === 'create', { within: 15_000, what: `${who}: create event of offering user ${this.recall<string>('offeringUserB')}` });
});

When("user_b's managed identity domains are {word}", async function (this: AcceptanceWorld, change: string) {
  if (change !== 'cleared' && change !== 'restored') throw new Error(`"${change}": say cleared or restored`);
  const { users, isd } = env(this);
  const answer = await staff(this).call('patch', `/api/users/${users.user_b.uuid}/`, { managed_isds: change === 'cleared' ? [] : [isd] });
  expect(answer.managed_isds, "user_b's managed ISDs").to.deep.equal(change === 'cleared' ? [] : [isd]);
  this.remember('isdChangedAt', listener(this, 'user_b').capture.frames().length);
});

// user_a's queue receives the same events in the same order; once user_a has them, user_b's window starts.
Then('user_b receives no event of that offering user for {duration}', async function (this: AcceptanceWorld, ms: number) {
  const about = aboutSubject(this);
  const before = this.recall<number>('isdChangedAt');
  await holdsFor(() => listener(this, 'user_b').capture.frames().slice(before).filter(about), (fs) => fs.length === 0, ms, { what: 'user_b receiving no event about the offering user after its ISDs were cleared' });
});

When('user_a and user_b disconnect and their event subscriptions are deleted', async function (this: AcceptanceWorld) {
  for (const who of ['user_a', 'user_b'] as Subscriber[]) {
    const l = listener(this, who);
    await l.capture.close();
    const res = await as(this, who).http.delete(`/api/event-subscriptions/${l.login}/`);
    expect(res.status, `deleting ${who}'s event subscription`).to.equal(204);
  }
});

Then('the broker no longer has the offering user queues of user_a and user_b', async function (this: AcceptanceWorld) {
  for (const who of ['user_a', 'user_b'] as Subscriber[]) {
    const l = listener(this, who);
    await eventually(() => this.waldur.broker.queueExists(l.vhost, l.queue), (exists) => !exists, { within: 10_000, every: 200, what: `queue ${l.queue} of ${who} gone from the broker` });
  }
});
