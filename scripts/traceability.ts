/**
 * Traceability against the catalog: which documented scenarios (../shared/catalog.yaml, or the path
 * given) have a feature that carries their tag, on the Feature or on one of its scenarios.
 *   npm run traceability            -> table, exit 0
 *   npm run traceability -- --strict -> exit 1 when any is missing
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';

const root = resolve(__dirname, '..');
const args = process.argv.slice(2);
const strict = args.includes('--strict');
const catalogPath = resolve(args.find((a) => !a.startsWith('--')) ?? join(root, '..', 'shared', 'catalog.yaml'));
if (!existsSync(catalogPath)) {
  process.stderr.write(`traceability: no catalog at ${catalogPath}; pass its path as an argument\n`);
  process.exit(2);
}

function featureFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? featureFiles(p) : p.endsWith('.feature') ? [p] : [];
  });
}

/** Tags of each file: on its Feature (the catalog id of a feature) or on a Scenario (a README scenario inside one). */
const featureTags = new Map<string, string>();
for (const file of featureFiles(join(root, 'features'))) {
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!/^\s*@/.test(line)) continue;
    for (const tag of line.split('#')[0].split(/\s+/).filter((t) => t.startsWith('@'))) if (!featureTags.has(tag)) featureTags.set(tag, relative(root, file));
  }
}

interface Entry { tag: string; title: string }
const entries: { group: string; entry: Entry }[] = [];
const walk = (node: unknown, path: string[]) => {
  if (Array.isArray(node)) for (const e of node) entries.push({ group: path.join('/'), entry: e as Entry });
  else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
};
walk(parse(readFileSync(catalogPath, 'utf8')), []);

let missing = 0;
for (const { group, entry } of entries) {
  const file = featureTags.get(entry.tag);
  if (!file) missing += 1;
  process.stdout.write(`${file ? 'ok     ' : 'MISSING'} ${entry.tag.padEnd(34)} ${group.padEnd(22)} ${file ?? entry.title}\n`);
}
process.stdout.write(`\n${entries.length - missing} of ${entries.length} documented scenarios have a feature.\n`);
process.exit(strict && missing ? 1 : 0);
