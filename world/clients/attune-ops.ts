/**
 * Attune operations calls, in upstream's dialect: cancelling an execution
 * (`POST /api/v1/executions/{id}/cancel`, routes/executions.rs) and re-uploading a pack (upstream's
 * "reload": `POST /api/v1/packs/upload` with `force=true`, REPORT §1.5). Like AttuneClient they never
 * assert: each answers `{status, body}`.
 */
import { ApiReply, AttuneClient } from './attune';

/** 200 `{data: execution}` (running -> `canceling`, queued -> `cancelled`), 409 once it has finished. */
export function cancelExecution(client: AttuneClient, id: number): Promise<ApiReply> {
  return client.call('post', `/api/v1/executions/${id}/cancel`);
}
