@waldur @waldur-test-6 @stomp
Feature: Test 6 Target STOMP connection to Waldur B
  With target STOMP enabled the site agent also listens to Waldur B's order events, so a finished
  order on B completes the order on A at once.

  Scenario: The site agent connects to Waldur B for order events
    Given Waldur B offers STOMP over WebSocket
    And Waldur A and Waldur B are federated with passthrough components
    When the site agent processes events
    Then the site agent holds the configured number of target STOMP connections, all connected
    And the target STOMP connections listen for orders
    And the target STOMP connections belong to the agent's synthetic target offering

  Scenario: Without target STOMP the site agent opens no connection to Waldur B
    Given Waldur A offers STOMP over WebSocket
    And Waldur A and Waldur B are federated with passthrough components
    And the site agent's STOMP connection to Waldur B is switched off
    When the site agent processes events
    Then the site agent holds no target STOMP connections

  Scenario: A finished order on Waldur B completes the order on Waldur A at once
    Given Waldur B offers STOMP over WebSocket
    And Waldur A and Waldur B are federated with passthrough components
    And the site agent processes events
    When a project member orders the offering on Waldur A with 1 cpu
    And the site agent runs one processor cycle
    And the service provider on Waldur B approves and completes the site agent's order
    Then the order on Waldur A becomes done without another processor cycle
