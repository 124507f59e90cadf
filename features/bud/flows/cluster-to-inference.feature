@bud @bud-cluster-to-inference @workflow
Feature: Cluster -> deployment -> inference
  A new cluster is onboarded, a model is deployed on it, and the deployment answers through the
  gateway.

  Background:
    Given the bud admin is logged in
    And a bud project of the admin

  @p1
  Scenario: A model deployed on a freshly onboarded cluster answers
    Given the bud admin has onboarded a cluster
    And the bud admin has onboarded a cloud model
    When the bud admin deploys the model on the cluster for 4 concurrent requests
    Then within 30 seconds the deployment workflow ends "completed"
    And the endpoint is "running" in the project's endpoint list
    And the endpoint runs on the freshly onboarded cluster, which gave it workers
    Given the bud admin has an API key for the project
    When a chat completion is requested from the endpoint with the message "Hello from a new cluster"
    Then the chat completion comes back from the endpoint as the assistant
