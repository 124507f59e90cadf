@attune @tier2 @T2.9 @workflow
Feature: T2.9 Execution timeout policy
  A task that runs past its timeout is killed with its whole process tree and fails saying so.

  Background:
    Given a registered pack with the orchestration actions

  Scenario: A 60-second action under a 3-second timeout
    Given a workflow whose task sleeps 60 seconds with a timeout of 3 seconds
    When the workflow runs
    Then the workflow has failed
    And the task's execution failed after about 3 seconds, saying it timed out
    And its exit code shows it was killed by a signal
    And no process of the action is left running
    And the worker still runs a task to success afterwards

  # Success criteria and the steps that assert them:
  # - process killed after the timeout; 'running' -> 'failed' -> "failed after about 3 seconds" (started_at to
  #   updated, 3 s to 7 s) and "the workflow has failed"
  # - error message indicates timeout -> "saying it timed out"; exit code shows SIGTERM/SIGKILL -> "exit code ..."
  # - no zombie processes -> "no process of the action is left" (the action's pid and its child sleep's pid;
  #   observable where the worker runs on this host, as the embedded target does)
  # - worker remains stable -> "the worker still runs a task to success afterwards"
  # The plan's 5 s timeout is 3 s here to keep the tier fast; workflow-level and system default timeouts
  # (300 s) are not exercised.
