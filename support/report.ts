/**
 * The HTML report a product owner opens: reports/html/index.html, built from ONE run's cucumber JSON
 * (the newest `<name>.run.json` that cucumber.js writes at the end of a run, or the name given).
 * The front page shows, without a click: the target really used, the run's wall time, passed /
 * failed / skipped per system and tier or priority, the failures first with their error text, and
 * the run's text summary (the Attune plan's report format). Scenario details are the
 * multiple-cucumber-html-reporter pages under html/details/, linked from the front page.
 */
import { execSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { groupOf, catalogId } = require('./formatters/summary.js') as { groupOf(tags: string[]): string; catalogId(tags: string[]): string };

export class ReportError extends Error {}

export interface RunMeta {
  report: string;
  run_id?: string;
  target?: string;
  started_at?: string;
  wall_seconds?: number;
  deployment_ms?: number;
}

interface JsonStep { keyword?: string; name?: string; hidden?: boolean; result?: { status: string; duration?: number; error_message?: string } }
interface JsonElement { name: string; line: number; type?: string; tags?: { name: string }[]; steps?: JsonStep[] }
interface JsonFeature { name: string; uri: string; elements?: JsonElement[] }

export interface ScenarioRow {
  group: string;
  id: string;
  feature: string;
  name: string;
  where: string;
  status: 'passed' | 'failed' | 'skipped';
  seconds: number;
  error?: string;
}

/** The run to report: `name` (e.g. ci), or the newest run cucumber.js recorded in `dir`. */
export function findRun(dir: string, name?: string): RunMeta {
  if (name) {
    const metaFile = join(dir, `${name}.run.json`);
    return existsSync(metaFile) ? readMeta(metaFile) : { report: name };
  }
  const metas = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.run.json')).map((f) => readMeta(join(dir, f))) : [];
  if (!metas.length) throw new ReportError(`no finished run in ${dir}; run the suite first (npx cucumber-js), or name a report: npm run report -- ci`);
  return metas.sort((a, b) => String(b.started_at).localeCompare(String(a.started_at)))[0];
}

function readMeta(file: string): RunMeta {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunMeta;
  } catch {
    throw new ReportError(`${file} is not a run record cucumber.js wrote (unreadable or truncated); run the suite again`);
  }
}

