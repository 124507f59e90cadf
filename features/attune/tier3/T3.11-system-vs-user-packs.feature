@attune @tier3 @T3.11 @security
Feature: T3.11 System and user packs
  The system pack (core) is visible to and runnable by every user; a user's own pack stays theirs.

  # Upstream has no tenants (see T1.7): the plan's tenants A and B are two separate users, and the
  # system pack is upstream's standard `core` pack. "System pack actions use shared venv": core's
  # actions at HEAD are shell actions (core.shell) that need no virtualenv, so there is nothing to
  # share and nothing to observe; it is not asserted.

  Background:
    Given two separate users, Alice and Bob
    And Alice registers a pack with the test actions
    And Bob registers a pack with the test actions

  Scenario: Both see and run the system pack, each sees only their own user pack
    Then Alice and Bob both see the system pack "core" when listing packs
    And Alice sees her own pack when listing them
    And Bob sees her own pack when listing them
    And Alice does not see Bob's pack when listing them
    And Bob does not see Alice's pack when listing them
    And Bob is told that Alice's pack does not exist
    When Alice and Bob each run the system action "core.echo" with message "shared"
    Then both executions of "core.echo" succeeded with output "shared"
    And neither can see the other's execution
    And neither can delete the system pack "core"
