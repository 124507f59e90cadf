@waldur @waldur-test-4 @polling
Feature: Test 4 Terminate resource
  Terminating a federated resource on Waldur A terminates its counterpart on Waldur B.

  Scenario: Both resources leave OK when the resource is terminated
    Given Waldur A and Waldur B are federated with conversion components
    And the site agent processes orders by polling
    And a resource with 10 node_hours ordered on Waldur A and provisioned on Waldur B by the site agent
    When the project member terminates the resource on Waldur A
    And the site agent runs until the order on Waldur A is finished
    Then the order on Waldur A ends done
    And the resources on Waldur A and Waldur B are no longer OK

  # Known issue 2: the terminate order points at a "shadow" resource with an empty backend_id.
  Scenario: Termination reaches Waldur B when the terminate order points at a shadow resource
    Given Waldur A and Waldur B are federated with conversion components
    And the site agent processes orders by polling
    And a resource with 10 node_hours ordered on Waldur A and provisioned on Waldur B by the site agent
    And Waldur A points the next order at a shadow resource
    When the project member terminates the resource on Waldur A
    And the site agent runs until the order on Waldur A is finished
    Then the order on Waldur A ends done
    And the order on Waldur A pointed at a shadow resource without a backend ID
    And the resources on Waldur A and Waldur B are no longer OK