/** One row per scenario of the run's cucumber JSON. */
export function scenarioRows(jsonFile: string): ScenarioRow[] {
  if (!existsSync(jsonFile)) throw new ReportError(`${jsonFile} is missing; run the suite first (npx cucumber-js)`);
  let features: JsonFeature[];
  try {
    features = JSON.parse(readFileSync(jsonFile, 'utf8')) as JsonFeature[];
    if (!Array.isArray(features)) throw new Error('not a list');
  } catch {
    throw new ReportError(`${jsonFile} is not complete cucumber JSON (truncated by an interrupted run?); run the suite again`);
  }
  return features.flatMap((f) =>
    (f.elements ?? [])
      .filter((e) => e.type !== 'background')
      .map((e) => {
        const tags = (e.tags ?? []).map((t) => t.name);
        const results = (e.steps ?? []).map((s) => s.result).filter((r): r is NonNullable<JsonStep['result']> => Boolean(r));
        const bad = results.find((r) => !['passed', 'skipped'].includes(r.status));
        const status: ScenarioRow['status'] = bad ? 'failed' : results.some((r) => r.status === 'skipped') ? 'skipped' : 'passed';
        return {
          group: groupOf(tags),
          id: catalogId(tags),
          feature: f.name,
          name: e.name,
          where: `${f.uri}:${e.line}`,
          status,
          seconds: results.reduce((sum, r) => sum + (r.duration ?? 0), 0) / 1e9,
          error: bad ? (bad.error_message ?? bad.status).split('\n').slice(0, 12).join('\n') : undefined,
        };
      }),
  );
}

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function gitCommit(root: string): string {
  try {
    return execSync('git rev-parse --short HEAD', { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

/** The front page's HTML. */
export function frontPage(meta: RunMeta, rows: ScenarioRow[], summary: string, facts: { commit: string; node: string }): string {
  const count = (list: ScenarioRow[], s: ScenarioRow['status']) => list.filter((r) => r.status === s).length;
  const groups = [...new Set(rows.map((r) => r.group))].sort();
  const failures = rows.filter((r) => r.status === 'failed');
  const sum = rows.reduce((t, r) => t + r.seconds, 0);
  const verdict = failures.length ? 'failed' : rows.length ? 'passed' : 'empty';
  const groupRows = groups.map((g) => {
    const list = rows.filter((r) => r.group === g);
    return `<tr class="${count(list, 'failed') ? 'bad' : ''}"><th scope="row">${esc(g)}</th><td class="n passed">${count(list, 'passed')}</td><td class="n failed">${count(list, 'failed')}</td><td class="n skipped">${count(list, 'skipped')}</td><td class="n">${list.length}</td></tr>`;
  });
  const failureItems = failures.map(
    (r) => `<li class="failure"><h3>${esc(r.id && !r.feature.startsWith(`${r.id} `) ? `${r.id} ` : '')}${esc(r.feature)} › ${esc(r.name)}</h3><p class="where">${esc(r.group)} · ${esc(r.where)} · ${r.seconds.toFixed(1)} s</p><pre class="error">${esc(r.error ?? '')}</pre></li>`,
  );
  const fact = (label: string, value: unknown) => `<div><dt>${esc(label)}</dt><dd>${esc(value)}</dd></div>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acceptance run ${esc(meta.run_id ?? '')}: ${verdict}</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1d2330;padding:0 1rem}
h1{margin:0 0 .3rem}h2{margin-top:2rem;border-bottom:1px solid #d7dbe3;padding-bottom:.2rem}
.verdict{display:inline-block;padding:.2rem .7rem;border-radius:4px;color:#fff;font-weight:600}
.verdict.passed{background:#2e7d32}.verdict.failed{background:#c62828}.verdict.empty{background:#6b7280}
dl{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:.4rem 1.2rem;margin:1rem 0}dt{font-size:12px;color:#5b6474;text-transform:uppercase}dd{margin:0;font-weight:600;word-break:break-all}
table{border-collapse:collapse;width:100%}th,td{padding:.35rem .6rem;border-bottom:1px solid #e5e8ee;text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.bad th{color:#c62828}td.failed{color:#c62828;font-weight:600}td.passed{color:#2e7d32}td.skipped{color:#6b7280}
ol.failures{padding-left:1.2rem}li.failure h3{margin:.8rem 0 .1rem;font-size:15px;color:#c62828}.where{margin:0;color:#5b6474;font-size:13px}
pre{background:#f5f6f8;border:1px solid #e5e8ee;padding:.6rem;overflow-x:auto;white-space:pre-wrap;overflow-wrap:anywhere;font-size:13px}
</style></head><body>
<h1>Acceptance run <span class="verdict ${verdict}">${verdict === 'failed' ? `${failures.length} failed` : verdict}</span></h1>
<p>${count(rows, 'passed')} passed, ${count(rows, 'failed')} failed, ${count(rows, 'skipped')} skipped of ${rows.length} scenarios. <a href="details/index.html">Scenario details</a></p>
<dl>${[
    fact('Target', meta.target ?? 'unknown'),
    fact('Wall time', meta.wall_seconds !== undefined ? `${meta.wall_seconds.toFixed(1)} s` : 'unknown'),
    fact('Scenario time (sum)', `${sum.toFixed(1)} s`),
    fact('Deployment start', meta.deployment_ms !== undefined ? `${meta.deployment_ms} ms` : 'none (remote target)'),
    fact('Started', meta.started_at ?? 'unknown'),
    fact('Run id', meta.run_id ?? 'unknown'),
    fact('Git commit', facts.commit),
    fact('Node', facts.node),
  ].join('')}</dl>
<section id="failures"><h2>Failures (${failures.length})</h2>${failures.length ? `<ol class="failures">${failureItems.join('\n')}</ol>` : '<p>None.</p>'}</section>
<section id="groups"><h2>By system and tier or priority</h2>
<table><thead><tr><th>group</th><th>passed</th><th>failed</th><th>skipped</th><th>total</th></tr></thead><tbody>
${groupRows.join('\n')}
</tbody></table></section>
<section id="summary"><h2>Run summary</h2><pre>${esc(summary || '(no text summary was written for this run)')}</pre></section>
</body></html>
`;
}

/** Build reports/html for one run; returns the front page's path. */
export function buildReport(opts: { reportsDir: string; root: string; name?: string; details?: boolean }): { page: string; meta: RunMeta; rows: ScenarioRow[] } {
  const meta = findRun(opts.reportsDir, opts.name);
  const jsonFile = join(opts.reportsDir, `${meta.report}.json`);
  const rows = scenarioRows(jsonFile);
  const summaryFile = join(opts.reportsDir, `${meta.report}.summary.txt`);
  const summary = existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8').trim() : '';
  const out = join(opts.reportsDir, 'html');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  if (opts.details !== false) {
    const jsonDir = mkdtempSync(join(tmpdir(), 'e2e-report-'));
    writeFileSync(join(jsonDir, `${meta.report}.json`), readFileSync(jsonFile));
    const log = console.log; // the reporter announces itself in colour; the caller says where the report is
    console.log = () => undefined;
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('multiple-cucumber-html-reporter').generate({
        jsonDir,
        reportPath: join(out, 'details'),
        pageTitle: 'Acceptance suite: scenario details',
        reportName: `Scenario details: ${meta.target ?? meta.report}`,
        displayDuration: true,
        customMetadata: true,
        metadata: [{ name: 'Target', value: meta.target ?? 'unknown' }],
        customData: { title: 'Run', data: [{ label: 'Run id', value: meta.run_id ?? 'unknown' }, { label: 'Wall time', value: `${meta.wall_seconds ?? '?'} s` }] },
      });
    } finally {
      console.log = log;
      rmSync(jsonDir, { recursive: true, force: true });
    }
  }
  const page = join(out, 'index.html');
  writeFileSync(page, frontPage(meta, rows, summary, { commit: gitCommit(opts.root), node: process.version }));
  return { page, meta, rows };
}
