@attune @tier3 @T3.10 @security
Feature: T3.10 RBAC permission checks
  Each role may do what its permission set grants and nothing more; a refusal is a 403 that says
  which permission is missing, decided before the request is processed.

  # Roles are upstream's core permission sets (packs/core/permission_sets): core.admin, core.editor
  # (no delete, but actions:execute), core.executor (read and execute), core.viewer (read only),
  # assigned by the operator (POST /api/v1/permissions/assignments). "Checked before processing":
  # an invalid definition is refused with 403 to a role that may not create, 422 to one that may.

  Background:
    Given a registered pack with the test actions
    And an action of the pack that does nothing

  Scenario Outline: A <role> tries to <operation>: <outcome>
    Given a user with the <role> role
    When that user tries to <operation>
    Then the attempt is <outcome>

    Examples:
      | role     | operation                                   | outcome   |
      | admin    | view the actions                            | allowed   |
      | admin    | create an action                            | allowed   |
      | admin    | update an action                            | allowed   |
      | admin    | delete an action                            | allowed   |
      | admin    | run an action                               | allowed   |
      | admin    | create an action with an invalid definition | invalid   |
      | editor   | view the actions                            | allowed   |
      | editor   | create an action                            | allowed   |
      | editor   | update an action                            | allowed   |
      | editor   | delete an action                            | forbidden |
      | editor   | run an action                               | allowed   |
      | executor | view the actions                            | allowed   |
      | executor | create an action                            | forbidden |
      | executor | update an action                            | forbidden |
      | executor | run an action                               | allowed   |
      | executor | create an action with an invalid definition | forbidden |
      | viewer   | view the actions                            | allowed   |
      | viewer   | create an action                            | forbidden |
      | viewer   | update an action                            | forbidden |
      | viewer   | delete an action                            | forbidden |
      | viewer   | run an action                               | forbidden |
      | viewer   | create an action with an invalid definition | forbidden |
