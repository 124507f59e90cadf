// cucumber-js configuration. Profiles: default (embedded, every system, parallel), tier1, ci
// (strict: an unreachable target fails at once; retries @flaky once; JUnit), nightly, p0, p0p1,
// rabbitmq (STOMP features against a real RabbitMQ). The target is config/embedded.yaml unless
// E2E_CONFIG names another file. This file runs in the coordinator, before any worker starts: it
// checks the config (a bad one stops the run with one line), starts the run's one emulator
// deployment when the config says embedded (support/deployment.ts) and hands the workers its
// remote config (they wait for it to answer), stops it at exit, and turns SIGINT/SIGTERM into an
// orderly stop (support/interrupt.ts).
'use strict';
require('ts-node').register({ transpileOnly: true });
const { loadConfig, skipReason, SYSTEMS, ConfigError } = require('./support/config.ts');
const { preflight } = require('./support/preflight.ts');
const { needsDeployment, launchDeployment } = require('./support/deployment.ts');
const { stagedReports, onInterrupt, dropWorkers } = require('./support/interrupt.ts');

const argv = process.argv.slice(2);
const profiles = argv.flatMap((a, i) =>
  a === '-p' || a === '--profile' ? [argv[i + 1]] : a.startsWith('--profile=') ? [a.slice(10)] : [],
);
const isDryRun = argv.includes('--dry-run') || argv.includes('-d');
// Profiles that imply a target or strictness (workers inherit these variables).
if (profiles.includes('rabbitmq')) process.env.E2E_CONFIG ??= 'config/rabbitmq.yaml';
if (profiles.some((p) => ['ci', 'nightly', 'rabbitmq'].includes(p))) process.env.E2E_STRICT ??= 'true';
process.env.E2E_RUN_ID ??= Date.now().toString(36);
process.env.E2E_RUN_STARTED ??= new Date().toISOString();

const workers = Number(process.env.E2E_PARALLEL ?? 8); // measured: 8 beat 4 (waits dominate) and 12 (the emulators saturate 2 cores)
// The reports' base name: the profile that writes its own (ci, nightly, rabbitmq), else cucumber.
const reportName = profiles.find((p) => ['ci', 'nightly', 'rabbitmq'].includes(p)) ?? 'cucumber';

// Reports are written under reports/.staged-<run>/ and moved into reports/ when the run ends
// normally, so an interrupted run leaves the previous run's reports as they were.
const staged = stagedReports(process.env.E2E_RUN_ID);
const reports = (name) => [
  ['json', staged.path(`${name}.json`)],
  ['html', staged.path(`${name}.html`)],
  ['junit', staged.path(`${name}.junit.xml`)],
  ['message', staged.path(`${name}.ndjson`)],
  ['rerun', staged.path(`${name}.rerun.txt`)],
  ['./support/formatters/summary.js', staged.path(`${name}.summary.txt`)],
];

// Features with a @slow scenario go first, so the longest scenarios start at once and the run's wall
// time stays close to its longest scenario; the rest follow in path order (cucumber keeps the first
// place of a path it meets twice). Paths given on the command line replace these.
function featureFiles(dir) {
  const fs = require('node:fs');
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? featureFiles(`${dir}/${e.name}`) : e.name.endsWith('.feature') ? [`${dir}/${e.name}`] : []);
}
const tagged = (tag) => featureFiles('features').filter((f) => new RegExp(`^\\s*(?:@\\S+\\s+)*${tag}\\b`, 'm').test(require('node:fs').readFileSync(f, 'utf8'))).sort();
// @serial ones lead: each needs its system to itself, which it has only before the others start.
const slowFirst = [...tagged('@serial'), ...tagged('@slow')];

// cucumber merges configured paths with those on the command line, so the configured ones are left
// out when the command line names feature files or folders.
const VALUED = ['-p', '--profile', '-t', '--tags', '--name', '-f', '--format', '--format-options', '--parallel', '--retry', '--retry-tag-filter', '--order', '--world-parameters', '-r', '--require', '-i', '--import', '--require-module', '-c', '--config'];
const cliPaths = argv.some((a, i) => !a.startsWith('-') && !VALUED.includes(argv[i - 1]) && /(^|\/)features(\/|$)|\.feature(:\d+)*$/.test(a));

