@attune @tier3 @T3.5 @webhook
Feature: T3.5 Webhook with rule criteria filtering
  Every webhook call records an event, but only the rules whose criteria match its payload
  create an enforcement and run their action.

  Background:
    Given a registered pack with the test actions
    And a webhook trigger
    And rule "A" runs the echo action with message "info seen" only when the payload's level is "info"
    And rule "B" runs the echo action with message "error seen" only when the payload's level is "error"

  Scenario Outline: A <level> event fires <fired>
    When the webhook receives:
      | level | <level> |
    Then exactly one event is recorded for the trigger, carrying the posted payload
    And only the rules "<fired>" fired for that event, each running the echo action to success

    Examples:
      | level | fired |
      | info  | A     |
      | error | B     |
      | debug | none  |
