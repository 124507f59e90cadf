// Rule trigger notifications (T3.16): only rules with notify_on_trigger, the first firing at once,
// later firings of the window coalesced into one message counting them, nothing after a quiet window.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Notification, Notifier } from '../../emulators/attune/notifier';
import { RuleNotices } from '../../emulators/attune/rule-notices';

function recorder() {
  const sent: Notification[] = [];
  return { sent, notifier: { publish: (n: Notification) => void sent.push(n) } as unknown as Notifier };
}
const rule = (id: number, notify: boolean) => ({ id, ref: `p.r${id}`, action_ref: 'core.noop', tenant: 't1', notify_on_trigger: notify });
const event = (id: number) => ({ id, trigger_ref: 'p.hook', payload: { n: id }, created: new Date().toISOString() });
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('rule trigger notifications', () => {
  it('a rule without notify_on_trigger never notifies', () => {
    const { sent, notifier } = recorder();
    const notices = new RuleNotices(notifier, 50);
    notices.fired(rule(1, false), event(1), { id: 1 });
    notices.stop();
    assert.deepEqual(sent, []);
  });

  it('announces the first firing at once and coalesces the rest of the window', async () => {
    const { sent, notifier } = recorder();
    const notices = new RuleNotices(notifier, 50);
    for (let i = 1; i <= 5; i++) notices.fired(rule(1, true), event(i), { id: 100 + i });
    assert.equal(sent.length, 1);
    assert.deepEqual([sent[0].channel, sent[0].entityType, sent[0].entityId, sent[0].tenant], ['rule_triggered', 'rule', 1, 't1']);
    assert.deepEqual([sent[0].payload.event, sent[0].payload.trigger_count, sent[0].payload.event_payload], [1, 1, { n: 1 }]);
    await wait(80);
    assert.equal(sent.length, 2);
    assert.deepEqual([sent[1].payload.event, sent[1].payload.enforcement, sent[1].payload.trigger_count], [5, 105, 4]);
    await wait(80); // a quiet window: nothing more, and the next firing is announced at once again
    assert.equal(sent.length, 2);
    notices.fired(rule(1, true), event(6), { id: 106 });
    assert.deepEqual(sent.map((n) => n.payload.trigger_count), [1, 4, 1]);
    notices.stop();
  });

  it('keeps each rule in its own window', () => {
    const { sent, notifier } = recorder();
    const notices = new RuleNotices(notifier, 50);
    notices.fired(rule(1, true), event(1), { id: 1 });
    notices.fired(rule(2, true), event(1), { id: 2 });
    notices.stop();
    assert.deepEqual(sent.map((n) => n.entityId), [1, 2]);
  });
});
