@waldur @waldur-test-5 @stomp
Feature: Test 5 Source STOMP connections to Waldur A
  In event mode the site agent registers its identity on Waldur A and keeps one STOMP connection per
  kind of event it follows.

  Scenario: The site agent connects to Waldur A for every kind of event
    Given Waldur A offers STOMP over WebSocket
    And Waldur A and Waldur B are federated with passthrough components
    When the site agent processes events
    Then the site agent holds the configured number of source STOMP connections, all connected
    And the source STOMP connections listen for orders, user roles, resources, service accounts and course accounts
