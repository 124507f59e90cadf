/**
 * Attune operations calls, in upstream's dialect: cancelling an execution
 * (`POST /api/v1/executions/{id}/cancel`, routes/executions.rs) and re-uploading a pack (upstream's
 * "reload": `POST /api/v1/packs/upload` with `force=true`, REPORT §1.5). Like AttuneClient they never
 * assert: each answers `{status, body}`.
 */
import { ApiReply, AttuneClient, WorkerPlacement } from './attune';

/** 200 `{data: execution}` (running -> `canceling`, queued -> `cancelled`), 409 once it has finished. */
export function cancelExecution(client: AttuneClient, id: number): Promise<ApiReply> {
  return client.call('post', `/api/v1/executions/${id}/cancel`);
}

// ---- the operator's hold on worker services ----------------------------------------------------
// What `systemctl start|kill|stop attune-worker@NAME` is on a real host; the embedded Attune answers
// it at /__admin/workers (admins only). A deployment without it answers 404.

export interface WorkerServiceStatus {
  name: string;
  pid: number | null;
  state: 'starting' | 'ready' | 'draining' | 'stopped';
  labels: Record<string, string>;
  last_heartbeat: string;
  exit_code: number | null;
  exit_signal: string | null;
}

function operatorData(reply: ApiReply, what: string, ok = 200): WorkerServiceStatus {
  if (reply.status === 404 && !reply.body?.error) throw new Error(`${what}: this target has no operator interface for its worker services (the embedded Attune's /__admin/workers)`);
  if (reply.status !== ok) throw new Error(`${what}: the operator interface answered ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body.data as WorkerServiceStatus;
}

/** The placement of work meant for a worker started by startOwnWorker with `labels`: it selects them and tolerates their taints. */
export function placementFor(labels: Record<string, string>): WorkerPlacement {
  return { worker_selector: labels, worker_tolerations: Object.entries(labels).map(([key, value]) => ({ key, operator: 'equal', value, effect: 'no_schedule' })) };
}

/** Start a worker service of its own: it carries `labels`, and a no_schedule taint per label, so only work placed with placementFor(labels) runs there. */
export async function startOwnWorker(client: AttuneClient, name: string, labels: Record<string, string>): Promise<WorkerServiceStatus> {
  const taints = Object.entries(labels).map(([key, value]) => ({ key, value, effect: 'no_schedule' }));
  return operatorData(await client.call('post', '/__admin/workers', { name, labels, taints }), `starting worker service ${name}`, 201);
}

export async function removeWorker(client: AttuneClient, name: string): Promise<ApiReply> {
  return client.call('delete', `/__admin/workers/${encodeURIComponent(name)}`);
}

export async function workerService(client: AttuneClient, name: string): Promise<WorkerServiceStatus> {
  return operatorData(await client.call('get', `/__admin/workers/${encodeURIComponent(name)}`), `reading worker service ${name}`);
}

export async function signalWorkerService(client: AttuneClient, name: string, signal: 'SIGTERM' | 'SIGKILL'): Promise<WorkerServiceStatus> {
  return operatorData(await client.call('post', `/__admin/workers/${encodeURIComponent(name)}/signal`, { signal }), `sending ${signal} to worker service ${name}`);
}

export async function startWorkerService(client: AttuneClient, name: string): Promise<WorkerServiceStatus> {
  return operatorData(await client.call('post', `/__admin/workers/${encodeURIComponent(name)}/start`), `starting worker service ${name}`);
}
