@attune @tier3 @T3.14 @websocket
Feature: T3.14 Execution notifications
  A user watching the notifier sees every status change of their execution, as it happens, with
  the whole execution in each message; other users see nothing of it.

  # Upstream's message (notifier, REPORT §2) is {type: notification, notification_type:
  # execution_created | execution_status_changed, entity_type, entity_id, payload, timestamp};
  # the plan's "execution.status_changed"/"data" are those fields. "Succeeded" is upstream's
  # completed. Latency is measured between the target's own instants (the row's `updated` and the
  # message's `timestamp`), so it holds against a remote target too.

  Background:
    Given two separate users, Alice and Bob
    And Alice registers a pack with the test actions
    And Alice watches execution notifications
    And Bob watches all notifications

  Scenario: Every status change reaches the owner, and only the owner
    When Alice runs her echo action with message "notify me"
    Then Alice is notified of the statuses requested, scheduling, scheduled, running and succeeded, in that order
    And every status change of that execution reached Alice exactly once
    And each notification names that execution and carries it whole
    And each notification left the target within 100 ms of the change it announces
    And Bob is not notified about that execution

  @attune-scenario-7
  Scenario: README scenario 7, real-time notifications
    When Alice runs her echo action with message "real time"
    Then Alice is notified of the statuses requested, scheduled, running and succeeded, in that order
    And each notification names that execution and carries it whole
    And each notification left the target within 100 ms of the change it announces
