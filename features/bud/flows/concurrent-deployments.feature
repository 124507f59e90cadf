@bud @bud-concurrent-deployments @workflow @performance
Feature: Concurrent deployments (performance)
  Deployments started at the same time on one cluster each complete on their own: each gets an
  endpoint of its own that runs and answers through the gateway.

  Background:
    Given the bud admin is logged in
    And a bud project of the admin
    And the bud admin has onboarded a cluster
    And the bud admin has onboarded a cloud model

  @p2
  Scenario: Two deployments started at once both complete, each with an endpoint that answers
    When the bud admin deploys the model 2 times at once on the cluster
    Then within 60 seconds every deployment workflow ends "completed"
    And each deployment has its own endpoint, "running" in the project's endpoint list
    Given the bud admin has an API key for the project
    Then each deployment's endpoint answers a chat completion through the gateway
