@waldur @waldur-test-3 @polling
Feature: Test 3 Update limits
  New limits of a federated resource reach Waldur B through the processor, converted.

  Scenario Outline: Raised limits reach Waldur B (<mapping> components)
    Given Waldur A and Waldur B are federated with <mapping> components
    And the site agent processes orders by polling
    And a resource with 10 <source> ordered on Waldur A and provisioned on Waldur B by the site agent
    When the project member raises the limit on Waldur A to 20 <source>
    And the site agent runs until the order on Waldur A is finished
    Then the order on Waldur A ends done
    And the resource on Waldur B has <converted> <target>

    Examples:
      | mapping     | source     | converted | target      |
      | passthrough | cpu        | 20        | cpu         |
      | conversion  | node_hours | 2560      | cpu_k_hours |

  # Known issue 2: the update order points at a "shadow" resource with an empty backend_id.
  Scenario: Limits reach Waldur B when the update order points at a shadow resource
    Given Waldur A and Waldur B are federated with conversion components
    And the site agent processes orders by polling
    And a resource with 10 node_hours ordered on Waldur A and provisioned on Waldur B by the site agent
    And Waldur A points the next order at a shadow resource
    When the project member raises the limit on Waldur A to 20 node_hours
    And the site agent runs until the order on Waldur A is finished
    Then the order on Waldur A ends done
    And the order on Waldur A pointed at a shadow resource without a backend ID
    And the resource on Waldur B has 2560 cpu_k_hours
