@attune @tier3 @T3.6
Feature: T3.6 Sensor-generated custom event
  A pack brings its own sensor: once a rule uses the sensor's trigger, the platform starts the
  sensor's code, which watches a file on the configured interval and creates an event when the
  file changes; the rule then runs its action with what the sensor saw.

  # The file is on this machine: the scenario needs a target whose sensor service shares this
  # filesystem (the embedded target). The sensor records its looks at the file next to it, which is
  # how "polls on the configured interval" is read.

  Background:
    Given a registered pack with the operations actions

  Scenario: The sensor notices the change and its rule runs
    Given a file holding "first", watched every 1 second by a rule on the pack's file-change trigger that runs the stage action
    Then the pack's sensor, loaded from the pack, serves the file-change trigger
    And the sensor looks at the file every 1 second, give or take 300 ms
    And no event is recorded while the file stays the same, for 2 seconds
    When the file is changed to "second"
    Then within 2 seconds of the change exactly one event is recorded, carrying the path, "first" before and "second" after
    And the rule ran the stage action with "second"
