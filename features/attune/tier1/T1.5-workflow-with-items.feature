@attune @tier1 @T1.5 @workflow
Feature: T1.5 Workflow with array iteration (with_items)
  A workflow task with with_items runs one child execution per item; the parent stays running
  while its children run and succeeds once they all have.

  # "Children can run in parallel" is a capability, not an outcome: three short children may or may
  # not overlap on a loaded machine, so it is not asserted here (T2.10 measures parallelism).

  Background:
    Given a registered pack with the test actions
    And I watch execution notifications

  Scenario Outline: One child execution per item
    When the item workflow runs with the items "<items>"
    Then the item workflow's execution has succeeded
    And it started <count> child executions, each with the workflow as parent
    And the children received the items "<items>", one each
    And every child execution has succeeded
    And the workflow was running while its children ran

    Examples:
      | items                 | count |
      | apple, banana, cherry | 3     |
