@attune @tier1 @T1.8
Feature: T1.8 Action execution failure handling
  A script that exits with an error is marked failed, keeps its exit code and error output, is not
  retried, and leaves the system working.

  # "Not retried": a retry under a retry policy appears a delay after the failure (1 s by default,
  # growing with backoff, plus scheduling and start-up of the new attempt); the 10 s window covers
  # several such delays on a loaded machine, so a retry the platform made on its own would show.

  Background:
    Given a registered pack with the test actions
    And I watch execution notifications
    And a webhook trigger

  Scenario: A script exiting with code 1 fails, keeps its stderr and is not retried
    Given a rule that runs the failing action with message "fail" on that trigger
    When the webhook receives:
      | reason | e2e |
    Then each event created one enforcement for the rule
    And the failing action's execution has failed with exit code 1
    And its stderr keeps "Starting action..." and its error names it
    And that execution went through requested, scheduled, running and failed
    And the rule's enforcement was processed, with that execution as its only one
    And no further execution of the failing action appears during the next 10 seconds
    And the echo action still runs to success afterwards
