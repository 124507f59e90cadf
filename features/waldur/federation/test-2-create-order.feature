@waldur @waldur-test-2 @polling
Feature: Test 2 Create order
  An order on Waldur A becomes a resource on Waldur B without the agent waiting for it: the agent
  submits the order to Waldur B, records B's order and resource on A, and completes A's order on a
  later cycle once B's order is done. Only A's resource learns B's resource UUID.

  Scenario Outline: An order on Waldur A becomes a resource on Waldur B (<mapping> components)
    Given Waldur A and Waldur B are federated with <mapping> components
    And the site agent processes orders by polling
    When a project member orders the offering on Waldur A with <ordered> <source>
    And the site agent runs one processor cycle
    Then after that cycle the order on Waldur A is executing and waits for Waldur B's provider
    When the site agent runs until the order on Waldur A is finished
    Then the order on Waldur A ends done
    And the order on Waldur A records Waldur B's order for the resource
    And the resource on Waldur A records Waldur B's resource as its backend
    And the resource on Waldur B has <converted> <target>
    And the resource on Waldur B carries no backend ID from the site agent
    And the resources on Waldur A and Waldur B are OK

    Examples:
      | mapping     | ordered | source     | converted | target      |
      | passthrough | 10      | cpu        | 10        | cpu         |
      | conversion  | 10      | node_hours | 1280      | cpu_k_hours |

  # Known issue 1: set_state_done answers HTTP 500; the agent marks the order erred although B succeeded.
  Scenario: The resource still exists on both sides when Waldur A fails to mark the order done
    Given Waldur A and Waldur B are federated with conversion components
    And the site agent processes orders by polling
    And Waldur A answers HTTP 500 when the order is marked done
    When a project member orders the offering on Waldur A with 3 node_hours
    And the site agent runs until the order on Waldur A is finished
    Then the order on Waldur A ends erred
    And the resource on Waldur A records Waldur B's resource as its backend
    And the resource on Waldur B has 384 cpu_k_hours
