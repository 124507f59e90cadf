/**
 * Traceability against the catalog: which documented scenarios (../shared/catalog.yaml, or the path
 * given) have a feature whose Feature line carries their tag.
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

/** Tags on the line(s) directly above `Feature:` in each file. */
const featureTags = new Map<string, string>();
for (const file of featureFiles(join(root, 'features'))) {
  const lines = readFileSync(file, 'utf8').split('\n');
  const at = lines.findIndex((l) => /^\s*Feature:/.test(l));
  for (let i = at - 1; i >= 0 && /^\s*(@|#|$)/.test(lines[i]); i--) {
    for (const tag of lines[i].split('#')[0].split(/\s+/).filter((t) => t.startsWith('@'))) featureTags.set(tag, relative(root, file));
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
