@attune @tier3 @T3.4 @webhook
Feature: T3.4 Webhook with multiple rules
  One webhook call is one event; every rule on its trigger is evaluated on its own and runs its
  action with the same payload.

  Background:
    Given a registered pack with the test actions
    And a webhook trigger

  Scenario: One call fires all three rules of the trigger
    Given 3 rules that run the echo action with message "{{ event.payload.message }}" on that trigger
    When the webhook receives:
      | message | fan out |
    Then exactly one event is recorded for the trigger, carrying the posted payload
    And each of the rules created one enforcement for that event
    And each enforcement started one execution of the echo action
    And every execution of the echo action has succeeded with output "fan out"
