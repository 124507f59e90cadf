@attune @tier3 @T3.22
Feature: T3.22 Execution history pagination
  A long execution history reads back page by page: an accurate total, no duplicates, no gaps,
  and a stable newest-first order.

  # The plan's limit/offset are upstream's page/per_page for executions (routes/executions.rs);
  # the history is the scenario's own action's, so other scenarios' executions never interfere.

  Background:
    Given a registered pack with the test actions
    And an action of the pack that does nothing

  Scenario: 100 executions in pages of 20
    Given 100 executions of that action
    When I read its execution history in pages of 20
    Then there are 5 pages of 20, with a total of 100
    And every execution appears exactly once, newest first
