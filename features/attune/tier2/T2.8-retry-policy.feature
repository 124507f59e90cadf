@attune @tier2 @T2.8 @workflow
Feature: T2.8 Retry policy execution
  A failed task is retried as a new execution after a delay that grows with the backoff; README
  scenario 6 retries an action that always fails and ends failed with the error kept.

  Background:
    Given a registered pack with the orchestration actions

  Scenario: Exponential backoff until the third attempt succeeds
    Given a workflow whose task runs the flaky action that fails 2 times, retried up to 3 times after 2 seconds with exponential backoff
    When the workflow runs
    Then the workflow has succeeded
    And task "flaky_task" was attempted 3 times, each attempt its own execution
    And every attempt but the last failed, and the last succeeded
    And the retries started 2 and 4 seconds after the attempt before failed
    And the task may be retried at most 3 times

  @attune-scenario-6
  Scenario: README scenario 6, an action that always fails is tried three times in all
    Given a workflow whose task runs the flaky action that fails 99 times, retried up to 2 times after 1 second with constant backoff
    When the workflow runs
    Then the workflow has failed
    And task "flaky_task" was attempted 3 times, each attempt its own execution
    And every attempt but the last failed, and the last failed
    And every failed attempt kept its error "attempt N failed on purpose"

  # Success criteria and the steps that assert them:
  # - retried 3 times total; each retry logged separately -> "was attempted 3 times, each attempt its own execution"
  #   (workflow_task.retry_count 0,1,2 and original_execution = first attempt)
  # - exponential backoff 2 s, 4 s -> "the retries started 2 and 4 seconds after ..." (created of each attempt
  #   minus completion of the one before, from the target's timestamps; tolerance -0.25 s / +1.5 s)
  # - succeeds on the final retry -> "the last succeeded"; retry count in metadata -> retry_count / max_retries
  # - max retries honoured -> scenario 6: exactly 3 attempts with 2 retries, then the workflow failed
  # Scenario 6: fails on each attempt, executor retries twice, ends 'failed', 3 attempts, error captured.
