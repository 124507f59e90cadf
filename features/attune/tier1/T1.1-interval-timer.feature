@attune @tier1 @T1.1 @timer
Feature: T1.1 Interval timer automation
  An interval timer fires on a fixed period. Every firing is recorded as an event, the rule turns
  each event into an enforcement, and each enforcement runs the action to completion with its
  output kept in the execution result.

  # Not observable over the wire, so not asserted: "No errors in any service logs" (plan) and the
  # README's "Worker logs action output" / "Completion notification sent back to executor" (internal
  # messages; what is observable of them is the output kept in the result and the notifier's status
  # announcements, both asserted below).

  Background:
    Given a registered pack with the test actions

  Scenario: A 5-second timer runs the echo action on every tick
    Given a rule that runs the echo action with message "tick" every 5 seconds
    When the timer has fired 3 times
    Then the timer fired every 5 seconds, give or take 500 ms
    And each event created one enforcement for the rule
    And each enforcement started one execution of the echo action
    And every execution of the echo action has succeeded with output "tick"

  # README "Scenario 1: Basic timer automation": timer -> event -> rule -> enforcement -> execution.
  @attune-scenario-1
  Scenario: Basic timer automation
    Given I watch execution notifications
    And a rule that runs the echo action with message "hello from the timer" every 10 seconds
    When the timer has fired 1 time
    Then the first event was recorded within 10 seconds of the rule's creation, give or take 500 ms
    And each event created one enforcement for the rule
    And each enforcement started one execution of the echo action
    And the echo action's execution has succeeded with output "hello from the timer"
    And that execution went through requested, scheduled, running and succeeded
