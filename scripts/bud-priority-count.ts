/**
 * Count the bud scenarios per priority per feature (from the Gherkin; every Examples row counts one)
 * and compare with the catalog's minimums. Prints a table; exits 1 when a count falls short, a
 * catalog entry has no feature, or a scenario carries no or several priority tags.
 *
 *   node -r ts-node/register/transpile-only scripts/bud-priority-count.ts [catalog.yaml] [features dir]
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { AstBuilder, GherkinClassicTokenMatcher, Parser } from '@cucumber/gherkin';
import { IdGenerator } from '@cucumber/messages';
import { parse } from 'yaml';

export const PRIORITIES = ['p0', 'p1', 'p2'] as const;
export type Priority = (typeof PRIORITIES)[number];
export type Counts = Record<Priority, number>;

export interface CatalogEntry {
  tag: string;
  title: string;
  p0?: number;
  p1?: number;
  p2?: number;
}

export interface FeatureCount {
  file: string;
  tags: string[];
  counts: Counts;
  /** Scenarios (or Examples) without exactly one priority tag. */
  problems: string[];
}

const zero = (): Counts => ({ p0: 0, p1: 0, p2: 0 });

/** Bud catalog entries (every group under `bud:`). */
export function budCatalog(yamlText: string): CatalogEntry[] {
  const bud = (parse(yamlText) as { bud?: Record<string, CatalogEntry[]> }).bud ?? {};
  return Object.values(bud).flat();
}

/** Count one feature file's scenarios per priority. */
export function countFeature(text: string, file = 'feature'): FeatureCount {
  const doc = new Parser(new AstBuilder(IdGenerator.uuid()), new GherkinClassicTokenMatcher()).parse(text);
  const feature = doc.feature;
  const result: FeatureCount = { file, tags: feature?.tags.map((t) => t.name) ?? [], counts: zero(), problems: [] };
  const scenarios = (feature?.children ?? []).flatMap((c) => [
    ...(c.scenario ? [c.scenario] : []),
    ...(c.rule?.children ?? []).flatMap((rc) => (rc.scenario ? [rc.scenario] : [])),
  ]);
  for (const s of scenarios) {
    const own = s.tags.map((t) => t.name);
    const groups = s.examples.length ? s.examples.map((e) => ({ tags: [...own, ...e.tags.map((t) => t.name)], rows: e.tableBody.length })) : [{ tags: own, rows: 1 }];
    for (const g of groups) {
      const prios = PRIORITIES.filter((p) => g.tags.includes(`@${p}`));
      if (prios.length !== 1) result.problems.push(`${file}:${s.location.line} "${s.name}" has ${prios.length ? prios.map((p) => `@${p}`).join(' ') : 'no'} priority tag`);
      else result.counts[prios[0]] += g.rows;
    }
  }
  return result;
}

function featureFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? featureFiles(path) : name.endsWith('.feature') ? [path] : [];
  });
}

export interface Row {
  tag: string;
  file: string;
  counts: Counts;
  minimum: Counts;
  short: Priority[];
}

/** Rows for every bud catalog entry (an entry without counts needs none), plus the problems found. */
export function compare(catalog: CatalogEntry[], features: FeatureCount[]): { rows: Row[]; problems: string[] } {
  const problems = features.flatMap((f) => f.problems);
  const rows: Row[] = [];
  for (const entry of catalog) {
    const matching = features.filter((f) => f.tags.includes(entry.tag));
    const minimum: Counts = { p0: entry.p0 ?? 0, p1: entry.p1 ?? 0, p2: entry.p2 ?? 0 };
    if (matching.length !== 1) problems.push(`${entry.tag}: ${matching.length} feature files carry this tag (expected 1)`);
    const counts = matching.reduce((acc, f) => ({ p0: acc.p0 + f.counts.p0, p1: acc.p1 + f.counts.p1, p2: acc.p2 + f.counts.p2 }), zero());
    rows.push({ tag: entry.tag, file: matching.map((f) => f.file).join(', ') || '(missing)', counts, minimum, short: PRIORITIES.filter((p) => counts[p] < minimum[p]) });
  }
  return { rows, problems };
}

export function table(rows: Row[]): string {
  const cell = (r: Row, p: Priority) => `${r.counts[p]}/${r.minimum[p]}${r.short.includes(p) ? ' SHORT' : ''}`;
  const lines = [['tag', 'p0 (have/need)', 'p1 (have/need)', 'p2 (have/need)', 'file'], ...rows.map((r) => [r.tag, ...PRIORITIES.map((p) => cell(r, p)), r.file])];
  const widths = lines[0].map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  return lines.map((l) => l.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

function main(): number {
  const root = resolve(__dirname, '..');
  const catalogPath = process.argv[2] ?? '/work/shared/catalog.yaml';
  const dir = process.argv[3] ?? join(root, 'features', 'bud');
  const features = featureFiles(dir).map((f) => countFeature(readFileSync(f, 'utf8'), relative(root, f)));
  const { rows, problems } = compare(budCatalog(readFileSync(catalogPath, 'utf8')), features);
  process.stdout.write(`${table(rows)}\n`);
  for (const p of problems) process.stdout.write(`problem: ${p}\n`);
  const short = rows.filter((r) => r.short.length);
  process.stdout.write(short.length || problems.length ? `FAIL: ${short.length} feature(s) short, ${problems.length} problem(s)\n` : 'OK: every bud feature meets the catalog minimums\n');
  return short.length || problems.length ? 1 : 0;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (e) {
    process.stderr.write(`bud-priority-count: ${(e as Error).message}\n`);
    process.exitCode = 2;
  }
}
