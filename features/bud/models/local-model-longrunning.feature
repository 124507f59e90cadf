@bud @bud-local-model-longrunning @workflow
Feature: Long-running local (Hugging Face) onboarding
  A local model is onboarded from a source (a Hugging Face repository, a URL or a disk path). The
  triggering step hands the source to extraction, which runs in the background: the workflow stays
  "in_progress" until extraction reports, then ends "completed" with a stored copy of the model, or
  "failed" with the reason.

  Background:
    Given the bud admin is logged in

  @p0
  Scenario: Extraction of a repository the hub does not know ends the workflow failed
    When the bud admin onboards the local model "e2e-no-such-org/no-such-model" from Hugging Face
    Then the local onboarding step is accepted
    And within 30 seconds the onboarding workflow ends "failed" with a reason

  @p0
  Scenario: A first step without a name is stored; the name is only required to trigger
    When a bud local onboarding step is sent with name ""
    Then the local onboarding step is accepted
    And the onboarding workflow is "in_progress" at step 1 of 2

  @p0
  Scenario: An unknown provider type is refused
    When a bud local onboarding step is sent with provider type "invalid_provider_xyz"
    Then the local onboarding step is refused as invalid (422)

  @p0
  Scenario: The admin can list models
    Given the bud admin has onboarded a cloud model
    When the bud admin lists the models
    Then the model listing is accepted
    And every listed model is wrapped with its endpoint count

  @p0
  Scenario: The admin can list providers
    When the bud admin lists the model providers
    Then the provider listing is accepted

  @p0
  Scenario: A model manager can list models and providers
    Given a bud model manager created by the admin has logged in
    And the bud user has replaced the password the admin gave them
    When the bud user lists the models
    Then the model listing is accepted
    When the bud user lists the model providers
    Then the provider listing is accepted

  @p1 @security
  Scenario: A user the admin created must replace the given password before anything else
    Given a bud model manager created by the admin has logged in
    When the bud user lists the models
    Then the model listing is refused as a bad request (400) saying "Inactive user"
    When the bud user replaces the password the admin gave them
    Then the password change is accepted
    When the bud user lists the models
    Then the model listing is accepted

  @p0 @security
  Scenario: A self-registered user cannot list models
    Given a logged-in bud user
    When the bud user lists the models
    Then the model listing is refused as forbidden (403)

  @p1 @slow
  Scenario: A small Hugging Face model is onboarded end to end
    When the bud admin onboards the local model "prajjwal1/bert-tiny" from Hugging Face
    Then the local onboarding step is accepted
    And within 2 minutes the onboarding workflow ends "completed"
    And the onboarded model is stored locally as a "hugging_face" model

  @p2 @slow
  Scenario: Extraction reports progress while it runs
    When the bud admin onboards the local model "prajjwal1/bert-tiny" from Hugging Face
    Then the onboarding workflow is "in_progress"
    And within 2 minutes the onboarding workflow ends "completed"
    And the onboarding workflow records its extraction events

  @p2
  Scenario: A later step without the trigger only advances the workflow
    Given the bud admin has started a 2-step local onboarding of "prajjwal1/bert-tiny" from Hugging Face
    When the bud admin adds step 2 to the onboarding without triggering it
    Then the local onboarding step is accepted
    And the onboarding workflow is "in_progress" at step 2 of 2
    And no model named like the onboarding is listed
