@attune @tier3 @T3.8 @webhook
Feature: T3.8 Chained webhook triggers
  An action can call a webhook itself: its call records an event like any other, the rule on that
  webhook runs its action, and the chain ends there instead of looping.

  # The action posts to the platform's own webhook receiver from inside its process (fixture
  # e2e_probe/actions/post_webhook.py), with the address the worker hands it (ATTUNE_API_URL).

  Background:
    Given a registered pack with the probe actions
    And a webhook trigger
    And a rule that runs the system action "core.echo" with message "{{ event.payload.message }}" on that trigger

  Scenario: An action's webhook call fires the next rule, once
    When the webhook poster action posts "chained" to that trigger's webhook
    Then the webhook poster action's execution succeeded, the webhook having accepted its call
    And exactly one event is recorded for the trigger, carrying the message "chained" from that execution
    And the rule's "core.echo" execution for that event succeeded with output "chained"
    And the chain stops there: no further event or execution appears during the next 2 seconds
