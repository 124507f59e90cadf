@attune @tier3 @T3.13
Feature: T3.13 Invalid action parameters
  Parameters are checked against the action's parameter schema before an execution is scheduled:
  a missing required parameter fails the execution at once, with a clear message, and no worker
  ever runs it.

  # "No resources wasted" is observed as: no scheduling, no running, no start time, no process exit code.

  Background:
    Given a registered pack with the test actions
    And an action of the pack that requires the parameter "url"
    And I watch execution notifications

  Scenario: Running the action without its required parameter
    When I run that action without any parameters
    Then that execution failed at once saying "Missing required parameter: url"
    And it never reached a worker

  Scenario: A rule whose parameters lack the required one
    Given a webhook trigger
    And a rule that runs that action without any parameters on that trigger
    When the webhook receives:
      | level | info |
    Then the rule's execution is the one in focus
    And that execution failed at once saying "Missing required parameter: url"
    And it never reached a worker
