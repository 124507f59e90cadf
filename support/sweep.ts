/**
 * The sweep: finds, through each configured system's public API, everything whose name carries the
 * suite's naming pattern (`<prefix>-<run>-w<worker>-<n>`, or its `_` form for Attune refs) and removes
 * it, in an order that stops automation first (Attune rules are disabled before anything is deleted).
 * `scripts/sweep.ts` is its command line (`npm run sweep`); test/support/sweep.test.ts runs it
 * against the emulators.
 */
import { SuiteConfig, SystemName, SYSTEMS } from './config';
import { ensureTarget } from './targets';
import { HttpLog } from '../world/clients/http';
import { AttuneClient } from '../world/clients/attune';
import { WaldurClient, WaldurInstanceClient, hexUuid } from '../world/clients/waldur';
import { BudClient } from '../world/clients/bud';

/** The run id (Date.now() in base 36, as cucumber.js makes it) in a suite-made name. */
const SUITE_NAME = /(?:^|[-_.])([0-9a-z]{7,10})[-_]w\d+[-_]\d+(?:$|[-_.@])/i;

export interface SweepOptions {
  /** Only this run's leftovers. */
  run?: string;
  /** Only runs that started at least this long ago (ms). */
  olderThanMs?: number;
  /** List, remove nothing. */
  dryRun?: boolean;
  now?: number;
}

export interface SweepItem {
  system: SystemName;
  kind: string;
  name: string;
  run: string;
  removed: boolean;
  error?: string;
}

/** When the run named `run` started, if `run` is a run id the suite made (base-36 milliseconds). */
export function runStarted(run: string): number | undefined {
  const ms = parseInt(run, 36);
  return ms > Date.UTC(2020, 0, 1) && ms < Date.now() + 86_400_000 ? ms : undefined;
}

/** The run id a name carries, when the suite made it and the options select it. */
export function selectedRun(name: string, opts: SweepOptions): string | undefined {
  const run = SUITE_NAME.exec(name)?.[1]?.toLowerCase();
  if (!run) return undefined;
  const started = runStarted(run);
  if (started === undefined) return undefined;
  if (opts.run && run !== opts.run.toLowerCase()) return undefined;
  if (opts.olderThanMs !== undefined && (opts.now ?? Date.now()) - started < opts.olderThanMs) return undefined;
  return run;
}

