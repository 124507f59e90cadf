@attune @tier2 @T2.7 @workflow @inquiry
Feature: T2.7 Inquiry timeout handling
  An inquiry nobody answers expires after its TTL; the workflow goes on without user input, with
  the default response where one is set, or along its timeout path.

  # The inquiry's TTL is the ask task's `timeout` (upstream core.ask has no TTL input of its own).
  # The plan's status 'expired' is upstream's inquiry status `timeout` (REPORT §1.11).

  Background:
    Given a registered pack with the orchestration actions
    And I watch inquiry notifications

  # Upstream HEAD has no default response: the inquiry becomes `timeout` and the ask task ends with
  # execution status `timeout` (REPORT §7). The embedded target implements the plan: core.ask's
  # `default_response` becomes the task's response when nobody answers in time.
  @upstream-gap
  Scenario: Nobody answers; the workflow carries on with the default response
    Given a workflow that asks "Deploy tonight?" for 4 seconds, defaulting to:
      | approved | no     |
      | reason   | no answer |
    When the workflow runs
    Then the workflow waits on a pending inquiry asking "Deploy tonight?", with a deadline
    And the inquiry times out 4 seconds after it was asked
    And the workflow has succeeded
    And the next task received the default response
    And the notifier announced the inquiry as created, then timed out

  Scenario: Nobody answers; the ask task times out and the workflow takes its timeout path
    Given a workflow that asks "Deploy tonight?" for 4 seconds and escalates when nobody answers
    When the workflow runs
    Then the workflow waits on a pending inquiry asking "Deploy tonight?", with a deadline
    And the inquiry times out 4 seconds after it was asked
    And task "ask" has timed out
    And task "escalate" has succeeded
    And task "use_answer" never started
    And the workflow has succeeded
    And the notifier announced the inquiry as created, then timed out

  # Success criteria and the steps that assert them:
  # - the inquiry expires after TTL seconds -> "times out 4 seconds after it was asked" (the target's created,
  #   timeout_at and updated: deadline = TTL ±1 s, marked within 2.5 s after it)
  # - status pending -> expired -> "waits on a pending inquiry" then "times out" (status `timeout`, no response;
  #   a late answer is refused with 400)
  # - the execution receives the default response -> "the next task received the default response"
  # - the execution proceeds without user input -> "the workflow has succeeded" (both scenarios); without a
  #   default the ask task ends `timeout` and the `timed_out()` transition runs "escalate"
  # - timeout event logged -> "the notifier announced the inquiry as created, then timed out"
  #   (inquiry_created then inquiry_timeout, with their statuses)
