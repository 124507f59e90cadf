/**
 * What the Attune steps share: the fixture pack a scenario registered, refs of its actions, the
 * rule and trigger in focus, the notification capture, and the waits every domain needs.
 * Every create here registers its undo at the moment of creation.
 */
import * as path from 'node:path';
import { AcceptanceWorld } from '../../world/world';
import {
  ApiReply, AttuneClient, Execution, ExecutionFilter, Pack, Rule, RuleSpec, TERMINAL_STATUSES, Trigger,
} from '../../world/clients/attune';
import { Notification, NotificationCapture } from '../../world/capture/notifications';
import { describe, eventually } from '../../world/wait';

export const FIXTURE_PACK_DIR = path.join(__dirname, '..', '..', 'features', 'attune', 'fixtures', 'e2e_fixture');

/** Refs: lowercase, pack refs `^[a-z][a-z0-9_-]+$`, entity refs `pack.name` with exactly one dot. */
export function refName(world: AcceptanceWorld, prefix: string): string {
  return world.uniqueName(prefix).toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/** Register the undo of something just created; an undo the target refuses (other than 404) is reported. */
export function trackUndo(world: AcceptanceWorld, description: string, undo: () => Promise<ApiReply>): void {
  world.registry.track(description, async () => {
    const reply = await undo();
    if (reply.status >= 300 && reply.status !== 404) throw new Error(`Attune answered ${reply.status} ${describe(reply.body)}`);
  });
}

/** Upload the fixture pack under a unique ref as `client`'s identity; undo deletes it. */
export async function registerFixturePack(world: AcceptanceWorld, client: AttuneClient, dir = FIXTURE_PACK_DIR): Promise<Pack> {
  const ref = refName(world, 'e2e');
  const pack = await client.uploadPack(dir, ref);
  trackUndo(world, `pack ${ref}`, () => client.deletePack(ref));
  return pack;
}

export function thePack(world: AcceptanceWorld): Pack {
  return world.recall<Pack>('attune.pack');
}

export function actionRef(world: AcceptanceWorld, action: string): string {
  return `${thePack(world).ref}.${action}`;
}

/** Create a rule in `packRef`; undo deletes it (which also stops its timer). */
export async function createRule(
  world: AcceptanceWorld,
  client: AttuneClient,
  spec: Omit<RuleSpec, 'ref'>,
): Promise<Rule> {
  const ref = `${spec.packRef}.${refName(world, 'rule')}`;
  const rule = await client.createRule({ ...spec, ref });
  trackUndo(world, `rule ${ref}`, () => client.deleteRule(ref));
  return world.remember('attune.rule', rule);
}

/** A trigger of the pack with its webhook enabled; undo deletes it. */
export async function createWebhookTrigger(world: AcceptanceWorld, client: AttuneClient, packRef: string): Promise<Trigger> {
  const ref = `${packRef}.${refName(world, 'hook')}`;
  await client.createTrigger(ref, packRef);
  trackUndo(world, `trigger ${ref}`, () => client.deleteTrigger(ref));
  return world.remember('attune.trigger', await client.enableWebhook(ref));
}

/** The notification capture of this scenario (connected and subscribed on first use). */
export function notifications(world: AcceptanceWorld): NotificationCapture {
  const target = world.target('attune');
  return world.lazy('notifications', () => new NotificationCapture(target.notifierUrl, () => world.attune.accessToken()));
}

/** Executions matching `filter` once at least `count` exist (sorted by id). */
export async function executionsOf(
  client: AttuneClient,
  filter: ExecutionFilter,
  count: number,
  within: number,
): Promise<Execution[]> {
  const found = await eventually(
    () => client.listExecutions(filter),
    (list) => list.length >= count,
    { within, every: 200, what: `${count} execution(s) with ${JSON.stringify(filter)}` },
  );
  return found.sort((a, b) => a.id - b.id);
}

/** The execution once it reached a terminal status (full record, with result). */
export async function finished(client: AttuneClient, id: number, within = 20_000): Promise<Execution> {
  return eventually(
    () => client.execution(id),
    (e) => TERMINAL_STATUSES.has(e.status),
    { within, every: 200, what: `execution ${id} to finish` },
  );
}

/** What an action printed as its JSON output (`result.data`, upstream's parsed output). */
export function outputOf(execution: Execution): unknown {
  const data = execution.result?.data as { output?: unknown } | undefined;
  return data?.output;
}

export const ms = (iso: string) => new Date(iso).getTime();

/**
 * A list of plain seconds ("0,3,6,12") is laid over the current time: second 0 becomes the second
 * starting 2 s from now, so the schedule starts at once instead of at the next minute boundary.
 * Steps ("*\/5") are kept as written.
 */
export function cronStartingNow(expression: string, now = Date.now()): string {
  const [seconds, ...rest] = expression.trim().split(/\s+/);
  if (!/^\d+(,\d+)*$/.test(seconds)) return expression;
  const base = Math.ceil((now + 2000) / 1000) % 60;
  const shifted = [...new Set(seconds.split(',').map((s) => (Number(s) + base) % 60))].sort((a, b) => a - b);
  return [shifted.join(','), ...rest].join(' ');
}

/** Upstream statuses an execution went through, as the notifier announced them. */
export function statusesOf(seen: Notification[]): string[] {
  const out: string[] = [];
  const add = (s: unknown) => typeof s === 'string' && out[out.length - 1] !== s && out.push(s);
  for (const n of seen) {
    add(n.payload?.old_status);
    add(n.payload?.status);
  }
  return out;
}

/** A two-column table as a JSON object: dotted names nest, whole numbers become numbers. */
export function payloadOf(rows: Record<string, string>): Record<string, unknown> {
  const payload: Record<string, any> = {};
  for (const [name, text] of Object.entries(rows)) {
    const keys = name.split('.');
    const last = keys.pop()!;
    const parent = keys.reduce((o, k) => (o[k] ??= {}), payload);
    parent[last] = /^-?\d+$/.test(text) ? Number(text) : text;
  }
  return payload;
}