/** `2h`, `30m`, `45s`, `1d` -> milliseconds. */
export function parseAge(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(s|m|h|d)$/.exec(text.trim());
  if (!m) throw new Error(`--older-than takes an age such as 30m, 2h or 1d; got "${text}"`);
  return Number(m[1]) * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/** One kind of entity: how to list it (name and how to remove it) on one system. */
interface Kind {
  kind: string;
  list: () => Promise<{ name: string; remove: () => Promise<unknown> }[]>;
}

function ok(what: string, reply: { status: number; body?: unknown }, also: number[] = []): void {
  if (reply.status >= 300 && reply.status !== 404 && !also.includes(reply.status)) {
    throw new Error(`${what}: ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
  }
}

async function pages<T>(fetchPage: (page: number) => Promise<T[]>, size: number): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; page <= 1000; page++) {
    const items = await fetchPage(page);
    all.push(...items);
    if (items.length < size) break;
  }
  return all;
}

function attuneKinds(client: AttuneClient): Kind[] {
  const list = (path: string) =>
    pages(async (page) => {
      const r = await client.call('get', path, undefined, { page, page_size: 100 });
      ok(`list ${path}`, r);
      const items = r.body?.items ?? r.body?.data ?? [];
      return items as { ref?: string; login?: string; name?: string; id: number }[];
    }, 100);
  const byRef = (kind: string, path: string, remove: (ref: string) => Promise<unknown>): Kind => ({
    kind,
    list: async () => (await list(path)).map((e) => ({ name: e.ref!, remove: () => remove(e.ref!) })),
  });
  const del = (path: string) => async (ref: string) => ok(`delete ${path}/${ref}`, await client.call('delete', `${path}/${encodeURIComponent(ref)}`));
  return [
    // Rules first, disabled before they are deleted, so no timer or webhook fires while the sweep runs.
    byRef('rule', '/api/v1/rules', async (ref) => {
      ok(`disable rule ${ref}`, await client.disableRule(ref), [400, 409]);
      ok(`delete rule ${ref}`, await client.deleteRule(ref));
    }),
    // Worker services a scenario started for itself (the embedded Attune's operator interface; a
    // target without one answers 404, which lists nothing).
    {
      kind: 'worker',
      list: async () => (await list('/__admin/workers')).map((w) => ({ name: w.name!, remove: async () => ok(`remove worker ${w.name}`, await client.call('delete', `/__admin/workers/${encodeURIComponent(w.name!)}`)) })),
    },
    byRef('trigger', '/api/v1/triggers', del('/api/v1/triggers')),
    byRef('workflow', '/api/v1/workflows', del('/api/v1/workflows')),
    byRef('action', '/api/v1/actions', del('/api/v1/actions')),
    byRef('key', '/api/v1/keys', del('/api/v1/keys')),
    byRef('pack', '/api/v1/packs', del('/api/v1/packs')),
    {
      kind: 'identity',
      list: async () =>
        (await list('/api/v1/identities')).map((e) => ({ name: e.login!, remove: async () => ok(`delete identity ${e.login}`, await client.deleteIdentity(e.id)) })),
    },
  ];
}

function waldurKinds(side: WaldurInstanceClient): Kind[] {
  type Row = { uuid: string; name?: string; title?: string; username?: string; state?: string };
  const named = (kind: string, path: string, field: keyof Row, remove: (r: Row) => Promise<unknown>, params: Record<string, unknown> = {}): Kind => ({
    kind,
    list: async () => ((await side.list(path, params)) as Row[]).map((r) => ({ name: String(r[field] ?? ''), remove: () => remove(r) })),
  });
  const del = (path: string) => (r: Row) => side.call('delete', `${path}${hexUuid(r.uuid)}/`);
  return [
    named('resource', '/api/marketplace-resources/', 'name', (r) => side.terminateAsOperator(r.uuid), { state: ['Creating', 'OK', 'Erred', 'Updating'] }),
    named('project', '/api/projects/', 'name', (r) => side.deleteProject(r.uuid)),
    named('offering', '/api/marketplace-provider-offerings/', 'name', del('/api/marketplace-provider-offerings/')),
    named('category', '/api/marketplace-categories/', 'title', del('/api/marketplace-categories/')),
    named('customer', '/api/customers/', 'name', del('/api/customers/')),
    named('user', '/api/users/', 'username', del('/api/users/')),
  ];
}

function budKinds(client: BudClient): Kind[] {
  const token = () => client.adminAccessToken();
  type Row = Record<string, unknown>;
  const list = (path: string, key: string, unwrap: (r: Row) => Row = (r) => r) =>
    pages(async (page) => {
      const r = await client.get(await token(), path, { page, limit: 100 });
      ok(`list ${path}`, r);
      return ((r.body[key] as Row[] | undefined) ?? []).map(unwrap);
    }, 100);
  const named = (kind: string, path: string, key: string, field: string, remove: (id: string) => Promise<{ status: number; body?: unknown }>, unwrap?: (r: Row) => Row): Kind => ({
    kind,
    list: async () =>
      (await list(path, key, unwrap)).map((r) => ({
        name: String(r[field] ?? ''),
        remove: async () => ok(`delete ${kind} ${r[field]}`, await remove(String(r.id))),
      })),
  });
  return [
    named('endpoint', '/endpoints', 'endpoints', 'name', async (id) => client.deleteEndpoint(await token(), id)),
    named('cluster', '/clusters/clusters', 'clusters', 'name', async (id) => client.deleteCluster(await token(), id)),
    named('project', '/projects', 'projects', 'name', async (id) => client.deleteProject(await token(), id), (r) => r.project as Row),
    named('model', '/models', 'models', 'name', async (id) => client.deleteModel(await token(), id), (r) => r.model as Row),
    named('user', '/users', 'users', 'email', async (id) => client.deleteUser(await token(), id)),
  ];
}

async function kindsOf(system: SystemName, cfg: SuiteConfig, log: HttpLog): Promise<{ label: string; kinds: Kind[]; close?: () => Promise<void> }[]> {
  if (system === 'attune') {
    const client = new AttuneClient(await ensureTarget('attune', cfg), log);
    return [{ label: 'attune', kinds: attuneKinds(client), close: () => client.close() }];
  }
  if (system === 'waldur') {
    const client = new WaldurClient(await ensureTarget('waldur', cfg), log);
    return (['a', 'b'] as const).map((s) => ({ label: `waldur ${s.toUpperCase()}`, kinds: waldurKinds(client.side(s)) }));
  }
  return [{ label: 'bud', kinds: budKinds(new BudClient(await ensureTarget('bud', cfg), log)) }];
}

/**
 * Sweep every configured system. `say` gets one line per system: what it found and removed.
 * Returns every item it found (removed or not).
 */
export async function sweep(cfg: SuiteConfig, opts: SweepOptions, say: (line: string) => void): Promise<SweepItem[]> {
  const found: SweepItem[] = [];
  const log = new HttpLog();
  for (const system of SYSTEMS) {
    if (!cfg[system]) continue;
    if (cfg[system]!.target === 'embedded') {
      say(`${system}: embedded in ${cfg.source}: its deployment ends with its run, so nothing outlives it (point E2E_CONFIG at a remote config to sweep one)`);
      continue;
    }
    for (const { label, kinds, close } of await kindsOf(system, cfg, log)) {
      const mine: SweepItem[] = [];
      try {
        for (const kind of kinds) {
          for (const entity of await kind.list()) {
            const run = selectedRun(entity.name, opts);
            if (!run) continue;
            const item: SweepItem = { system, kind: kind.kind, name: entity.name, run, removed: false };
            mine.push(item);
            if (opts.dryRun) continue;
            try {
              await entity.remove();
              item.removed = true;
            } catch (e) {
              item.error = (e as Error).message.split('\n')[0];
            }
          }
        }
      } catch (e) {
        say(`${label}: could not list: ${(e as Error).message.split('\n')[0]}`);
      } finally {
        await close?.();
      }
      found.push(...mine);
      const removed = mine.filter((i) => i.removed).length;
      const failed = mine.filter((i) => i.error);
      const names = mine.map((i) => `${i.kind} ${i.name}`).join(', ');
      say(
        `${label}: found ${mine.length}${mine.length ? ` (${names})` : ''}` +
          (opts.dryRun ? ', removed nothing (--dry-run)' : `, removed ${removed}`) +
          (failed.length ? `; could not remove ${failed.length}: ${failed.map((i) => `${i.kind} ${i.name}: ${i.error}`).join('; ')}` : ''),
      );
    }
  }
  return found;
}
