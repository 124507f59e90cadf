@waldur @waldur-test-7 @stomp
Feature: Test 7 STOMP order event flow
  While the site agent listens for events, a new order on Waldur A is announced on its order queue
  and is carried through to Waldur B; 7b cleans the resource up through the same processor.

  Background:
    Given Waldur A offers STOMP over WebSocket
    And Waldur A and Waldur B are federated with conversion components
    And the site agent processes events

  Scenario: An order on Waldur A is announced and carried through to Waldur B
    Given the order events of Waldur A's offering are captured
    When a project member orders the offering on Waldur A with 2 node_hours
    Then an order event from Waldur A announces the order as pending-consumer
    And the broker delivered the order event to the site agent's order queue
    When the site agent runs until the order on Waldur A is finished
    Then the order on Waldur A ends done
    And the resource on Waldur A records Waldur B's resource as its backend
    And the resource on Waldur B has 256 cpu_k_hours
    # The plan's last Expected item ("if target STOMP is active, a target event may be captured") is
    # timing-dependent by its own words and asserts nothing; Test 6 proves B's order events complete A's order.

  Scenario: 7b The resource from the event flow is terminated
    Given a resource with 2 node_hours ordered on Waldur A and provisioned on Waldur B by the site agent
    When the project member terminates the resource on Waldur A
    And the site agent runs until the order on Waldur A is finished
    Then the order on Waldur A ends done
    And the resources on Waldur A and Waldur B are no longer OK
