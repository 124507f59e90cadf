@waldur @waldur-test-1 @polling
Feature: Test 1 Processor initialization
  The site agent's order processor connects to Waldur A's offering, with Waldur B as the backend
  that receives the orders.

  Scenario: The order processor starts with Waldur B as its backend
    Given Waldur A and Waldur B are federated with passthrough components
    When the site agent processes orders by polling
    # A waldur_site_agent command does not report its backend: there only the offering is observable.
    Then the order processor serves Waldur A's offering with Waldur B as its backend
