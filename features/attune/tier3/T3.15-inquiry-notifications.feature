@attune @tier3 @T3.15 @websocket
Feature: T3.15 Inquiry notifications
  Whoever watches the notifier sees an approval request the moment it is created and again the
  moment it is answered, with enough to show it; other users see nothing of it.

  # Upstream's messages (notifier, REPORT §2): notification_type inquiry_created and
  # inquiry_responded, payload {entity_type: inquiry, entity_id, id, execution, status, timeout_at,
  # created[, updated]}: the plan's "inquiry.created" / "inquiry.responded". The prompt is not in the
  # message; a UI reads it from the inquiry the message names, as the scenario does. "Immediately"
  # is measured between the target's own instants (the inquiry's created/updated and the message's
  # timestamp), against the 100 ms the plan gives notifications in T3.14.

  Background:
    Given two separate users, Alice and Bob
    And Alice watches inquiry notifications
    And Bob watches all notifications

  Scenario: An approval request and its answer reach the owner at once, and only the owner
    When Alice runs the system action "core.ask" with the prompt "Approve the deployment?"
    Then Alice is notified that an inquiry is pending for that execution, and it asks "Approve the deployment?"
    When Alice responds to that inquiry with approved true
    Then Alice is notified that the inquiry was responded to
    And each inquiry notification left the target within 100 ms of the change it announces
    And the execution that asked has succeeded with the response
    And Bob is not notified about that inquiry
