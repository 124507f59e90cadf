@waldur @waldur-suite-2 @stomp
Feature: Suite 2 Offering user events for offering managers and ISD identity managers
  Offering user events of offering B reach its offering manager (user_a) and the identity manager whose
  domains overlap the user's (user_b); once user_b manages no domain, user_b hears nothing more.

  Background:
    Given Waldur A offers STOMP over WebSocket
    And a Waldur with offerings A and B whose service providers may create offering users
    And user_a manages offering A, and user_b owns an organisation without offerings and manages the identities of a domain
    And the identity bridge pushes the subject user from that domain
    And user_a also manages offering B

  Scenario: test_01 Both subscribers may see the subject's offering user on offering B
    When the provider of offering B creates an offering user for the subject
    Then user_a sees the subject's offering user on offering B
    And user_b sees the subject's offering user on offering B

  Scenario: test_02 user_a and user_b subscribe to offering user events over STOMP
    When user_a and user_b each subscribe to the offering user events of offering B
    Then the broker shows a live connection and a consumer on the offering user queue of user_a and of user_b

  Scenario: test_03 Creating and naming an offering user on offering B reaches both subscribers
    Given user_a and user_b each subscribe to the offering user events of offering B
    When the provider of offering B creates an offering user for the subject
    And the provider of offering B names the subject's account "stomp-test"
    Then user_a receives the create event of that offering user
    And user_b receives the create event of that offering user
    And user_a receives the update event of that offering user with username "stomp-test"
    And user_b receives the update event of that offering user with username "stomp-test"
    And user_a receives the username_set event of that offering user with username "stomp-test"
    And user_b receives the username_set event of that offering user with username "stomp-test"

  Scenario: test_04 After user_b's domains are cleared only user_a hears of a new username
    Given user_a and user_b each subscribe to the offering user events of offering B
    And the provider of offering B creates an offering user for the subject
    And user_b receives the create event of that offering user
    When user_b's managed identity domains are cleared
    And the provider of offering B names the subject's account "no-isd"
    Then user_a receives the username_set event of that offering user with username "no-isd"
    And user_b receives no event of that offering user for 2 seconds
    When user_b's managed identity domains are restored
    And the provider of offering B names the subject's account "isd-restored"
    Then user_b receives the username_set event of that offering user with username "isd-restored"

  Scenario: test_05 The subscribers disconnect and their queues are removed
    Given user_a and user_b each subscribe to the offering user events of offering B
    When user_a and user_b disconnect and their event subscriptions are deleted
    Then the broker no longer has the offering user queues of user_a and user_b
