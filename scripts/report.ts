/**
 * Build the multiple-cucumber-html-reporter page from the cucumber JSON of the last run(s):
 *   npm run report            -> reports/html/index.html from every reports/*.json
 *   npm run report -- ci      -> only reports/ci.json
 * Metadata: target config, git commit, Node version, run duration.
 */
import { execSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const reporter = require('multiple-cucumber-html-reporter');

const root = resolve(__dirname, '..');
const reports = join(root, 'reports');
const only = process.argv[2];

function gitCommit(): string {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

interface JsonStep { result?: { duration?: number } }
interface JsonElement { steps?: JsonStep[] }
interface JsonFeature { elements?: JsonElement[] }

const files = existsSync(reports)
  ? readdirSync(reports).filter((f) => f.endsWith('.json') && (!only || f === `${only}.json`))
  : [];
if (!files.length) {
  process.stderr.write(`report: no cucumber JSON in reports/${only ? ` named ${only}.json` : ''}; run the suite first (npx cucumber-js)\n`);
  process.exit(1);
}

const jsonDir = join(reports, '.json');
rmSync(jsonDir, { recursive: true, force: true });
mkdirSync(jsonDir, { recursive: true });
let nanos = 0;
for (const f of files) {
  copyFileSync(join(reports, f), join(jsonDir, f));
  const features = JSON.parse(readFileSync(join(reports, f), 'utf8')) as JsonFeature[];
  for (const feature of features) {
    for (const el of feature.elements ?? []) for (const s of el.steps ?? []) nanos += s.result?.duration ?? 0;
  }
}

const reportPath = join(reports, 'html');
reporter.generate({
  jsonDir,
  reportPath,
  pageTitle: 'Acceptance suite',
  reportName: 'Waldur federation · Attune · bud-stack acceptance',
  displayDuration: true,
  displayReportTime: true,
  hideMetadata: false,
  customMetadata: true,
  metadata: [
    { name: 'Target', value: process.env.E2E_CONFIG || 'config/embedded.yaml' },
    { name: 'Git commit', value: gitCommit() },
    { name: 'Node', value: process.version },
  ],
  customData: {
    title: 'Run',
    data: [
      { label: 'Runs', value: files.map((f) => f.replace(/\.json$/, '')).join(', ') },
      { label: 'Target', value: process.env.E2E_CONFIG || 'config/embedded.yaml' },
      { label: 'Git commit', value: gitCommit() },
      { label: 'Node', value: process.version },
      { label: 'Scenario time (sum)', value: `${(nanos / 1e9).toFixed(1)} s` },
    ],
  },
});
rmSync(jsonDir, { recursive: true, force: true });
process.stdout.write(`report: ${join('reports', 'html', 'index.html')} (from ${files.join(', ')})\n`);
