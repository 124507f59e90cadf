// cucumber-js configuration. Profiles: default (embedded, every system, parallel), tier1, ci
// (strict: an unreachable target fails at once; retries @flaky once; JUnit), nightly, p0, p0p1,
// rabbitmq (STOMP features against a real RabbitMQ). The target is config/embedded.yaml unless
// E2E_CONFIG names another file; the config is checked here, before any worker starts, so a bad
// config stops the run with one line.
'use strict';
require('ts-node').register({ transpileOnly: true });
const { loadConfig, ConfigError } = require('./support/config.ts');
const { preflight } = require('./support/preflight.ts');

const argv = process.argv.slice(2);
const profiles = argv.flatMap((a, i) =>
  a === '-p' || a === '--profile' ? [argv[i + 1]] : a.startsWith('--profile=') ? [a.slice(10)] : [],
);
const isDryRun = argv.includes('--dry-run') || argv.includes('-d');
// Profiles that imply a target or strictness (workers inherit these variables).
if (profiles.includes('rabbitmq')) process.env.E2E_CONFIG ??= 'config/rabbitmq.yaml';
if (profiles.some((p) => ['ci', 'nightly', 'rabbitmq'].includes(p))) process.env.E2E_STRICT ??= 'true';
process.env.E2E_RUN_ID ??= Date.now().toString(36);

const workers = Number(process.env.E2E_PARALLEL ?? 4);

const reports = (name) => [
  ['json', `reports/${name}.json`],
  ['html', `reports/${name}.html`],
  ['junit', `reports/${name}.junit.xml`],
  ['message', `reports/${name}.ndjson`],
  ['rerun', `reports/${name}.rerun.txt`],
  ['./support/formatters/summary.js', `reports/${name}.summary.txt`],
];

const common = {
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
  ci: profile({ retry: 1, retryTagFilter: '@flaky', format: ['summary', './support/formatters/summary.js', ...reports('ci')] }),
  nightly: profile({ retry: 1, retryTagFilter: '@flaky', format: ['progress', './support/formatters/summary.js', ...reports('nightly')] }),
  p0: profile({ tags: '@bud and @p0 and not @wip' }),
  p0p1: profile({ tags: '@bud and (@p0 or @p1) and not @wip' }),
  rabbitmq: profile({ tags: '@waldur and @stomp and not @wip', format: ['progress', './support/formatters/summary.js', ...reports('rabbitmq')] }),
};

try {
  const suite = loadConfig();
  if (!isDryRun) preflight(suite);
} catch (e) {
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`e2e config error: ${e.message}\n`);
  process.exit(2);
}

module.exports = config;
