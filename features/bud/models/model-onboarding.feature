@bud @bud-model-onboarding @workflow
Feature: Cloud and local model onboarding workflows
  A model manager adds a model through a multi-step workflow: the first step opens the workflow with
  its total number of steps, later steps add data, and the triggering step creates the model. A
  cloud model is created at once; the workflow reads back "completed" with the new model's id.

  Background:
    Given the bud admin is logged in

  @p0
  Scenario: The providers a model can come from are listed
    When the bud admin lists the model providers
    Then the provider listing is accepted
    And every listed provider has an id, a name and a type

  @p0
  Scenario: Providers can be filtered by capability
    When the bud admin lists the model providers offering a capability only some providers have
    Then the provider listing is accepted
    And exactly the providers offering that capability are listed

  @p0
  Scenario: The first step of a cloud onboarding opens a workflow in progress
    When the bud admin starts a 2-step cloud model onboarding
    Then the cloud onboarding step is accepted
    And the onboarding workflow is "in_progress" at step 1 of 2

  @p0
  Scenario: Triggering the workflow creates the cloud model
    Given the bud admin has started a 2-step cloud model onboarding
    When the bud admin triggers the onboarding at step 2
    Then the cloud onboarding step is accepted
    And the onboarding workflow is "completed"
    And the onboarded model can be read back under its name

  @p0
  Scenario: An onboarded cloud model can be found in the model list
    Given the bud admin has onboarded a cloud model
    When the bud admin searches the model list for the onboarded model's name
    Then the model listing is accepted
    And the onboarded model is in the model list

  @p1
  Scenario Outline: A workflow step needs exactly one of a total step count and a workflow id: <case>
    When the bud admin sends a cloud onboarding step with <case>
    Then the cloud onboarding step is refused as invalid (422)

    Examples:
      | case                                |
      | neither a step count nor a workflow |
      | both a step count and a workflow    |

  @p1
  Scenario: An unknown provider is refused
    When the bud admin starts a cloud model onboarding from a provider that does not exist
    Then the cloud onboarding step is refused as a bad request (400)

  @p1
  Scenario: A cloud model without a name cannot be created
    When the bud admin triggers a cloud onboarding with name ""
    Then the cloud onboarding step is refused as a bad request (400) saying "Missing required data: name"

  @p1
  Scenario: A cloud model without tags cannot be created
    When the bud admin triggers a cloud onboarding without tags
    Then the cloud onboarding step is refused as a bad request (400) saying "Missing required data: tags"

  @p1
  Scenario: The first step of a local onboarding opens a workflow in progress
    When the bud admin starts a 2-step local onboarding of "prajjwal1/bert-tiny" from Hugging Face
    Then the local onboarding step is accepted
    And the onboarding workflow is "in_progress" at step 1 of 2

  @p1
  Scenario: A local onboarding does not take cloud models
    When a bud local onboarding step is sent with provider type "cloud_model"
    Then the local onboarding step is refused as invalid (422)

  @p1
  Scenario Outline: Onboarding needs a valid access token: <call> with <credential>
    When a bud <call> is sent with <credential>
    Then the <call> is refused as unauthorized (401)

    Examples:
      | call                  | credential     |
      | cloud onboarding step | no token       |
      | local onboarding step | no token       |
      | cloud onboarding step | a random token |

  @p2
  Scenario: A model name is taken regardless of case
    Given the bud admin has onboarded a cloud model
    When the bud admin onboards another cloud model under the same name in upper case
    Then the cloud onboarding step is refused as a bad request (400) saying "Model name already exists"

  @p2
  Scenario: Model names may carry dots, dashes and underscores
    When the bud admin onboards a cloud model named like "test-model_v1.0"
    Then the cloud onboarding step is accepted
    And the onboarding workflow is "completed"
    And the onboarded model can be read back under its name

  @p2
  Scenario: A completed onboarding workflow can be read back by its id
    Given the bud admin has onboarded a cloud model
    When the bud admin looks up the onboarding workflow
    Then the workflow lookup is accepted
    And the onboarding workflow is "completed"
    And the onboarding workflow records the onboarded model's id
