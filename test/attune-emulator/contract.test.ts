// Contract: every response body the emulator gives on the routes a generated client reads is
// checked against upstream's DTO field lists (upstream-dto-fields.txt, a copy of
// reference/attune/dto_fields.txt, extracted from AndroxxTraxxon/attune crates/api/src/dto/*.rs):
// no field upstream does not send, and every field upstream always sends (those without
// `skip_serializing_if`) present. Lists answer the *Summary DTO, single reads the *Response DTO.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Api, eventually, terminal, unique, useAttune } from './helpers';


interface Field { name: string; always: boolean }

/** `== dto/<file>.rs::<Name>` blocks of `    name: Type  #[serde(...)]` lines. */
export function parseDtoFields(text: string): Map<string, Field[]> {
  const dtos = new Map<string, Field[]>();
  let current: Field[] | null = null;
  for (const line of text.split('\n')) {
    const head = /^== dto\/[\w/]+\.rs::(\w+)/.exec(line);
    if (head) dtos.set(head[1], (current = []));
    else if (current) {
      const f = /^ {4}(\w+): /.exec(line);
      if (f) current.push({ name: f[1], always: !/skip_serializing_if|#\[serde\(skip\)\]/.test(line) });
    }
  }
  return dtos;
}

const DTOS = parseDtoFields(fs.readFileSync(path.join(__dirname, 'upstream-dto-fields.txt'), 'utf8'));

/**
 * Fields the emulator adds for what the plan asks and upstream lacks (README, @upstream-gap): the
 * plan's key TTL (T2.3) and rule trigger notifications (T3.16). A generated client keeps them as
 * additional properties; nothing else may be added.
 */
const PLAN_EXTENSIONS: Record<string, string[]> = { KeyResponse: ['expires_at'], RuleResponse: ['notify_on_trigger'] };

/** What in `body` breaks DTO `name`: fields upstream never sends, fields upstream always sends that are missing. */
export function contractBreaks(name: string, body: Record<string, unknown>): string[] {
  const fields = DTOS.get(name);
  if (!fields) throw new Error(`no upstream DTO ${name}`);
  const known = new Set([...fields.map((f) => f.name), ...(PLAN_EXTENSIONS[name] ?? [])]);
  return [
    ...Object.keys(body).filter((k) => !known.has(k)).map((k) => `${name}: unexpected field ${k}`),
    ...fields.filter((f) => f.always && !(f.name in body)).map((f) => `${name}: missing field ${f.name}`),
  ];
}

const ctx = useAttune();

describe('responses match the upstream DTOs', () => {
  it('parses the DTO list (ActionSummary has accesses_mcp and no param_schema)', () => {
    const summary = DTOS.get('ActionSummary')!.map((f) => f.name);
    assert.ok(summary.includes('accesses_mcp'));
    assert.ok(!summary.includes('param_schema'));
    assert.deepEqual(contractBreaks('RuntimeSummary', { id: 1, ref: 'x', pack_ref: null, description: null, name: 'X', created: '', updated: '', extra: 1 }), ['RuntimeSummary: unexpected field extra']);
  });

  it('packs, actions, triggers, rules, executions, events, enforcements, keys, runtimes and history', async () => {
    const api: Api = ctx.api;
    const pack = unique();
    await api.create('/api/v1/packs', { ref: pack, label: 'Contract pack', version: '1.0.0' });
    await api.create('/api/v1/actions', { ref: `${pack}.act`, pack_ref: pack, label: 'Act', entrypoint: 'echo "{\\"ok\\": true}"; echo oops >&2', runtime_ref: 'core.shell' });
    await api.create('/api/v1/triggers', { ref: `${pack}.hook`, pack_ref: pack, label: 'Hook' });
    const hook = (await api.call('POST', `/api/v1/triggers/${pack}.hook/webhooks/enable`)).body.data;
    await api.create('/api/v1/rules', { ref: `${pack}.rule`, pack_ref: pack, label: 'Rule', action_ref: `${pack}.act`, trigger_ref: `${pack}.hook`, action_params: {}, enabled: true });
    await api.create('/api/v1/keys', { ref: `${pack}.k`, name: 'k', value: 'v', owner_type: 'pack', owner_pack_ref: pack });
    assert.equal((await api.call('POST', `/api/v1/webhooks/${hook.webhook_key}`, { payload: { a: 1 } })).status, 200);
    const [exec] = await eventually(async () => {
      const l = (await api.call('GET', `/api/v1/executions?action_ref=${pack}.act`)).body.items;
      return l.length ? l : undefined;
    }, 20_000, 'the execution');

    const checks: [string, string, 'list' | 'one'][] = [
      ['/api/v1/packs', 'PackSummary', 'list'], [`/api/v1/packs/${pack}`, 'PackResponse', 'one'],
      ['/api/v1/actions', 'ActionSummary', 'list'], [`/api/v1/packs/${pack}/actions`, 'ActionSummary', 'list'], [`/api/v1/actions/${pack}.act`, 'ActionResponse', 'one'],
      ['/api/v1/triggers', 'TriggerSummary', 'list'], [`/api/v1/packs/${pack}/triggers`, 'TriggerSummary', 'list'], [`/api/v1/triggers/${pack}.hook`, 'TriggerResponse', 'one'],
      ['/api/v1/rules', 'RuleSummary', 'list'], [`/api/v1/packs/${pack}/rules`, 'RuleSummary', 'list'], [`/api/v1/rules/${pack}.rule`, 'RuleResponse', 'one'],
      [`/api/v1/executions?action_ref=${pack}.act`, 'ExecutionSummary', 'list'], [`/api/v1/executions/${exec.id}`, 'ExecutionResponse', 'one'],
      [`/api/v1/events?trigger_ref=${pack}.hook`, 'EventSummary', 'list'],
      [`/api/v1/enforcements?rule_ref=${pack}.rule`, 'EnforcementSummary', 'list'],
      ['/api/v1/keys', 'KeySummary', 'list'], [`/api/v1/keys/${pack}.k`, 'KeyResponse', 'one'],
      ['/api/v1/runtimes', 'RuntimeSummary', 'list'], ['/api/v1/runtimes/core.python', 'RuntimeResponse', 'one'],
      [`/api/v1/executions/${exec.id}/history`, 'HistoryRecordResponse', 'list'],
    ];
    const breaks: string[] = [];
    for (const [url, dto, shape] of checks) {
      const r = await api.call('GET', url);
      assert.equal(r.status, 200, `${url}: ${JSON.stringify(r.body)}`);
      const bodies = shape === 'list' ? r.body.items : [r.body.data];
      assert.ok(Array.isArray(bodies) && bodies.length > 0, `${url} answered ${JSON.stringify(r.body)}`);
      for (const b of bodies) breaks.push(...contractBreaks(dto, b).map((x) => `${url} ${x}`));
    }
    const event = (await api.call('GET', `/api/v1/events?trigger_ref=${pack}.hook`)).body.items[0];
    breaks.push(...contractBreaks('EventResponse', (await api.call('GET', `/api/v1/events/${event.id}`)).body.data));
    const enf = (await api.call('GET', `/api/v1/enforcements?rule_ref=${pack}.rule`)).body.items[0];
    breaks.push(...contractBreaks('EnforcementResponse', (await api.call('GET', `/api/v1/enforcements/${enf.id}`)).body.data));
    assert.deepEqual([...new Set(breaks)], []);
  });

  it('records an execution status history (INSERT, then one UPDATE per change, newest first)', async () => {
    const api: Api = ctx.api;
    const run = await api.create('/api/v1/executions/execute', { action_ref: 'core.noop', parameters: {} });
    await terminal(api, run.id, 20_000);
    const items = (await api.call('GET', `/api/v1/executions/${run.id}/history`)).body.items.reverse();
    const statuses = items.map((h: any) => h.new_values?.status).filter(Boolean);
    assert.equal(items[0].operation, 'INSERT');
    assert.deepEqual(statuses, ['requested', 'scheduling', 'scheduled', 'running', 'completed']);
  });

  it('serves its OpenAPI document without a token, listing its routes', async () => {
    const r = await ctx.api.call('GET', '/api-spec/openapi.json', undefined, '');
    assert.equal(r.status, 200);
    assert.equal(r.body.openapi, '3.1.0');
    for (const p of ['/api/v1/actions', '/api/v1/runtimes', '/api/v1/sensors', '/api/v1/executions/{id}/history', '/auth/login']) assert.ok(p in r.body.paths, `${p} in the document`);
  });
});
