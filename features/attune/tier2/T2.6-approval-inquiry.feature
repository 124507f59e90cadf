@attune @tier2 @T2.6 @workflow @inquiry
Feature: T2.6 Approval workflow (inquiry)
  A core.ask task opens an inquiry and the workflow waits; the answer resumes it and reaches the
  next task. README scenario 5 is the same human-in-the-loop flow.

  Background:
    Given a registered pack with the orchestration actions

  Scenario Outline: <kind>
    Given a workflow that asks "<prompt>" and hands the answer to its next task
    When the workflow runs
    Then the workflow waits on a pending inquiry asking "<prompt>", with a deadline
    When the inquiry is answered with:
      | <field> | <value> |
      | by      | alice   |
    Then the inquiry is marked responded with that answer
    And the workflow has succeeded
    And the next task received that answer

    Examples:
      | kind                 | prompt               | field    | value   |
      | Yes/no approval      | Deploy to production? | approved | yes     |
      | Multi-field form     | Which release window? | window   | 22:00   |
      | Multiple choice      | Pick an environment   | choice   | staging |

  @attune-scenario-5
  Scenario: README scenario 5, human in the loop
    Given I watch inquiry notifications
    And a workflow that asks "Approve the change?" and hands the answer to its next task
    When the workflow runs
    Then the workflow waits on a pending inquiry asking "Approve the change?", with a deadline
    When the inquiry is answered with:
      | approved | yes |
    Then the inquiry is marked responded with that answer
    And the workflow has succeeded
    And the next task received that answer
    And the notifier announced the inquiry as created, then responded

  # Success criteria and the steps that assert them:
  # - execution pauses ('paused' is upstream's `running` with a pending inquiry) and inquiry created
  #   'pending' with the prompt and a TTL -> "waits on a pending inquiry ..., with a deadline" (timeout_at set)
  # - response submission updates the inquiry -> "marked responded with that answer"
  # - execution resumes and completes -> "the workflow has succeeded"; the action receives the response
  #   in structured form -> "the next task received that answer"
  # - "timeout causes default action" belongs to T2.7.
  # Scenario 5 also: the inquiry's notifications (inquiry_created, inquiry_responded) reach a watching
  # client -> "the notifier announced the inquiry as created, then responded".