const common = {
  ...(cliPaths ? {} : { paths: [...slowFirst, 'features/**/*.feature'] }),
  requireModule: ['ts-node/register'],
  require: ['world/**/*.ts', 'support/**/*.ts', 'step-definitions/**/*.ts'],
  format: ['progress', './support/formatters/summary.js', ...reports('cucumber')],
  formatOptions: { snippetInterface: 'async-await', junit: { suiteName: 'acceptance' } },
  parallel: workers,
  tags: 'not @wip',
  strict: true,
};

const profile = (overrides) => ({ ...common, ...overrides });

const config = {
  default: profile({}),
  tier1: profile({ tags: '@tier1 and not @wip' }),
  tier2: profile({ tags: '@tier2 and not @wip' }),
  ci: profile({ retry: 1, retryTagFilter: '@flaky', format: ['summary', './support/formatters/summary.js', ...reports('ci')] }),
  nightly: profile({ retry: 1, retryTagFilter: '@flaky', format: ['progress', './support/formatters/summary.js', ...reports('nightly')] }),
  p0: profile({ tags: '@bud and @p0 and not @wip' }),
  p0p1: profile({ tags: '@bud and (@p0 or @p1) and not @wip' }),
  rabbitmq: profile({ tags: '@waldur and @stomp and not @wip', format: ['progress', './support/formatters/summary.js', ...reports('rabbitmq')] }),
};

function stop(message) {
  process.stderr.write(`e2e config error: ${message}\n`);
  process.exit(2);
}

/** Runs once, in the coordinator, before any worker is forked. */
async function prepare() {
  let suite;
  let deployment;
  const started = Date.now();
  let deploymentMs;
  process.on('exit', (code) => {
    if (deployment) deployment.stop();
    // What `npm run report` needs to label this run: its JSON, target, wall time (support/report.ts).
    const meta = { report: reportName, run_id: process.env.E2E_RUN_ID, target: process.env.E2E_TARGET_LABEL, started_at: new Date(started).toISOString(),
      wall_seconds: (Date.now() - started) / 1000, deployment_ms: deploymentMs, exit_code: code, profiles };
    require('node:fs').writeFileSync(staged.path(`${reportName}.run.json`), `${JSON.stringify(meta, null, 2)}\n`);
    staged.finish();
  });
  try {
    suite = loadConfig();
    if (isDryRun) return config;
    preflight(suite);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    stop(e.message);
  }
  for (const system of SYSTEMS) {
    const reason = skipReason(suite, system);
    if (reason) process.stderr.write(`e2e: skipping @${system} scenarios: ${reason}\n`);
  }
  process.env.E2E_TARGET_LABEL ??= `${suite.source} (${SYSTEMS.filter((s) => suite[s]).map((s) => `${s}: ${suite[s].target}`).join(', ')})`;
  if (needsDeployment(suite)) {
    // Cucumber loads the support code and forks the workers once this function returns: they load
    // while the deployment boots, and each waits for it to answer before its first scenario
    // (support/hooks.ts). If it does not start, the run ends with the one line that says why.
    const t0 = Date.now();
    deployment = launchDeployment(suite.source);
    process.env.E2E_CONFIG = deployment.configFile;
    process.env.E2E_DEPLOYMENT_PID = String(deployment.pid);
    deployment.ready.then(
      () => {
        deploymentMs = Date.now() - t0;
        process.stderr.write(`e2e: emulator deployment answering after ${deploymentMs} ms (pid ${deployment.pid}, one for every worker)\n`);
      },
      (e) => {
        dropWorkers(deployment.pid);
        stop(e instanceof ConfigError ? e.message : String(e?.message ?? e).split('\n')[0]);
      },
    );
  }
  onInterrupt({ deployment, staged });
  yieldCpu();
  return config;
}

// The suite is the platform's client, on a machine of its own against a staging deployment; beside an
// embedded deployment it yields the CPU to the platform when both want it. Lowered here, once the
// deployment is started (it keeps the normal priority), so every worker inherits it from its first
// instruction, loading included. Lowering one's own priority is always permitted; one already lower stays.
function yieldCpu() {
  const os = require('node:os');
  const CLIENT_NICENESS = 10;
  try {
    if (os.getPriority() < CLIENT_NICENESS) os.setPriority(CLIENT_NICENESS);
  } catch {
    /* not permitted: run at the inherited priority */
  }
}

module.exports = { default: prepare };
