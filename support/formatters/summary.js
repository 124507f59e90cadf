// End-of-run summary in the Attune plan's "Test Report Format" (seed 002): grouped by system and
// tier/priority, duration per scenario, passed/failed/skipped, success rate, each failure with its
// error. Plain CommonJS because cucumber-js imports formatters without the TypeScript loader.
'use strict';
const { Formatter } = require('@cucumber/cucumber');

const CATALOG_TAG = /^@(T\d+\.\d+|waldur-test-\d+|waldur-suite-\d+|attune-scenario-\d+|bud-[a-z0-9-]+)$/;
const GROUPS = [
  [/^@tier1$/, 'Tier 1: Core Flows'],
  [/^@tier2$/, 'Tier 2: Orchestration'],
  [/^@tier3$/, 'Tier 3: Advanced'],
  [/^@p0$/, 'P0 (PR gate)'],
  [/^@p1$/, 'P1 (merge)'],
  [/^@p2$/, 'P2 (nightly)'],
];
const SYSTEMS = { '@attune': 'Attune', '@waldur': 'Waldur federation', '@bud': 'bud-stack' };
const ICON = { PASSED: '✅', FAILED: '❌', SKIPPED: '⏭️ ', UNDEFINED: '❓', AMBIGUOUS: '❓', PENDING: '⏸️ ', UNKNOWN: '❓' };

const seconds = (d) => (d ? Number(d.seconds) + d.nanos / 1e9 : 0);
function humanDuration(s) {
  const m = Math.floor(s / 60);
  const rest = (s - m * 60).toFixed(1);
  return m ? `${m} minutes ${rest} seconds` : `${rest} seconds`;
}

/** The report group of a scenario with these tags: "<system> <tier or priority>" (shared with scripts/report.ts). */
function groupOf(tags) {
  const system = tags.map((t) => SYSTEMS[t]).find(Boolean) ?? 'Other';
  const group = GROUPS.find(([re]) => tags.some((t) => re.test(t)));
  return group ? `${system} ${group[1]}` : system;
}

/** The catalog id a scenario carries (T1.4, waldur-test-2, bud-login...), or ''. */
const catalogId = (tags) => (tags.find((t) => CATALOG_TAG.test(t)) ?? '').slice(1);

/** What the run was pointed at: the config's label (cucumber.js), not the deployment's temp file. */
const targetLabel = () => process.env.E2E_TARGET_LABEL || process.env.E2E_CONFIG || 'config/embedded.yaml';

class SummaryReport extends Formatter {
  static documentation = 'Run summary grouped by system and tier/priority (seed 002 Test Report Format)';

  constructor(options) {
    super(options);
    let startedAt;
    options.eventBroadcaster.on('envelope', (envelope) => {
      if (envelope.testRunStarted) startedAt = envelope.testRunStarted.timestamp;
      if (envelope.testRunFinished) this.report(startedAt, envelope.testRunFinished.timestamp);
    });
  }

  row(attempt) {
    const tags = attempt.pickle.tags.map((t) => t.name);
    const id = catalogId(tags);
    const feature = attempt.gherkinDocument.feature?.name ?? '';
    const results = Object.values(attempt.stepResults);
    const failed = results.find((r) => r.status === 'FAILED' || r.status === 'AMBIGUOUS' || r.status === 'UNDEFINED');
    return {
      group: groupOf(tags),
      id,
      title: `${id && feature.startsWith(`${id} `) ? feature.slice(id.length + 1) : feature} › ${attempt.pickle.name}`,
      status: attempt.worstTestStepResult.status,
      duration: results.reduce((sum, r) => sum + seconds(r.duration), 0),
      error: failed ? (failed.message ?? failed.status).split('\n').slice(0, 4).join('\n      ') : undefined,
      uri: attempt.pickle.uri,
    };
  }

  report(startedAt, finishedAt) {
    const attempts = this.eventDataCollector.getTestCaseAttempts().filter((a) => !a.willBeRetried);
    const rows = attempts.map((a) => this.row(a));
    const groups = new Map();
    for (const r of rows.sort((x, y) => x.group.localeCompare(y.group) || x.uri.localeCompare(y.uri))) {
      if (!groups.has(r.group)) groups.set(r.group, []);
      groups.get(r.group).push(r);
    }
    const count = (s) => rows.filter((r) => r.status === s).length;
    const passed = count('PASSED');
    const failed = rows.length - passed - count('SKIPPED');
    const skipped = count('SKIPPED');
    const ran = passed + failed;
    const lines = [
      '',
      '=== Acceptance Test Report ===',
      `Date: ${new Date(seconds(startedAt) * 1000).toISOString().replace('T', ' ').slice(0, 19)}`,
      `Duration: ${humanDuration(seconds(finishedAt) - seconds(startedAt))}`,
      `Target: ${targetLabel()}`,
    ];
    for (const [name, list] of groups) {
      lines.push('', `${name} (${list.length} scenarios)`);
      for (const r of list) {
        lines.push(`${ICON[r.status] ?? '❓'} ${r.id ? `${r.id} ` : ''}${r.title} (${r.duration.toFixed(r.duration < 1 ? 2 : 1)}s)`);
      }
    }
    lines.push(
      '',
      `Total: ${rows.length}  Passed: ${passed}  Failed: ${failed}  Skipped: ${skipped}`,
      `Success rate: ${ran ? `${((100 * passed) / ran).toFixed(1)}%` : 'n/a (nothing ran)'}`,
    );
    const failures = rows.filter((r) => r.status !== 'PASSED' && r.status !== 'SKIPPED');
    if (failures.length) {
      lines.push('', 'Failures:');
      for (const r of failures) lines.push(`  ❌ ${r.id ? `${r.id} ` : ''}${r.title} (${r.uri})`, `      ${r.error ?? r.status}`);
    }
    // The plain closing line CI systems read: "N passed, N failed, N skipped".
    lines.push('', `acceptance: ${passed} passed, ${failed} failed, ${skipped} skipped`);
    this.log(`${lines.join('\n')}\n`);
  }
}

module.exports = SummaryReport;
module.exports.groupOf = groupOf;
module.exports.catalogId = catalogId;
