@bud @bud-model-delete
Feature: Model delete, list and get
  A model manager lists models page by page (each item wrapped with its endpoint count), searches
  them by name, reads one, and deletes one. Deleting is final for every reader: the model is gone
  from lookups and lists, and deleting it again finds nothing.

  Background:
    Given the bud admin is logged in

  @p0
  Scenario: A model is deleted
    Given the bud admin has onboarded a cloud model
    When the bud admin deletes the model
    Then the model deletion is accepted saying "Model deleted successfully"

  @p0
  Scenario: A deleted model cannot be read
    Given the bud admin has onboarded a cloud model
    And the bud admin has deleted the model
    When the bud admin looks up the model
    Then the model lookup is refused as not found (404)

  @p0
  Scenario: A deleted model is no longer listed
    Given the bud admin has onboarded a cloud model
    And the bud admin has deleted the model
    When the bud admin searches the model list for the onboarded model's name
    Then the model listing is accepted
    And the onboarded model is not in the model list

  @p0
  Scenario: Deleting a model twice finds nothing the second time
    Given the bud admin has onboarded a cloud model
    And the bud admin has deleted the model
    When the bud admin deletes the model
    Then the model deletion is refused as not found (404)

  @p0
  Scenario: Models are listed
    Given the bud admin has onboarded a cloud model
    When the bud admin lists the models
    Then the model listing is accepted
    And every listed model is wrapped with its endpoint count

  @p0
  Scenario: Pages of the model list do not overlap
    Given the bud admin has onboarded 2 cloud models
    When the bud admin reads the first 2 pages of the model list, 1 model per page
    Then both pages are accepted and share no model
    And each page reports page, limit, total record and total pages

  @p0
  Scenario: A model is found by searching for its name
    Given the bud admin has onboarded a cloud model
    When the bud admin searches the model list for the onboarded model's name
    Then the model listing is accepted
    And the onboarded model is in the model list

  @p0
  Scenario: Listing models needs a valid access token
    When a bud model listing is sent with no token
    Then the model listing is refused as unauthorized (401)

  @p1
  Scenario Outline: Deleting needs a valid access token: <credential>
    When a bud model deletion is sent with <credential>
    Then the model deletion is refused as unauthorized (401)

    Examples:
      | credential     |
      | no token       |
      | a random token |

  @p1
  Scenario: Deleting a model that does not exist is refused
    When the bud admin deletes a model that does not exist
    Then the model deletion is refused as not found (404)

  @p1
  Scenario: Deleting with an id that is not a UUID is refused
    When the bud admin deletes the model with id "not-a-valid-uuid"
    Then the model deletion is refused as invalid (422)

  @p1
  Scenario: A model's details are read
    Given the bud admin has onboarded a cloud model
    When the bud admin looks up the model
    Then the model lookup is accepted
    And the model reads back with its id, name, provider type "cloud_model" and source

  @p1
  Scenario: Reading a model that does not exist is refused
    When the bud admin looks up a model that does not exist
    Then the model lookup is refused as not found (404)

  @p1
  Scenario: Reading a model needs a valid access token
    When a bud model lookup is sent with no token
    Then the model lookup is refused as unauthorized (401)

  @p2
  Scenario Outline: The model <list> list is available
    Given the bud admin has onboarded a cloud model
    When the bud admin lists the model <list>
    Then the metadata listing is accepted

    Examples:
      | list    |
      | tags    |
      | tasks   |
      | authors |
      | catalog |

  @p1 @security
  Scenario: A malformed model id is refused as invalid before permissions are checked
    # budapp checks permissions inside the endpoint, after FastAPI has validated the request.
    Given the bud admin has onboarded a cloud model
    And a logged-in bud user
    When the bud user deletes the model with id "not-a-uuid"
    Then the model deletion is refused as invalid (422)
    When the bud user deletes the onboarded model
    Then the model deletion is refused as forbidden (403)
