@bud @bud-budapp-budsim @workflow
Feature: budapp <-> budsim integration (simulator recommendation)
  When a deployment's configuration is stored, budapp asks budsim to simulate it and offers the
  clusters that can serve it.

  Background:
    Given the bud admin is logged in
    And a bud project of the admin
    And the bud admin has onboarded a cluster
    And the bud admin has onboarded a cloud model

  @p1
  Scenario: budsim recommends a cluster able to serve the deployment
    When the bud admin describes a deployment of the model for 4 concurrent requests
    Then the deployment step is accepted
    And the deployment workflow records its simulation events
    And within 30 seconds budsim recommends the onboarded cluster
