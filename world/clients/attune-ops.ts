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

// ---- the operator's hold on the worker service -------------------------------------------------
// What `systemctl kill|stop|start attune-worker` is on a real host; the embedded Attune answers it
// at /__admin/worker (admins only). A deployment without it answers 404.

export interface WorkerServiceStatus {
  pid: number | null;
  state: 'starting' | 'ready' | 'draining' | 'stopped';
  last_heartbeat: string;
  exit_code: number | null;
  exit_signal: string | null;
}

function operatorData(reply: ApiReply, what: string): WorkerServiceStatus {
  if (reply.status === 404) throw new Error(`${what}: this target has no operator interface for its worker service (the embedded Attune's /__admin/worker)`);
  if (reply.status !== 200) throw new Error(`${what}: the operator interface answered ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.data as WorkerServiceStatus;
}

export async function workerService(client: AttuneClient): Promise<WorkerServiceStatus> {
  return operatorData(await client.call('get', '/__admin/worker'), 'reading the worker service');
}

export async function signalWorkerService(client: AttuneClient, signal: 'SIGTERM' | 'SIGKILL'): Promise<WorkerServiceStatus> {
  return operatorData(await client.call('post', '/__admin/worker/signal', { signal }), `sending ${signal} to the worker service`);
}

export async function startWorkerService(client: AttuneClient): Promise<WorkerServiceStatus> {
  return operatorData(await client.call('post', '/__admin/worker/start'), 'starting the worker service');
}
