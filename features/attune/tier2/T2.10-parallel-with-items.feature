@attune @tier2 @T2.10 @workflow
Feature: T2.10 Parallel execution (with_items)
  A with_items task runs its items as concurrent children, never more at once than its concurrency.

  Background:
    Given a registered pack with the orchestration actions

  Scenario Outline: Five 2-second items with concurrency <concurrency>
    Given a workflow that runs a 2-second task for each of 5 items with concurrency <concurrency>
    When the workflow runs
    Then the workflow has succeeded
    And all 5 children succeeded, at most <concurrency> running at any moment and <concurrency> at once at some point
    And the children took about <seconds> seconds from the first start to the last finish

    Examples:
      | concurrency | seconds |
      | 5           | 2       |
      | 2           | 6       |
      | 1           | 10      |

  # Success criteria and the steps that assert them (the plan's 5-second items are 2 s here, so that
  # the sequential case fits the tier's time budget):
  # - all 5 children start immediately (concurrency 5) -> peak of 5 running at once
  # - total ~ one item's time in parallel, not the sum -> "took about 2 / 6 / 10 seconds" (first started_at to
  #   last completion, from the target's timestamps; at least the waves' sleeps, at most one slowest child's
  #   run time per wave + 1 s, so a loaded machine's slower process starts do not count as lost parallelism)
  # - concurrency limits 1 / 2 / 5 -> "at most N running at any moment and N at once at some point"
  # - all children complete successfully -> "all 5 children succeeded"
