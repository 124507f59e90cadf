/**
 * Tier 3 calls of the Attune wire client, in upstream's dialect (reference/attune/REPORT.md):
 * ad-hoc actions, raw rule creation (to see a refusal), execution pages, permission sets and
 * their assignments, audit events. Like AttuneClient they never assert: each answers `{status, body}`
 * (headers too where the rule is in a header).
 */
import { ApiReply, AttuneClient, RuleSpec } from './attune';

const enc = encodeURIComponent;

export interface AdhocAction {
  ref: string;
  packRef: string;
  /** Inline shell code (upstream's core.shell ad-hoc actions). */
  shell: string;
  /** StackStorm-style flat parameter schema, as upstream's param_schema. */
  params?: Record<string, { type: string; required?: boolean; secret?: boolean; default?: unknown }>;
}

/** `POST /api/v1/actions`: an action whose entrypoint is inline shell code. */
export function createAdhocAction(client: AttuneClient, a: AdhocAction): Promise<ApiReply> {
  return client.call('post', '/api/v1/actions', {
    ref: a.ref, pack_ref: a.packRef, label: a.ref, entrypoint: a.shell, runtime_ref: 'core.shell', param_schema: a.params ?? {},
  });
}

export function deleteAction(client: AttuneClient, ref: string): Promise<ApiReply> {
  return client.call('delete', `/api/v1/actions/${enc(ref)}`);
}

/** `POST /api/v1/rules` with the answer as it is (a refusal is an answer, not an error). */
export function createRuleReply(client: AttuneClient, spec: RuleSpec): Promise<ApiReply> {
  return client.call('post', '/api/v1/rules', {
    ref: spec.ref, pack_ref: spec.packRef, label: spec.ref, action_ref: spec.actionRef, trigger_ref: spec.triggerRef,
    trigger_params: spec.triggerParams ?? {}, action_params: spec.actionParams ?? {}, conditions: spec.conditions ?? {}, enabled: true,
  });
}

/** One page of executions: upstream pages executions with `page` + `per_page` (totals on `include_total`). */
export function executionPage(client: AttuneClient, filter: Record<string, string | number>, page: number, perPage: number): Promise<ApiReply> {
  return client.call('get', '/api/v1/executions', undefined, { ...filter, page, per_page: perPage, include_total: true });
}

// ---- identities and permission sets (routes/permissions.rs) ---------------------------------------

/** An identity created by the operator; `attributes.rate_limit` configures its API rate limit (T3.29). */
export function createIdentity(client: AttuneClient, login: string, password: string, attributes: Record<string, unknown> = {}): Promise<ApiReply> {
  return client.call('post', '/api/v1/identities', { login, display_name: login, password, attributes });
}

export function listPermissionSets(client: AttuneClient): Promise<ApiReply> {
  return client.call('get', '/api/v1/permissions/sets');
}

/** Give an identity a permission set directly (`POST /api/v1/permissions/assignments`). */
export function assignPermissionSet(client: AttuneClient, identityId: number, permissionSetRef: string): Promise<ApiReply> {
  return client.call('post', '/api/v1/permissions/assignments', { identity_id: identityId, permission_set_ref: permissionSetRef });
}

export function deleteAssignment(client: AttuneClient, id: number): Promise<ApiReply> {
  return client.call('delete', `/api/v1/permissions/assignments/${id}`);
}

// ---- audit trail (routes/audit.rs: GET /api/v1/audit-events) --------------------------------------

export function auditEvents(client: AttuneClient, filter: Record<string, string | number>): Promise<ApiReply> {
  return client.call('get', '/api/v1/audit-events', undefined, { ...filter, per_page: 100 });
}
