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

  # Known issue 4: source STOMP connections drop and reconnect, and events may be missed meanwhile. The
  # operator drops the agent's order connection on the broker; the agent must reconnect on its own, and the
  # next order event must still reach it (its queue keeps the events while nobody consumes).
  Scenario: The site agent reconnects after the broker drops its order connection and still receives order events
    Given Waldur A offers STOMP over WebSocket
    And Waldur A and Waldur B are federated with passthrough components
    And the site agent processes events
    When the broker drops the site agent's source STOMP connection for orders
    Then the site agent reconnects its source STOMP connection for orders
    And the site agent holds the configured number of source STOMP connections, all connected
    When a project member orders the offering on Waldur A with 1 cpu
    Then the site agent submits the order on Waldur A to Waldur B on its order event
