@attune @tier2 @T2.2 @workflow
Feature: T2.2 Workflow with failure handling
  The second of three tasks fails; what happens to the third and to the workflow follows the policy.

  Background:
    Given a registered pack with the orchestration actions

  Scenario Outline: Failure policy <policy>
    Given a workflow of three tasks whose second always fails, with the failure policy "<policy>"
    When the workflow runs
    Then the workflow has <workflow>
    And task "first" has succeeded
    And task "second" has failed
    And task "second" was attempted <attempts> times, each attempt its own execution
    And <third>

    Examples:
      | policy | workflow | attempts | third                       |
      | abort  | failed   | 1        | task "third" never started  |
      | retry  | failed   | 3        | task "third" never started  |

    # The plan's 'succeeded_with_errors' is not an upstream status (execution_status_enum): a failure
    # transition that carries on recovers the workflow, which ends `completed` (upstream T2.2); the
    # failed task stays recorded as failed.
    @upstream-gap
    Examples:
      | policy   | workflow  | attempts | third                 |
      | continue | succeeded | 1        | task "third" has succeeded |

  # Success criteria and the steps that assert them:
  # - first child completes -> 'task "first" has succeeded'; second fails -> 'task "second" has failed'
  # - continue: third still executes -> 'task "third" has succeeded'; abort: third never starts -> 'never started'
  # - parent status per policy -> "the workflow has ..." (succeeded_with_errors: see @upstream-gap above)
  # - retry re-runs the failed task N times -> 'was attempted 3 times, each attempt its own execution'
