@bud @bud-complete-model-deployment @workflow
Feature: Model selection -> deployment -> inference
  A user picks a model, deploys it into a project, creates the project's API key and talks to the
  deployment through the gateway by the endpoint's name.

  Background:
    Given the bud admin is logged in
    And a bud project of the admin
    And the bud admin has onboarded a cluster
    And the bud admin has onboarded a cloud model

  @p1
  Scenario: A deployed model answers a chat completion through the gateway
    Given the bud admin has deployed the model on the cluster
    And the bud admin has an API key for the project
    When a chat completion is requested from the endpoint with the message "Hello bud"
    Then the chat completion comes back from the endpoint as the assistant

  @p1
  Scenario: The gateway does not serve a name that is not deployed in the key's project
    Given the bud admin has an API key for the project
    When a chat completion is requested from a model named "e2e-not-deployed"
    Then the chat completion is refused as not found (404) saying "Model not found: e2e-not-deployed"

  @p1
  Scenario: The gateway needs an API key
    Given the bud admin has an API key for the project
    When a bud chat completion is sent with no token
    Then the chat completion is refused as unauthorized (401) saying "Missing authorization header"
