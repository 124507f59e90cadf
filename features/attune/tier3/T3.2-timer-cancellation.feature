@attune @tier3 @T3.2 @timer
Feature: T3.2 Timer cancellation
  Disabling a timer rule stops its timer: no more firings, no more executions, while executions
  already under way finish normally. Enabling it again resumes the timer.

  # The plan's 5 s timer and 15 s window are shortened to 2 s and 6 s (three missed firings either
  # way) to keep the tier inside its time budget.

  Background:
    Given a registered pack with the test actions

  Scenario: A disabled timer rule stops firing, and resumes when enabled again
    Given a rule that runs the marker action with message "tick" every 2 seconds
    When the timer has fired 2 times
    And the rule is disabled
    Then every execution the rule started ends with succeeded
    And the timer neither fires nor runs anything during the next 6 seconds
    When the rule is enabled
    Then the timer fires again within 4 seconds, running the marker action again
