@bud @bud-model-deployment @workflow
Feature: MODEL_DEPLOYMENT workflow reaches COMPLETED
  Deploying a model is a workflow: the steps name the project and model, the endpoint and its
  deployment configuration, then the cluster, and the triggering step starts the deployment. The
  workflow reads "in_progress" while budcluster deploys and "completed" once the endpoint runs.

  Background:
    Given the bud admin is logged in
    And a bud project of the admin
    And the bud admin has onboarded a cluster
    And the bud admin has onboarded a cloud model

  @p1
  Scenario: A deployment completes and its endpoint runs
    When the bud admin deploys the model on the cluster for 4 concurrent requests
    Then the deployment step is accepted
    And the deployment workflow is "in_progress"
    And within 30 seconds the deployment workflow ends "completed"
    And the deployment workflow records its deployment events
    And the endpoint is "running" in the project's endpoint list

  @p1
  Scenario: A deployment is listed among the admin's model_deployment workflows
    When the bud admin deploys the model on the cluster for 4 concurrent requests
    Then the deployment step is accepted
    And the deployment is listed among the admin's "model_deployment" workflows

  @p1
  Scenario: Deploying needs a valid access token
    When a bud deployment step is sent with a random token
    Then the deployment step is refused as unauthorized (401)
