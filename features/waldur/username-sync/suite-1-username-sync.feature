@waldur @waldur-suite-1 @polling
Feature: Suite 1 Username sync from offering B to offering A
  Offering users are created by Waldur itself when a user joins a project, each user sees the offering
  users its role allows, and the site agent copies the username that offering B assigned to offering A
  once, and only once.

  Background:
    Given a Waldur with offerings A and B whose service providers may create offering users
    And user_a manages offering A, and user_b owns an organisation without offerings and manages the identities of a domain
    And the identity bridge pushes the subject user from that domain

  Scenario: test_01 Each user sees the offering users its role allows
    When the subject user joins the projects of offerings A and B
    Then an offering user for the subject appears on offerings A and B, requested and without a username
    And user_a sees the subject's offering user on offering A and none on offering B
    And user_b sees the subject's offering user on offering B

  Scenario: test_02 Joining a project creates offering users that wait for a username
    When the subject user joins the projects of offerings A and B
    Then an offering user for the subject appears on offerings A and B, requested and without a username
    When the provider of offering A names the subject's account "placeholder"
    Then the subject's offering user on offering A is OK with username "placeholder"
    And the subject's offering user on offering B has no username

  Scenario: test_03 Setting the username on offering B completes its offering user
    Given the subject user joins the projects of offerings A and B
    When the provider of offering B names the subject's account "inttest-sync"
    Then the subject's offering user on offering B is OK with username "inttest-sync"

  Scenario: test_04 The site agent copies offering B's username to offering A with one change
    Given the subject user joins the projects of offerings A and B
    And the provider of offering A names the subject's account "placeholder"
    And the provider of offering B names the subject's account "inttest-sync"
    And the site agent serves offering A with offering B as its backend for username reconciliation
    When the site agent syncs offering user usernames
    Then the subject's offering user on offering A is OK with username "inttest-sync"
    And the site agent changed the subject's offering user on offering A 1 time during that run

  Scenario: test_05 A second sync changes nothing
    Given the subject user joins the projects of offerings A and B
    And the provider of offering A names the subject's account "placeholder"
    And the provider of offering B names the subject's account "inttest-sync"
    And the site agent serves offering A with offering B as its backend for username reconciliation
    And the site agent has synced offering user usernames once
    When the site agent syncs offering user usernames
    Then the site agent changed the subject's offering user on offering A 0 times during that run
    And the subject's offering user on offering A is OK with username "inttest-sync"

  Scenario: test_06 The providers remove the offering users again
    Given the subject user joins the projects of offerings A and B
    And an offering user for the subject appears on offerings A and B, requested and without a username
    When the providers delete the subject's offering users
    Then neither offering lists an offering user for the subject
