/**
 * npm run report [-- NAME]: reports/html/index.html from one run's cucumber JSON (support/report.ts):
 * the newest run cucumber.js recorded, or reports/NAME.json (e.g. ci, nightly, rabbitmq).
 */
import { join, relative, resolve } from 'node:path';
import { buildReport, ReportError } from '../support/report';

const root = resolve(__dirname, '..');
try {
  const { page, meta, rows } = buildReport({ reportsDir: join(root, 'reports'), root, name: process.argv[2] });
  const failed = rows.filter((r) => r.status === 'failed').length;
  process.stdout.write(`report: ${relative(root, page)} (run ${meta.run_id ?? meta.report}, ${rows.length} scenarios, ${failed} failed, target ${meta.target ?? 'unknown'})\n`);
} catch (e) {
  if (!(e instanceof ReportError)) throw e;
  process.stderr.write(`report: ${e.message}\n`);
  process.exit(1);
}
