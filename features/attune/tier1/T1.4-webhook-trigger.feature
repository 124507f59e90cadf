@attune @tier1 @T1.4 @webhook
Feature: T1.4 Webhook trigger with payload
  A webhook call fires every rule on its trigger at once, and the action receives the posted data.
  Each webhook trigger has an address of its own: a call to one never fires another.

  Background:
    Given a registered pack with the test actions
    And a webhook trigger

  Scenario Outline: The action reads <field> from the posted payload
    Given a rule that runs the echo action with message "{{ event.payload.<field> }}" on that trigger
    And another webhook trigger whose rule runs the marker action
    When the webhook receives:
      | event_type        | user.signup      |
      | user_id           | 12345            |
      | email             | test@example.com |
      | metadata.source   | web              |
      | metadata.campaign | spring2024       |
    Then each webhook trigger has an address of its own
    And exactly one event is recorded for the trigger, carrying the posted payload
    And each event created one enforcement for the rule
    And the echo action's execution received <value> as its message
    And the echo action's execution has succeeded with output <value>
    And the other webhook trigger recorded no event and its rule ran nothing

    Examples:
      | field             | value              |
      | email             | "test@example.com" |
      | metadata.campaign | "spring2024"       |
      | user_id           | 12345              |
