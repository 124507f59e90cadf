@attune @tier2 @T2.11 @workflow
Feature: T2.11 Sequential workflow with dependencies
  Tasks that depend on one another run one after the other, each receiving the result of the one
  before; README scenario 2 runs a three-task workflow joined by success transitions.

  Background:
    Given a registered pack with the orchestration actions

  Scenario: Each task waits for the one it depends on and uses its result
    Given a workflow of three steps, each depending on the one before and adding one to its step
    When the workflow runs
    Then the workflow has succeeded
    And the tasks ran one after another in the order "task_a -> task_b -> task_c"
    And task "task_b" received step 2
    And task "task_c" received step 3
    And the workflow lasted at least as long as its tasks together

  @attune-scenario-2
  Scenario: README scenario 2, a workflow of three sequential tasks
    Given a workflow that announces "Starting workflow", waits 2 seconds and then announces "Workflow complete"
    When the workflow runs
    Then the workflow has succeeded
    And the tasks ran one after another in the order "announce_start -> wait -> announce_end"
    And task "announce_end" received opening "Starting workflow"
    And the workflow output opening is "Starting workflow"
    And the workflow output closing is "Workflow complete"
    And every task output was captured

  # Success criteria and the steps that assert them:
  # - tasks execute in the correct order; no task starts before its dependency completes
  #   -> "the tasks ran one after another in the order ..." (start times vs completion times, target's timestamps)
  # - each task accesses the previous task's result -> "task ... received step N" (step = previous step + 1)
  # - total time = sum of individual times -> "the workflow lasted at least as long as its tasks together"
  # - workflow status reflects sequential progress -> "the workflow has succeeded" after the ordered tasks
  # Scenario 2: execution created and 'succeeded' -> "the workflow has succeeded"; order -> "ran one after
  # another"; variables propagate -> published `opening` reaches task 3 and the output map; outputs captured
  # -> "every task output was captured".
