# Upstream gap: Attune has no tenants any more (no tenant_id; upstream deleted its T1.7 test on
# 2026-05-02). Isolation is per identity: packs belong to the identity that installed them and keys
# can be owned by an identity. These scenarios keep the plan's meaning with two separate users as
# the two tenants: what one owns, the other can neither list nor reach (404, not 403).
@attune @tier1 @T1.7 @security @upstream-gap
Feature: T1.7 Multi-tenant isolation
  One user's packs, actions, workflows, triggers, rules, executions, events, enforcements and keys
  are invisible to another, listed or fetched, directly or through an action, and SQL injected into
  filters and bodies neither shows nor changes them.

  Background:
    Given two separate users, Alice and Bob
    And Alice registers a pack with the test actions

  Scenario: Another user can neither list nor reach the pack, its action and its workflow
    Then Alice sees her own pack when listing them
    And Alice sees her own workflow when listing them
    And Bob does not see Alice's pack when listing them
    And Bob does not see Alice's actions when listing them
    And Bob does not see Alice's workflows when listing them
    And Bob is told that Alice's pack does not exist
    And Bob is told that Alice's workflow does not exist
    And Bob is told that Alice's action does not exist when running it
    And Alice runs her echo action to success

  Scenario: Triggers, rules, executions, events and enforcements stay with their owner
    Given Alice's echo action has run through her webhook rule
    Then Bob does not see Alice's triggers when listing them
    And Bob does not see Alice's rules when listing them
    And Bob does not see Alice's executions when listing them
    And Bob does not see Alice's events when listing them
    And Bob does not see Alice's enforcements when listing them
    And Bob is told that Alice's trigger does not exist
    And Bob is told that Alice's rule does not exist
    And Bob is told that Alice's execution does not exist
    And Bob is told that Alice's event does not exist
    And Bob is told that Alice's enforcement does not exist

  # The plan's T1.6 "scoped to tenant/user": an action reads keys as the identity that runs it, so
  # Bob's action cannot read Alice's key any more than Bob can.
  Scenario Outline: Keys stay with their owner (<kind>)
    Given Alice keeps "alice-only" under a personal <kind>
    And Bob registers a pack with the test actions
    Then Alice sees her own key when listing them
    And Bob does not see Alice's keys when listing them
    And Bob is told that Alice's key does not exist
    And Bob's key reader action reads Alice's key as null
    And Alice's key reader action reads Alice's key as "alice-only"

    Examples:
      | kind          |
      | key           |
      | encrypted key |

  Scenario: Injected SQL and a forged token do not get through
    Given Alice keeps "alice-only" under a personal key
    And Alice's echo action has run through her webhook rule
    Then Bob is told that Alice's pack does not exist, even with SQL injected into its name
    And SQL that Bob injects into list filters shows him nothing of Alice's
    And SQL that Bob injects into a key he stores changes nothing of Alice's
    And Alice runs her echo action to success
    And Bob's token, altered to claim Alice's identity, is refused as unauthorized (401)
