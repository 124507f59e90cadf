// The sweep against a real emulator deployment, started the way a run starts it (support/deployment.ts):
// leftovers named as a run names them (an enabled interval rule that keeps firing among them) are
// found and removed through the public APIs, a second sweep finds nothing, and what the suite did
// not name is left alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { loadConfig, SuiteConfig } from '../../support/config';
import { Deployment, startDeployment } from '../../support/deployment';
import { ensureTarget } from '../../support/targets';
import { parseAge, selectedRun, sweep } from '../../support/sweep';
import { HttpLog } from '../../world/clients/http';
import { AttuneClient, TIMER_TRIGGERS } from '../../world/clients/attune';
import { WaldurClient } from '../../world/clients/waldur';
import { BudClient } from '../../world/clients/bud';
import { eventually, holdsFor } from '../../world/wait';

const root = join(__dirname, '..', '..');

describe('naming', () => {
  it('selects names the suite made, by run and by age', () => {
    const run = (Date.now() - 3 * 3_600_000).toString(36);
    assert.equal(selectedRun(`e2e-project-${run}-w2-17`, {}), run);
    assert.equal(selectedRun(`tier2_${run}_w0_3.echo`, {}), run);
    assert.equal(selectedRun(`bud-${run}-w1-4@example.com`, {}), run);
    assert.equal(selectedRun(`e2e-project-${run}-w2-17`, { run: 'zzzzzzzz' }), undefined);
    assert.equal(selectedRun(`e2e-project-${run}-w2-17`, { olderThanMs: parseAge('2h') }), run);
    assert.equal(selectedRun(`e2e-project-${run}-w2-17`, { olderThanMs: parseAge('4h') }), undefined);
    for (const name of ['core.echo', 'admin@example.com', 'my-project-2024', 'zzzzzzzzzz-w1-2']) assert.equal(selectedRun(name, {}), undefined, name);
    assert.throws(() => parseAge('two hours'), /--older-than takes an age such as 30m/);
  });
});

describe('npm run sweep against the emulators', () => {
  let deployment: Deployment;
  let cfg: SuiteConfig;
  const log = new HttpLog();
  const run = Date.now().toString(36);
  const name = (kind: string, n: number) => `${kind}-${run}-w1-${n}`;
  const ref = (kind: string, n: number) => name(kind, n).replace(/-/g, '_');

  before(async () => {
    deployment = await startDeployment(join(root, 'config/embedded.yaml'));
    cfg = loadConfig({ ...process.env, E2E_CONFIG: deployment.configFile });
  });
  after(() => deployment?.stop());

  it('removes what a run left on every system, rules disabled first, and nothing else', async () => {
    const attune = new AttuneClient(await ensureTarget('attune', cfg), log);
    const pack = ref('pack', 1);
    assert.equal((await attune.call('post', '/api/v1/packs', { ref: pack, label: pack, version: '1.0.0' })).status, 201);
    await attune.createRule({ ref: `${pack}.every_second`, packRef: pack, actionRef: 'core.echo', triggerRef: TIMER_TRIGGERS.interval, triggerParams: { unit: 'seconds', interval: 1 }, actionParams: { message: 'left behind' } });
    const owner = { identity: (await attune.me()).id };
    await attune.setKey({ ref: ref('key', 2), name: ref('key', 2), value: 'v', owner });
    await attune.setKey({ ref: `keep_${run}`, name: `keep_${run}`, value: 'v', owner });
    const worker = name('e2e', 6);
    assert.equal((await attune.call('post', '/__admin/workers', { name: worker, labels: { 'e2e-scenario': worker } })).status, 201);
    const firing = async () => (await attune.listExecutions({ rule_ref: `${pack}.every_second` })).length;
    await eventually(firing, (n) => n > 0, { within: 10_000, what: 'the left-behind rule fires' });

    const waldur = new WaldurClient(await ensureTarget('waldur', cfg), log);
    const noTrack = () => undefined;
    const customer = await waldur.side('b').createCustomer(name('e2e-org', 3), noTrack);
    await waldur.side('b').createProject(name('e2e-project', 4), customer.url, noTrack);

    const bud = new BudClient(await ensureTarget('bud', cfg), log);
    const admin = await bud.adminAccessToken();
    const created = await bud.createUser(admin, { name: 'Left Behind', email: `${name('bud', 5)}@example.com`, password: 'E2e-Pw-1234-Xy9!', role: 'developer' });
    assert.equal(created.status, 200, JSON.stringify(created.body));

    const lines: string[] = [];
    const dry = await sweep(cfg, { dryRun: true, run }, (l) => lines.push(l));
    assert.deepEqual(dry.map((i) => `${i.system} ${i.kind} ${i.name}`).sort(), [
      `attune key ${ref('key', 2)}`, `attune pack ${pack}`, `attune rule ${pack}.every_second`, `attune worker ${worker}`,
      `bud user ${name('bud', 5)}@example.com`, `waldur customer ${name('e2e-org', 3)}`, `waldur project ${name('e2e-project', 4)}`,
    ]);
    assert.ok(dry.every((i) => !i.removed));
    assert.equal((await attune.getKey(ref('key', 2))).status, 200, 'a dry run removes nothing');

    const swept = await sweep(cfg, { run }, (l) => lines.push(l));
    assert.equal(swept.length, 7);
    assert.deepEqual(swept.filter((i) => !i.removed), [], lines.join('\n'));
    assert.equal((await attune.getKey(ref('key', 2))).status, 404);
    assert.equal((await attune.getPack(pack)).status, 404);
    assert.equal((await attune.call('get', `/__admin/workers/${worker}`)).status, 404, 'the worker service is gone');
    assert.equal((await attune.getKey(`keep_${run}`)).status, 200, 'a name the suite did not make is left alone');
    const afterSweep = await firing();
    await holdsFor(firing, (n) => n === afterSweep, 2500, { what: 'no firing of the swept rule (2.5 periods)' });
    assert.equal((await bud.login({ email: `${name('bud', 5)}@example.com`, password: 'E2e-Pw-1234-Xy9!' })).status === 200, false, 'the swept user cannot log in');

    const again = await sweep(cfg, { run }, (l) => lines.push(l));
    assert.deepEqual(again, [], 'a second sweep finds nothing');
    await attune.deleteKey(`keep_${run}`);
    await attune.close();
  });
});
