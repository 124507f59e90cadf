// Rows -> upstream response DTOs (dto_fields.txt): internal columns (tenant, pack_dir, hashes)
// never leave the emulator; summaries carry the subset upstream lists.
import type { Row } from './db';

const INTERNAL = ['tenant', 'pack_dir', 'password_hash', 'encryption_key_hash', 'env_vars', 'webhook_config', 'installed_by', 'parameter_format', 'output_format'];

function omit(row: Row, extra: string[] = []): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) if (!INTERNAL.includes(k) && !extra.includes(k)) out[k] = v;
  return out;
}

function pick(row: Row, keys: string[]): Row {
  return Object.fromEntries(keys.filter((k) => row[k] !== undefined).map((k) => [k, row[k]]));
}

/** Drop keys whose value is null where upstream uses skip_serializing_if = Option::is_none. */
function skipNull(row: Row, keys: string[]): Row {
  for (const k of keys) if (row[k] === null || row[k] === undefined) delete row[k];
  return row;
}

export const packDto = (r: Row) => omit(r);
export const packSummary = (r: Row) => pick(r, ['id', 'ref', 'label', 'description', 'version', 'tags', 'is_standard', 'created', 'updated']);
// dto/action.rs ActionResponse / ActionSummary: accesses_mcp is always present (false unless an
// action says it talks to MCP servers); lists answer the summary, without pack, param/out schema, is_adhoc.
export const actionDto = (r: Row) => skipNull({ ...omit(r), accesses_mcp: r.accesses_mcp === true }, ['runtime_ref', 'workflow_def']);
export const actionSummary = (r: Row) => skipNull({
  ...pick(r, ['id', 'ref', 'pack_ref', 'label', 'description', 'entrypoint', 'runtime', 'runtime_ref', 'workflow_def']),
  accesses_mcp: r.accesses_mcp === true,
  created: r.created,
  updated: r.updated,
}, ['runtime_ref', 'workflow_def']);
export const triggerDto = (r: Row) => skipNull(omit(r), ['webhook_key']);
// dto/trigger.rs TriggerSummary: no schemas, no webhook key (it is a secret of the trigger's page).
export const triggerSummary = (r: Row) => pick(r, ['id', 'ref', 'pack_ref', 'label', 'description', 'enabled', 'webhook_enabled', 'created', 'updated']);
export const ruleDto = (r: Row) => omit(r);
// dto/rule.rs RuleSummary: refs and params, without the ids of pack, action and trigger or the conditions.
export const ruleSummary = (r: Row) => ({
  ...pick(r, ['id', 'ref', 'pack_ref', 'label', 'description', 'action_ref', 'trigger_ref', 'action_params', 'trigger_params']),
  permission_set_refs: r.permission_set_refs ?? null,
  ...pick(r, ['enabled', 'created', 'updated']),
});
export const workflowDto = (r: Row) => omit(r);

export const eventDto = (r: Row) => omit(r, ['updated']);
export const eventSummary = (r: Row) => ({
  ...pick(r, ['id', 'trigger', 'trigger_ref', 'source', 'source_ref', 'rule', 'rule_ref']),
  has_payload: r.payload !== null && r.payload !== undefined,
  created: r.created,
});

export const enforcementDto = (r: Row) => omit(r, ['updated']);
export const enforcementSummary = (r: Row) => pick(r, ['id', 'rule', 'rule_ref', 'trigger_ref', 'event', 'status', 'condition', 'created']);

export const executionDto = (r: Row) => skipNull(omit(r, ['rule_ref', 'trigger_ref']), ['original_execution', 'started_at', 'workflow_task', 'worker_selector', 'worker_tolerations']);
export const executionSummary = (r: Row) =>
  skipNull(
    pick(r, ['id', 'action_ref', 'status', 'parent', 'enforcement', 'rule_ref', 'trigger_ref', 'started_at', 'workflow_task', 'original_execution', 'created', 'updated']),
    ['started_at', 'workflow_task', 'original_execution'],
  );

export const keyDto = (r: Row, value: unknown) => ({ ...omit(r), value });
export const keySummary = (r: Row) => pick(r, ['id', 'ref', 'owner_type', 'owner', 'name', 'encrypted', 'created']);

export const inquiryDto = (r: Row) => omit(r);
export const inquirySummary = (r: Row) => ({
  ...pick(r, ['id', 'execution', 'prompt', 'assigned_to', 'status']),
  has_response: r.response !== null && r.response !== undefined,
  timeout_at: r.timeout_at,
  created: r.created,
});

export const identityDto = (r: Row) => pick(r, ['id', 'login', 'display_name', 'attributes', 'created', 'updated']);
