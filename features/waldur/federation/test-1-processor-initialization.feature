@waldur @waldur-test-1 @polling
Feature: Test 1 Processor initialization
  The site agent's order processor connects to Waldur A's offering, with Waldur B as the backend
  that receives the orders.

  Scenario: The order processor starts with Waldur B as its backend
    Given Waldur A and Waldur B are federated with passthrough components
    And the site agent processes orders by polling
    When the site agent runs one processor cycle
    Then in that cycle the site agent read the orders of Waldur A's offering and addressed Waldur B's offering
