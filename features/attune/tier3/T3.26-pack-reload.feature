@attune @tier3 @T3.26
Feature: T3.26 Pack update and reload
  Uploading a new version of a pack reloads its actions without restarting anything: executions
  started afterwards run the new code, an execution already running finishes on the code it
  started with.

  # Upstream has no /packs/{id}/reload: reloading is uploading the pack again with force=true
  # (REPORT §1.5, tests/e2e/api/test_pack_metadata_deployment.py). "Virtualenv updated with new
  # dependencies" belongs to the per-pack dependency scenarios (T2.12, T3.19).

  Background:
    Given a registered pack with the operations actions

  Scenario: New executions run the new code, the one in flight finishes on the old
    When the version action runs, it reports its code version "1.0.0"
    And a run of the version action taking 8 seconds has been in flight for 2 seconds
    When the pack is reloaded as version "1.1.0" with changed action code
    Then the pack is registered at version "1.1.0"
    And a new run of the version action reports "1.1.0"
    And the run that was in flight completed on the old code, reporting "1.0.0"
