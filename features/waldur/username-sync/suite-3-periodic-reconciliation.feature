@waldur @waldur-suite-3 @polling
Feature: Suite 3 Periodic username reconciliation
  The site agent's periodic reconciliation repairs a username on offering A that differs from offering
  B's, changes nothing the second time, and leaves alone an offering that does not qualify.

  Background:
    Given a Waldur with offerings A and B whose service providers may create offering users
    And user_a manages offering A, and user_b owns an organisation without offerings and manages the identities of a domain
    And the identity bridge pushes the subject user from that domain

  Scenario: test_01 The offerings are ready for offering users
    Then the offerings A and B are active and let their providers create offering users

  Scenario: test_02 The providers create the subject's offering users themselves
    When the providers create offering users for the subject, "placeholder" on offering A and unnamed on offering B
    Then the subject's offering user on offering A is OK with username "placeholder"
    And the subject's offering user on offering B has no username

  Scenario: test_03 The target username is set on offering B
    Given the providers create offering users for the subject, "placeholder" on offering A and unnamed on offering B
    When the provider of offering B names the subject's account "reconcile"
    Then the subject's offering user on offering B is OK with username "reconcile"

  Scenario: test_04 Reconciliation repairs the username on offering A
    Given the providers create offering users for the subject, "placeholder" on offering A and unnamed on offering B
    And the provider of offering B names the subject's account "reconcile"
    And the site agent serves offering A with offering B as its backend for username reconciliation
    When the periodic username reconciliation runs
    Then the subject's offering user on offering A is OK with username "reconcile"
    And the site agent changed the subject's offering user on offering A 1 time during that run

  Scenario: test_05 A second reconciliation is a no-op
    Given the providers create offering users for the subject, "placeholder" on offering A and unnamed on offering B
    And the provider of offering B names the subject's account "reconcile"
    And the site agent serves offering A with offering B as its backend for username reconciliation
    And the periodic username reconciliation runs
    When the periodic username reconciliation runs
    Then the site agent changed the subject's offering user on offering A 0 times during that run
    And the subject's offering user on offering A is OK with username "reconcile"

  Scenario: test_06 An offering without STOMP and membership sync is skipped
    Given the providers create offering users for the subject, "placeholder" on offering A and unnamed on offering B
    And the provider of offering B names the subject's account "reconcile"
    And the site agent serves offering A with offering B as its backend without STOMP and without a membership sync backend
    When the periodic username reconciliation runs
    Then the reconciliation skips offering A because "stomp_enabled is off"
    And the site agent changed the subject's offering user on offering A 0 times during that run
    And the subject's offering user on offering A is OK with username "placeholder"

  # waldur-site-agent HEAD gates the reconciliation on username_reconciliation_enabled (event_processing/utils.py).
  Scenario: test_06b An offering with username reconciliation switched off is skipped
    Given the providers create offering users for the subject, "placeholder" on offering A and unnamed on offering B
    And the provider of offering B names the subject's account "reconcile"
    And the site agent serves offering A with offering B as its backend with username reconciliation switched off
    When the periodic username reconciliation runs
    Then the reconciliation skips offering A because "username_reconciliation_enabled is off"
    And the site agent changed the subject's offering user on offering A 0 times during that run
    And the subject's offering user on offering A is OK with username "placeholder"

  Scenario: test_07 The providers remove the offering users again
    Given the providers create offering users for the subject, "placeholder" on offering A and unnamed on offering B
    When the providers delete the subject's offering users
    Then neither offering lists an offering user for the subject
