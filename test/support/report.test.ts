// The report a product owner opens: built from one run's JSON, failures first with their error text,
// grouped by system and tier/priority, wall time and target shown; rendered in headless Chromium.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildReport, ReportError } from '../../support/report';

const root = join(__dirname, '..', '..');
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find(existsSync);

const step = (status: string, error_message?: string) => ({ keyword: 'Then ', name: 's', result: { status, duration: 1.5e9, error_message } });
const scenario = (name: string, line: number, tags: string[], steps: object[]) => ({ name, line, type: 'scenario', tags: tags.map((t) => ({ name: t })), steps });

function runDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-report-test-'));
  const features = [
    {
      name: 'T1.4 Webhook trigger with payload', uri: 'features/attune/tier1/T1.4-webhook-trigger.feature',
      elements: [
        scenario('The action reads email', 10, ['@attune', '@tier1', '@T1.4'], [step('passed'), step('failed', 'AssertionError: expected the execution to read "a@b.c"; it read <undefined>\n    at World.<anonymous>')]),
        scenario('Two triggers never share a key', 20, ['@attune', '@tier1', '@T1.4'], [step('passed'), step('passed')]),
      ],
    },
    { name: 'Login', uri: 'features/bud/auth/login.feature', elements: [scenario('Valid credentials', 5, ['@bud', '@p0', '@bud-login'], [step('passed')]), scenario('Reset mailbox', 9, ['@bud', '@p1', '@bud-login'], [step('skipped')])] },
  ];
  writeFileSync(join(dir, 'cucumber.json'), JSON.stringify(features));
  writeFileSync(join(dir, 'cucumber.summary.txt'), '=== Acceptance Test Report ===\nacceptance: 2 passed, 1 failed, 1 skipped\n');
  writeFileSync(join(dir, 'cucumber.run.json'), JSON.stringify({ report: 'cucumber', run_id: 'mirun123', target: 'config/embedded.yaml (attune: embedded)', started_at: '2026-12-05T17:00:00.000Z', wall_seconds: 42.25, deployment_ms: 1800 }));
  // An older run of another profile: the report must not mix it in.
  writeFileSync(join(dir, 'ci.json'), JSON.stringify([{ name: 'Old', uri: 'x.feature', elements: [scenario('old failure', 1, ['@waldur'], [step('failed', 'OLD RUN')])] }]));
  writeFileSync(join(dir, 'ci.run.json'), JSON.stringify({ report: 'ci', started_at: '2026-12-01T00:00:00.000Z' }));
  return dir;
}

describe('npm run report', () => {
  it('reports the newest run only, failures first, grouped by system and tier/priority', () => {
    const dir = runDir();
    const { page, rows } = buildReport({ reportsDir: dir, root, details: false });
    assert.deepEqual(rows.map((r) => [r.group, r.status]), [
      ['Attune Tier 1: Core Flows', 'failed'], ['Attune Tier 1: Core Flows', 'passed'], ['bud-stack P0 (PR gate)', 'passed'], ['bud-stack P1 (merge)', 'skipped'],
    ]);
    const html = readFileSync(page, 'utf8');
    assert.ok(!html.includes('OLD RUN'), 'another run is not mixed in');
    assert.ok(html.indexOf('id="failures"') < html.indexOf('id="groups"'), 'failures come first');
    assert.match(html, /42\.3 s|42\.2 s/);
    assert.match(html, /config\/embedded\.yaml \(attune: embedded\)/);
  });

  it('says in one line what is wrong when the JSON is missing or truncated', () => {
    const dir = runDir();
    writeFileSync(join(dir, 'cucumber.json'), '[{"name": "T1');
    assert.throws(() => buildReport({ reportsDir: dir, root, details: false }), (e: Error) => e instanceof ReportError && /not complete cucumber JSON/.test(e.message) && !e.message.includes('\n'));
    assert.throws(() => buildReport({ reportsDir: dir, root, name: 'nightly', details: false }), (e: Error) => e instanceof ReportError && /nightly\.json is missing; run the suite first/.test(e.message));
    assert.throws(() => buildReport({ reportsDir: mkdtempSync(join(tmpdir(), 'e2e-empty-')), root, details: false }), /no finished run in/);
  });

  it('renders in headless Chromium with the failures and the grouping visible', (t) => {
    if (!CHROMIUM) {
      t.skip('no Chromium here: apt-get install chromium (.ci/run does)');
      return;
    }
    const { page } = buildReport({ reportsDir: runDir(), root });
    assert.ok(existsSync(join(page, '..', 'details', 'index.html')), 'the scenario details are linked');
    const profile = mkdtempSync(join(tmpdir(), 'e2e-chromium-'));
    const r = spawnSync(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--dump-dom', `file://${page}`], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr.split('\n').slice(-3).join(' '));
    const dom = r.stdout;
    const failures = /<section id="failures">([\s\S]*?)<\/section>/.exec(dom)?.[1] ?? '';
    assert.match(failures, /Failures \(1\)/);
    assert.match(failures, /<h3>T1\.4 Webhook trigger with payload › The action reads email<\/h3>/);
    assert.match(failures, /expected the execution to read "a@b\.c"; it read &lt;undefined&gt;/);
    const groups = /<section id="groups">([\s\S]*?)<\/section>/.exec(dom)?.[1] ?? '';
    const cells = [...groups.matchAll(/<tr[^>]*><th scope="row">([^<]+)<\/th>((?:<td[^>]*>\d+<\/td>)+)<\/tr>/g)].map((m) => [m[1], ...[...m[2].matchAll(/>(\d+)</g)].map((c) => Number(c[1]))]);
    assert.deepEqual(cells, [['Attune Tier 1: Core Flows', 1, 1, 0, 2], ['bud-stack P0 (PR gate)', 1, 0, 0, 1], ['bud-stack P1 (merge)', 0, 0, 1, 1]]);
  });
});
