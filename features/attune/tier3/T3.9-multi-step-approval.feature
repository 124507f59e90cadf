@attune @tier3 @T3.9 @workflow @inquiry
Feature: T3.9 Multi-step approval workflow
  A workflow stops twice for two different approvals: it waits on each inquiry in turn, resumes
  after each answer, and every answer is visible to the tasks that come after it.

  # Upstream's "paused" is a running workflow whose core.ask task has a pending inquiry. The second
  # question is built from the first answer, and the last task receives both: that is "responses
  # accessible in subsequent tasks".

  Background:
    Given a registered pack with the orchestration actions

  Scenario: Manager approval, then security approval, then the deployment
    Given a workflow that asks for the manager's approval, then the security team's, then deploys
    When the workflow runs
    Then the workflow pauses on the inquiry "Manager approval: deploy release 42?", and no later task has started
    When the inquiry is answered with:
      | approved | yes   |
      | approver | alice |
    Then the inquiry is marked responded with that answer
    And the workflow pauses on the inquiry "Security approval: release 42, approved by alice?", and no later task has started
    When the inquiry is answered with:
      | approved | yes         |
      | reviewer | security-bob |
    Then the inquiry is marked responded with that answer
    And the workflow has succeeded
    And the deploy task received both answers, as the inquiries recorded them
