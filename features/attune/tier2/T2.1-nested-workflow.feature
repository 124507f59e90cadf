@attune @tier2 @T2.1 @workflow
Feature: T2.1 Nested workflow execution
  A parent workflow runs a child workflow whose tasks are the grandchildren: three levels, each
  execution pointing at its parent, results flowing up, the parent done only when all below it are.

  Background:
    Given a registered pack with the orchestration actions

  Scenario: Parent, child workflow and grandchild tasks
    Given a child workflow of two tasks, run by a parent workflow
    When the workflow runs
    Then the workflow has succeeded
    And the executions form three levels: the parent, the child workflow and its 2 tasks
    And every execution of the tree has succeeded
    And the parent's output carries its grandchildren's results
    And the parent completed only after all its descendants

  # Success criteria and the steps that assert them:
  # - 3 execution levels; parent chain correct; tree structure maintained
  #   -> "the executions form three levels ..." (parent of each, exactly one child workflow, two leaf tasks)
  # - results propagate up from grandchildren to parent -> "the parent's output carries its grandchildren's results"
  # - parent waits for all descendants -> "the parent completed only after all its descendants" (target's timestamps)
