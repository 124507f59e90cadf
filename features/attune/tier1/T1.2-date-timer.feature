@attune @tier1 @T1.2 @timer
Feature: T1.2 Date timer (one-shot execution)
  A date timer fires once, at the moment it names, and never again.

  # "Timer marked as expired/completed" has no wire representation upstream (the timer is the rule's
  # trigger_params; neither the rule nor the trigger carries a timer state), so it is asserted by its
  # effect: no further firing, event, enforcement or execution after the one shot.

  Background:
    Given a registered pack with the test actions

  Scenario: The marker action runs exactly once, on time
    Given a rule that runs the marker action with message "one shot" once, 5 seconds from now
    When the timer has fired 1 time
    Then the timer fired within 1 second of the scheduled time
    And each event created one enforcement for the rule
    And each enforcement started one execution of the marker action
    And the marker action's execution has succeeded with output "one shot"
    And no further execution of the marker action appears during the next 10 seconds
    And in all the rule led to exactly 1 event, 1 enforcement and 1 execution
