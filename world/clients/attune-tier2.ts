/**
 * Tier 2 calls of the Attune wire client: action concurrency policies and their queue statistics.
 * Upstream has no REST route that creates a policy (REPORT §3.5: rows of table `policy`, enforced
 * by the executor's policy_enforcer with a FIFO queue), so the operator seeds them over the database
 * URL, against the emulator and a real deployment alike. Like AttuneClient these never assert.
 */
import { ApiReply, AttuneClient } from './attune';

/** `GET /api/v1/actions/{ref}/queue-stats` (dto/action.rs QueueStatsResponse). */
export interface QueueStats {
  action_id: number;
  action_ref: string;
  queue_length: number;
  active_count: number;
  max_concurrent: number;
  oldest_enqueued_at: string | null;
  total_enqueued: number;
  total_completed: number;
  last_updated: string;
}

/** An `enqueue` policy: at most `threshold` executions of the action run at once, the rest wait in order. */
export async function seedConcurrencyPolicy(client: AttuneClient, ref: string, actionRef: string, threshold: number): Promise<void> {
  const rows = await client.sql(
    `INSERT INTO attune.policy (ref, action, action_ref, method, threshold)
     SELECT $1, id, ref, 'enqueue', $3 FROM attune.action WHERE ref = $2 RETURNING id`,
    [ref, actionRef, threshold],
  );
  if (rows.length !== 1) throw new Error(`seeding policy ${ref}: action ${actionRef} not found in the database`);
}

export async function deletePolicy(client: AttuneClient, ref: string): Promise<void> {
  await client.sql('DELETE FROM attune.policy WHERE ref = $1', [ref]);
}

export function queueStats(client: AttuneClient, actionRef: string): Promise<ApiReply> {
  return client.call('get', `/api/v1/actions/${encodeURIComponent(actionRef)}/queue-stats`);
}

/**
 * A rule criterion as the plan writes it (`trigger.data.count > 100`, `datastore.threshold`) as
 * upstream's rule conditions (event_processor.rs: `{expression: "{{ ... }}"}` over `event.payload`;
 * keys are the `keystore.*` namespace).
 */
export function upstreamConditions(planCriterion: string): { expression: string } {
  const expr = planCriterion
    .replace(/^\s*\{\{\s*|\s*\}\}\s*$/g, '')
    .replace(/\btrigger\.data\./g, 'event.payload.')
    .replace(/\bdatastore\./g, 'keystore.');
  return { expression: `{{ ${expr} }}` };
}
