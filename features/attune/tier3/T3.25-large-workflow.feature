@attune @tier3 @T3.25 @workflow @slow
Feature: T3.25 Large workflow
  A workflow of a hundred sequential tasks runs every task once, in order, each as its own child
  execution of the workflow, and completes.

  # Success criteria and the steps that assert them:
  # - all 100 tasks execute, in sequential order, the execution tree correct (parent-child) ->
  #   "every task ran once, as a child of the workflow, in task-number order, each after the one
  #   before finished" (task names, outputs, parent links and the target's own timestamps);
  #   no grandchildren.
  # - the database handles the execution count, no stack overflow or recursion issue -> the
  #   workflow completes and its 100 children are all listed.
  # - "memory usage scales linearly" needs the worker's memory from inside the deployment, which a
  #   remote target does not expose; not asserted here.

  Background:
    Given a registered pack with the operations actions

  Scenario: A hundred sequential tasks run in order
    Given a workflow of 100 sequential tasks, each echoing its task number
    When the workflow runs
    Then the workflow succeeded within 3 minutes
    And every task ran once, as a child of the workflow, in task-number order, each after the one before finished
