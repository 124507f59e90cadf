// Rule trigger notifications (the plan's T3.16; upstream HEAD has no rule channel and no
// `notify_on_trigger`, REPORT §2: only event_created / enforcement_created). A rule created with
// `notify_on_trigger: true` announces its firings on the notifier as `rule_triggered`, to its own
// tenant only. So that a high-frequency rule never floods subscribers, a rule announces at most
// once per window: the first firing at once, the firings that follow within the window together in
// one message at its end (`trigger_count` says how many firings a message stands for, so nothing is
// lost). Rules without the flag never notify.
import type { Row } from './db';
import type { Notifier } from './notifier';

export const RULE_NOTICE_WINDOW_MS = 1000;

interface Pending {
  count: number;
  latest?: { event: Row; enforcement: Row };
  timer: NodeJS.Timeout;
}

export class RuleNotices {
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly notifier: Notifier, private readonly windowMs = RULE_NOTICE_WINDOW_MS) {}

  /** The rule fired for `event` (and created `enforcement`). */
  fired(rule: Row, event: Row, enforcement: Row): void {
    if (!rule.notify_on_trigger) return;
    const open = this.pending.get(rule.id);
    if (open) {
      open.count += 1;
      open.latest = { event, enforcement };
      return;
    }
    this.publish(rule, event, enforcement, 1);
    this.pending.set(rule.id, { count: 0, timer: setTimeout(() => this.flush(rule), this.windowMs) });
  }

  private flush(rule: Row): void {
    const open = this.pending.get(rule.id);
    if (!open) return;
    if (!open.count || !open.latest) {
      this.pending.delete(rule.id);
      return;
    }
    this.publish(rule, open.latest.event, open.latest.enforcement, open.count);
    open.count = 0;
    open.latest = undefined;
    open.timer = setTimeout(() => this.flush(rule), this.windowMs);
  }

  private publish(rule: Row, event: Row, enforcement: Row, count: number): void {
    this.notifier.publish({
      channel: 'rule_triggered', entityType: 'rule', entityId: Number(rule.id), tenant: rule.tenant,
      payload: {
        entity_type: 'rule', entity_id: Number(rule.id), id: Number(rule.id), rule_ref: rule.ref, trigger_ref: event.trigger_ref, action_ref: rule.action_ref,
        event: event.id, event_payload: event.payload ?? null, event_created: event.created, enforcement: enforcement.id, trigger_count: count,
      },
    });
  }

  stop(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }
}
