// Concurrency policies (upstream's policy_enforcer + queue_manager): a `policy` row scoped to an
// action (or to every action of a pack) caps how many of its executions run at once. Over the
// threshold, method `enqueue` makes executions wait in FIFO order, `cancel` cancels them.
// Counters are mirrored into `queue_stats` for GET /actions/{ref}/queue-stats.
import { Database, Row } from './db';

interface Waiter {
  id: number;
  since: Date;
  admit: (run: boolean) => void;
}

interface Lane {
  actionId: number;
  active: Set<number>;
  waiting: Waiter[];
  maxConcurrent: number;
  totalEnqueued: number;
  totalCompleted: number;
}

export class ConcurrencyGate {
  private readonly lanes = new Map<number, Lane>();
  private readonly laneOf = new Map<number, Lane>(); // execution id -> its lane (active or waiting)

  constructor(private readonly db: Database) {}

  /** Resolves true when the execution may run now, false when the policy cancels it. */
  async admit(execId: number, action: Row): Promise<boolean> {
    const policy = await this.db.one(
      `SELECT * FROM policy WHERE action = $1 OR action_ref = $2
         OR (action IS NULL AND action_ref IS NULL AND (pack = $3 OR pack_ref = $4))
       ORDER BY (action IS NULL AND action_ref IS NULL), id LIMIT 1`,
      [action.id, action.ref, action.pack, action.pack_ref],
    );
    if (!policy) return true;
    let lane = this.lanes.get(action.id);
    if (!lane) this.lanes.set(action.id, (lane = { actionId: action.id, active: new Set(), waiting: [], maxConcurrent: 0, totalEnqueued: 0, totalCompleted: 0 }));
    lane.maxConcurrent = policy.threshold;
    lane.totalEnqueued++;
    this.laneOf.set(execId, lane);
    if (lane.active.size < lane.maxConcurrent && lane.waiting.length === 0) {
      lane.active.add(execId);
      await this.save(lane);
      return true;
    }
    if (policy.method === 'cancel') {
      this.laneOf.delete(execId);
      await this.save(lane);
      return false;
    }
    const admitted = new Promise<boolean>((admit) => lane!.waiting.push({ id: execId, since: new Date(), admit }));
    await this.save(lane);
    return admitted;
  }

  /** The execution finished (or was cancelled while waiting): free its place and admit the next. */
  async release(execId: number): Promise<void> {
    const lane = this.laneOf.get(execId);
    if (!lane) return;
    this.laneOf.delete(execId);
    const queued = lane.waiting.findIndex((w) => w.id === execId);
    if (queued >= 0) {
      lane.waiting.splice(queued, 1)[0].admit(false);
    } else if (lane.active.delete(execId)) {
      lane.totalCompleted++;
      while (lane.active.size < lane.maxConcurrent && lane.waiting.length) {
        const next = lane.waiting.shift()!;
        lane.active.add(next.id);
        next.admit(true);
      }
    }
    await this.save(lane);
  }

  /** Shutdown: nobody waits any more. */
  stop(): void {
    for (const lane of this.lanes.values()) for (const w of lane.waiting.splice(0)) w.admit(false);
  }

  async stats(actionId: number): Promise<Row | undefined> {
    return this.db.one('SELECT * FROM queue_stats WHERE action_id = $1', [actionId]);
  }

  private async save(lane: Lane): Promise<void> {
    await this.db.query(
      `INSERT INTO queue_stats (action_id, queue_length, active_count, max_concurrent, oldest_enqueued_at, total_enqueued, total_completed, last_updated)
       VALUES ($1,$2,$3,$4,$5,$6,$7,now())
       ON CONFLICT (action_id) DO UPDATE SET queue_length = EXCLUDED.queue_length, active_count = EXCLUDED.active_count,
         max_concurrent = EXCLUDED.max_concurrent, oldest_enqueued_at = EXCLUDED.oldest_enqueued_at, total_enqueued = EXCLUDED.total_enqueued,
         total_completed = EXCLUDED.total_completed, last_updated = now()`,
      [lane.actionId, lane.waiting.length, lane.active.size, lane.maxConcurrent, lane.waiting[0]?.since.toISOString() ?? null, lane.totalEnqueued, lane.totalCompleted],
    );
  }
}
