@attune @tier2 @T2.4 @workflow
Feature: T2.4 Parameter templating and context
  A task's input is built from templates over the workflow's context: the results of earlier tasks,
  the workflow's parameters and variables, the key store, and the item of a with_items task.

  # Upstream's namespaces (REPORT §3.1): the plan's `task_1.result` is `task.<name>.result`, its
  # `datastore.*` is `keystore.*`, `execution.params` is `parameters.*`. A pure "{{ expr }}" keeps the
  # JSON type of its value. The plan's `trigger.data.user.email` (a rule's template over the event's
  # nested payload) is asserted in T1.4 ("the action reads metadata.campaign from the posted payload").

  Background:
    Given a registered pack with the orchestration actions

  Scenario: Templates resolve against results, parameters, variables, keys and items
    Given the pack stores "https://api.production.com" under the key "config.api_url"
    And a workflow whose second task's input comes from the first task's result, the parameters, the workflow variables and the key store, and whose third runs once per region
    When the workflow runs with the parameters:
      | user.email | ops@example.com |
      | count      | 3               |
    Then the workflow has succeeded
    And task "use_context" received api_key "k-123"
    And task "use_context" received status_line "fetch_config said ok"
    And task "use_context" received email "ops@example.com"
    And task "use_context" received count 3
    And task "use_context" received environment "staging"
    And task "use_context" received api_url "https://api.production.com"
    And task "use_context" received missing null
    And task "per_item" ran once per item "eu, us, ap", each receiving its item and index

  Scenario: A template that cannot be evaluated fails with a clear message
    Given a workflow whose task input uses the unknown filter "no_such_filter"
    When the workflow runs
    Then the workflow has failed
    And its result says the template of task "broken" could not be rendered, naming "no_such_filter"
    And task "broken" never started

  # Success criteria and the steps that assert them:
  # - context includes trigger data (T1.4), execution parameters and earlier task results -> "received email",
  #   "received count", "received api_key" (from task.fetch_config.result)
  # - expressions evaluated, text interpolated -> "received status_line ..."; a pure expression keeps its
  #   JSON type -> "received count 3" (a number, not "3")
  # - nested JSON paths -> parameters.user.email and task.fetch_config.result.received.data.api_key
  # - workflow variables and the key store -> "received environment", "received api_url"
  # - with_items context -> "ran once per item ..., each receiving its item and index" (item and index)
  # - missing values handled gracefully -> "received missing null"
  # - template errors fail the execution with a clear message -> the second scenario (workflow failed, the
  #   task's record names the template and the unknown filter, no execution started for it)
