@attune @tier2 @attune-scenario-3 @database
Feature: README scenario 3, FIFO queue ordering
  Under an action concurrency policy of 1, executions submitted rapidly wait in a queue and run one
  at a time, strictly in the order they were submitted; the queue statistics follow along.

  # Upstream has no REST route for policies (REPORT §3.5: rows of table `policy`, enforced by the
  # executor's policy_enforcer with a FIFO queue_manager); the suite's operator seeds the policy over
  # the database URL, as upstream seeds policies by SQL. The queue is the scenario's own action's.

  Background:
    Given a registered pack with the orchestration actions

  Scenario: Five executions of an action limited to one at a time
    Given the emit action may run only 1 at a time
    When 5 executions of it, each taking 1 second, are submitted one right after another
    Then the queue holds all 5, 1 running and the rest waiting
    And while they run the queue stats stay consistent until all 5 completed
    And they ran one at a time, in the order they were submitted, all succeeding

  # Success criteria and the steps that assert them:
  # - executions enqueued in submission order; order preserved exec1 -> ... -> exec5 -> "in the order they
  #   were submitted" (start times from the target's started_at, against the submission order)
  # - only 1 runs at a time; the next starts after the previous completes -> "one at a time" (each
  #   started_at at or after the previous one's completion) and active_count never above 1
  # - queue stats accurate (queue_length, active_count) -> "the queue holds all 5, 1 running and the rest
  #   waiting" (max_concurrent 1, total_enqueued 5) and "stay consistent" (queued + running + completed = 5
  #   in every sample, 0 queued and 0 running at the end, total_completed 5)
  # - all 5 complete successfully -> "all succeeding" (status completed, each with its own output)
