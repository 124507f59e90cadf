@attune @tier3 @T3.16 @websocket @upstream-gap
Feature: T3.16 Rule trigger notification (optional)
  A rule that asks for it announces each firing on the notifier, with the event that fired it, to
  its owner only; rules that do not ask stay silent, and a rule firing many times a second does not
  flood anyone.

  # upstream-gap: upstream HEAD has no `notify_on_trigger` and no rule notification channel
  # (notifier channels, REPORT §2: event_created and enforcement_created only). Against a real Attune
  # the rule's flag is ignored and the first Then fails: no rule_triggered message arrives. The
  # embedded Attune implements the plan (emulators/attune/rule-notices.ts): `rule_triggered`, at most
  # one message per rule per second, `trigger_count` telling how many firings a message stands for.

  Background:
    Given two separate users, Alice and Bob
    And Alice registers a pack with the test actions
    And Alice has a webhook trigger with a rule that asks to be notified and one that does not
    And Alice watches rule notifications
    And Bob watches all notifications

  Scenario: Only the rule that asks for it notifies, with the event, and never floods
    When the webhook receives:
      | message | notify me |
    Then Alice is notified once that the notifying rule fired, with that event and its payload
    And nothing is announced about the silent rule
    And Bob is not notified about either rule
    When the webhook receives 10 calls in quick succession
    Then Alice's notifications about the notifying rule are at least a second apart and account for all 10 firings
