// Pack registration from a directory (POST /packs/register {path}) or an uploaded .tar.gz
// (POST /packs/upload, field `pack`), following upstream's pack layout: pack.yaml, actions/*.yaml
// (+ scripts), triggers/*.yaml, rules/*.yaml, workflows referenced by actions' workflow_file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as YAML from 'yaml';
import type { Caller } from './auth';
import { createAction, createPack, createRule, createTrigger, createWorkflow } from './catalog';
import type { Database, Row } from './db';
import { badRequest, Body, conflict, invalid } from './http';
import { registerSensors } from './sensors';

function readYaml(file: string): Row {
  try {
    const v = YAML.parse(fs.readFileSync(file, 'utf8'));
    return v && typeof v === 'object' ? v : {};
  } catch (e: any) {
    throw invalid(`${path.basename(file)}: ${e.message}`);
  }
}

function yamlFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f));
}

/**
 * Register the pack in `source` (a directory on this machine; embedded runs share the filesystem).
 * The directory is copied under `packsRoot/<ref>` and its metadata loaded. With `force` an existing
 * pack of the same ref is replaced (its stale actions, triggers and rules go with it).
 */
export async function registerPack(db: Database, caller: Caller, source: string, packsRoot: string, force: boolean): Promise<Row> {
  const meta = readYaml(path.join(source, 'pack.yaml'));
  const ref = meta.ref;
  if (typeof ref !== 'string' || typeof meta.version !== 'string' && typeof meta.version !== 'number') throw invalid('pack.yaml needs ref and version');
  const existing = await db.one('SELECT * FROM pack WHERE ref = $1', [ref]);
  if (existing) {
    if (!force) throw conflict(`Pack '${ref}' already exists. Use force=true to reinstall.`);
    if (existing.tenant !== caller.tenant && !caller.isAdmin) throw conflict(`Pack '${ref}' already exists`);
    await db.query('DELETE FROM pack WHERE id = $1', [existing.id]);
  }
  const dir = path.join(packsRoot, ref);
  // On the thread pool: a pack's files never hold up the API's event loop (other callers' requests).
  await fs.promises.rm(dir, { recursive: true, force: true });
  await fs.promises.cp(source, dir, { recursive: true });
  const pack = await createPack(db, caller, new Body({
    ref, version: String(meta.version), label: meta.label ?? meta.name ?? ref, description: meta.description,
    conf_schema: meta.conf_schema ?? meta.config_schema, config: meta.config, meta: meta.meta ?? meta.metadata,
    tags: meta.tags ?? meta.keywords, runtime_deps: meta.runtime_deps, dependencies: meta.dependencies, is_standard: meta.system === true,
  }), dir);
  for (const file of yamlFiles(path.join(dir, 'triggers'))) {
    const t = readYaml(file);
    if (!t.ref) continue;
    await createTrigger(db, caller, new Body({ ref: t.ref, pack_ref: ref, label: t.label ?? t.ref, description: t.description, enabled: t.enabled, param_schema: t.parameters, out_schema: t.output }));
  }
  await registerSensors(db, caller, pack, yamlFiles(path.join(dir, 'sensors')).map(readYaml));
  for (const file of yamlFiles(path.join(dir, 'actions'))) {
    const a = readYaml(file);
    if (!a.ref) continue; // upstream's loader skips YAML without ref
    if (a.workflow_file) {
      const inActions = path.join(dir, 'actions', a.workflow_file);
      const wf = readYaml(fs.existsSync(inActions) ? inActions : path.join(dir, a.workflow_file));
      await createWorkflow(db, caller, new Body({
        ref: a.ref, pack_ref: ref, label: a.label ?? a.ref, description: a.description, version: String(wf.version ?? meta.version),
        param_schema: a.parameters ?? wf.parameters, out_schema: a.output ?? wf.output, definition: wf,
      }));
      continue;
    }
    await createAction(db, caller, new Body({
      ref: a.ref, pack_ref: ref, label: a.label ?? a.ref, description: a.description, entrypoint: a.entry_point ?? a.entrypoint,
      runtime_ref: a.runner_type ?? a.runtime_ref ?? 'shell', param_schema: a.parameters, out_schema: a.output,
      parameter_format: a.parameter_format, output_format: a.output_format, is_adhoc: false,
    }));
  }
  for (const file of yamlFiles(path.join(dir, 'rules'))) {
    const r = readYaml(file);
    if (!r.ref) continue;
    await createRule(db, caller, new Body({
      ref: r.ref, pack_ref: ref, label: r.label ?? r.ref, description: r.description, action_ref: r.action_ref, trigger_ref: r.trigger_ref,
      conditions: r.conditions, action_params: r.action_params, trigger_params: r.trigger_params, enabled: r.enabled,
    }));
  }
  return pack;
}

/**
 * Unpack a (gzipped) ustar/pax archive into `dest` and return the directory holding pack.yaml.
 * Only regular files and directories are extracted; paths may not escape `dest`.
 */
export function extractPackArchive(archive: Buffer, dest: string): string {
  let data: Buffer;
  try {
    data = archive[0] === 0x1f && archive[1] === 0x8b ? gunzipSync(archive) : archive;
  } catch {
    throw badRequest('pack must be a .tar.gz archive');
  }
  const root = path.resolve(dest);
  let longName: string | undefined;
  for (let off = 0; off + 512 <= data.length; ) {
    const header = data.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (s: number, n: number) => header.subarray(s, s + n).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    if (!Number.isFinite(size) || field(257, 5) !== 'ustar' && !field(257, 6).startsWith('ustar')) throw badRequest('pack must be a .tar.gz archive');
    const type = field(156, 1) || '0';
    const body = data.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') { longName = body.toString('utf8').replace(/\0.*$/s, ''); continue; }
    if (type === 'x') { longName = /\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1] ?? longName; continue; }
    const prefix = field(345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    const target = path.resolve(root, name);
    if (target !== root && !target.startsWith(root + path.sep)) throw badRequest(`archive entry escapes the pack: ${name}`);
    if (type === '5') fs.mkdirSync(target, { recursive: true });
    else if (type === '0' || type === '7') {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, body, { mode: parseInt(field(100, 8).trim() || '644', 8) & 0o755 });
    }
  }
  const find = (dir: string, depth: number): string | undefined => {
    if (fs.existsSync(path.join(dir, 'pack.yaml'))) return dir;
    if (depth === 0) return undefined;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const hit = e.isDirectory() ? find(path.join(dir, e.name), depth - 1) : undefined;
      if (hit) return hit;
    }
    return undefined;
  };
  const found = find(root, 2);
  if (!found) throw badRequest('pack.yaml not found in the archive');
  return found;
}
