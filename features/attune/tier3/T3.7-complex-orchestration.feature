@attune @tier3 @T3.7 @webhook @workflow @inquiry @database
Feature: T3.7 Complex workflow orchestration
  The whole automation loop: a webhook starts a pipeline that checks the value against a threshold
  kept in the key store; over the threshold it asks for approval, runs a multi-step remediation,
  records what it did in the key store and sends a notification; under it, it only records and
  notifies.

  # Flow: webhook -> check threshold -> inquiry -> multi-step workflow -> update datastore -> notify.
  # The notification goes to a webhook of the platform itself (an event on a trigger of its own), so
  # "notification delivered" is read back from the target. Success criteria and their steps:
  # stages in order -> "the tasks ran one after another in the order ..."; data flows through the
  # pipeline -> the parameters, the inquiry's question, the stored key and the notification all carry
  # the posted value and the stored threshold; conditional logic -> the two scenarios; the inquiry
  # pauses the execution -> "pauses on the inquiry ..., and no later task has started"; datastore
  # updates persist -> "the pack's key ... now holds"; notification delivered -> the last step.

  Background:
    Given a registered pack with the operations actions
    And the pack stores 80 under the key "threshold"
    And a webhook trigger
    And a remediation pipeline runs on that trigger and reports to a notification webhook of its own

  Scenario: Over the threshold: approval, remediation, record, notification
    When the webhook receives:
      | value | 95    |
      | host  | web-1 |
    Then the event started the pipeline with the posted value and host
    And the workflow pauses on the inquiry "Value 95 on web-1 exceeds the threshold 80: remediate?", and no later task has started
    When the inquiry is answered with:
      | approved | yes   |
      | by       | alice |
    Then the workflow has succeeded
    And the tasks ran one after another in the order "check_threshold -> approval -> drain -> restart -> record -> notify"
    And the pack's key "last_result" now holds:
      | host        | web-1      |
      | value       | 95         |
      | threshold   | 80         |
      | action      | remediated |
      | approved_by | alice      |
    And the notification webhook received exactly one message: "web-1: value 95, threshold 80, remediated"

  Scenario: Under the threshold: no approval, no remediation, still recorded and notified
    When the webhook receives:
      | value | 42    |
      | host  | web-2 |
    Then the event started the pipeline with the posted value and host
    And the workflow has succeeded
    And the tasks ran one after another in the order "check_threshold -> record -> notify"
    And the pack's key "last_result" now holds:
      | host      | web-2 |
      | value     | 42    |
      | threshold | 80    |
      | action    | none  |
    And the notification webhook received exactly one message: "web-2: value 42, threshold 80, none"
