// The core timer sensor (upstream core.timer_sensor): one timer per enabled rule whose trigger is
// core.intervaltimer / core.datetimetimer / core.crontimer, configured by the rule's
// trigger_params, firing events on the real clock.
import { Cron } from 'croner';
import { AlarmClock } from './clock';
import type { Database, Row } from './db';
import type { Engine } from './engine';
import { invalid } from './http';

const SENSOR_REF = 'core.timer_sensor';
const UNIT_S: Record<string, number> = { seconds: 1, minutes: 60, hours: 3600 };

export const TIMER_TRIGGERS = new Set(['core.intervaltimer', 'core.datetimetimer', 'core.crontimer']);

type Spec =
  | { kind: 'interval'; seconds: number }
  | { kind: 'date'; fireAt: Date; timezone: string }
  | { kind: 'cron'; expression: string; timezone: string };

/** Parse and validate a timer rule's trigger_params (422 on nonsense), as types.rs::from_trigger_params. */
export function timerSpec(triggerRef: string, params: Row): Spec {
  if (triggerRef === 'core.intervaltimer') {
    const unit = params.unit ?? 'seconds';
    if (!Number.isInteger(params.interval) || params.interval <= 0) throw invalid('trigger_params.interval must be a positive integer');
    if (!(unit in UNIT_S)) throw invalid('trigger_params.unit must be seconds, minutes or hours');
    return { kind: 'interval', seconds: params.interval * UNIT_S[unit] };
  }
  if (triggerRef === 'core.datetimetimer') {
    const fireAt = typeof params.fire_at === 'string' ? new Date(params.fire_at) : new Date(NaN);
    if (Number.isNaN(fireAt.getTime())) throw invalid('trigger_params.fire_at must be an RFC 3339 date-time');
    return { kind: 'date', fireAt, timezone: String(params.timezone ?? 'UTC') };
  }
  if (typeof params.expression !== 'string' || params.expression.trim().split(/\s+/).length !== 6) {
    throw invalid('trigger_params.expression must be a six-field cron expression (seconds first)');
  }
  const timezone = String(params.timezone ?? 'UTC');
  try {
    new Cron(params.expression, { paused: true, timezone }).stop();
  } catch (e: any) {
    throw invalid(`trigger_params: ${e.message}`);
  }
  return { kind: 'cron', expression: params.expression, timezone };
}

export class TimerSensor {
  private readonly timers = new Map<number, () => void>();
  private readonly clock = new AlarmClock();

  constructor(private readonly db: Database, private readonly engine: Engine) {}

  /** (Re)arm or disarm the timer of one rule after it was created, changed, enabled or disabled. */
  async sync(ruleId: number): Promise<void> {
    this.disarm(ruleId);
    const rule = await this.db.one('SELECT r.*, t.id AS trigger_id FROM rule r JOIN trigger t ON t.id = r.trigger WHERE r.id = $1', [ruleId]);
    if (!rule || !rule.enabled || !TIMER_TRIGGERS.has(rule.trigger_ref) || this.engine.stopping) return;
    const spec = timerSpec(rule.trigger_ref, rule.trigger_params ?? {});
    if (spec.kind === 'interval') this.interval(rule, spec.seconds);
    else if (spec.kind === 'date') await this.date(rule, spec.fireAt, spec.timezone);
    else this.cron(rule, spec.expression, spec.timezone);
  }

  /** Arm every enabled timer rule not armed yet; disarm timers whose rule vanished or was disabled. */
  async syncAll(): Promise<void> {
    const rows = await this.db.query(`SELECT id FROM rule WHERE enabled AND trigger_ref = ANY($1::text[])`, [[...TIMER_TRIGGERS]]);
    const live = new Set(rows.map((r) => Number(r.id)));
    for (const id of [...this.timers.keys()]) if (!live.has(id)) this.disarm(id);
    for (const id of live) if (!this.timers.has(id)) await this.sync(id);
  }

  disarm(ruleId: number): void {
    this.timers.get(ruleId)?.();
    this.timers.delete(ruleId);
  }

  async stop(): Promise<void> {
    for (const id of [...this.timers.keys()]) this.disarm(id);
    await this.clock.stop();
  }

  private async fire(rule: Row, firedAt: number, payload: Row): Promise<void> {
    const at = new Date(firedAt);
    const trigger = await this.db.one('SELECT * FROM trigger WHERE id = $1', [rule.trigger_id]);
    if (!trigger || this.engine.stopping) return;
    await this.engine.createEvent({ trigger, rule, at, payload: { ...payload, sensor_ref: SENSOR_REF }, config: { source: 'timer' }, sourceRef: SENSOR_REF });
  }

  /**
   * The one timer loop every kind uses: fire at `first`, then at `next(previous planned instant)`
   * until it answers null. Each instant is planned from the previous planned one, never from when an
   * alarm happened to be handled, so lateness never accumulates and no instant is skipped. The alarm
   * clock runs on its own thread and reports when it rang; that moment is the event's time.
   */
  private arm(rule: Row, first: number, next: (planned: number) => number | null, payload: (at: { firedAt: number; planned: number; count: number; nextAt: number | null }) => Row): void {
    this.disarm(rule.id);
    let cancel = () => {};
    let count = 0;
    const wait = (planned: number) => {
      cancel = this.clock.set(planned, (firedAt) => {
        const after = next(planned);
        count += 1;
        void this.fire(rule, firedAt, payload({ firedAt, planned, count, nextAt: after })).catch(() => undefined);
        if (after === null) this.timers.delete(rule.id);
        else wait(after);
      });
    };
    wait(first);
    this.timers.set(rule.id, () => cancel());
  }

  private interval(rule: Row, seconds: number): void {
    const period = seconds * 1000;
    this.arm(rule, Date.now() + period, (planned) => planned + period, ({ firedAt, count }) => ({
      type: 'interval', interval_seconds: seconds, fired_at: new Date(firedAt).toISOString(), execution_count: count,
    }));
  }

  /**
   * One-shot: fires once at fire_at; a fire_at in the past fires immediately (the test plan's
   * T1.2 edge case; upstream's sensor rejects it instead, see README). A rule that already has
   * its event never fires again.
   */
  private async date(rule: Row, fireAt: Date, timezone: string): Promise<void> {
    if (await this.db.one('SELECT 1 FROM event WHERE rule = $1 LIMIT 1', [rule.id])) return;
    this.arm(rule, fireAt.getTime(), () => null, ({ firedAt }) => ({
      type: 'one_shot', fire_at: fireAt.toISOString(), fired_at: new Date(firedAt).toISOString(), timezone, delay_ms: Math.max(0, firedAt - fireAt.getTime()),
    }));
  }

  /** Six-field cron (seconds first): each instant is the expression's next one after the previous instant. */
  private cron(rule: Row, expression: string, timezone: string): void {
    const schedule = new Cron(expression, { timezone, paused: true });
    const after = (t: number) => schedule.nextRun(new Date(t))?.getTime() ?? null;
    const first = after(Date.now());
    if (first === null) return;
    this.arm(rule, first, after, ({ firedAt, planned, count, nextAt }) => ({
      type: 'cron', fired_at: new Date(firedAt).toISOString(), scheduled_at: new Date(planned).toISOString(), expression, timezone,
      next_fire_at: nextAt === null ? null : new Date(nextAt).toISOString(), execution_count: count,
    }));
  }
}
