@bud @bud-protected-endpoints
Feature: Protected endpoints (/users/me)
  The current user's profile is readable only with a valid, unrevoked bearer access token; it
  shows who the user is, exactly as registered.

  Background:
    Given a logged-in bud user

  @p0
  Scenario: A valid access token opens the user's own profile
    When the bud user reads the profile
    Then the profile request is accepted
    And the bud user's profile shows the registered email

  @p0
  Scenario Outline: The profile is refused with <credential>
    When a bud profile request is sent with <credential>
    Then the profile request is refused as unauthorized (401)

    Examples:
      | credential        |
      | no token          |
      | a malformed token |
      | a random token    |

  @p0
  Scenario: A blacklisted access token is refused
    Given the bud user has logged out
    When the bud user's profile request with the logged-out access token is sent
    Then the profile request is refused as unauthorized (401)

  @p1
  Scenario Outline: The bearer scheme is read as FastAPI reads it: <credential>
    When a bud profile request is sent with <credential>
    Then the profile request is <outcome>

    Examples:
      | credential                                 | outcome                       |
      | the token under the Basic scheme           | refused as unauthorized (401) |
      | an empty bearer                            | refused as unauthorized (401) |
      | the token under a lower-case bearer scheme | accepted                      |
      | the token after two spaces                 | refused as unauthorized (401) |

  @p1
  Scenario: The profile carries id, name, email, role and status
    When the bud user reads the profile
    Then the bud user's profile has every one of id, name, email, role, status filled in

  @p1
  Scenario: The profile id is a UUID
    When the bud user reads the profile
    Then the bud user's profile id is a UUID

  @p1
  Scenario: The profile email is a well-formed address
    When the bud user reads the profile
    Then the bud user's profile email is a well-formed address

  @p1
  Scenario: A self-registered user's profile is active
    When the bud user reads the profile
    Then the bud user's profile has status "active"

  @p1
  Scenario: The profile never reveals the password
    When the bud user reads the profile
    Then the profile request answer does not contain the bud user's password

  @p1
  Scenario: The same access token works for repeated requests
    When the bud user reads the profile 3 times
    Then every profile read is accepted and shows the registered email

  @p1
  Scenario: The profile matches what was registered
    Given a logged-in bud developer named "Profile Match Test"
    When the bud user reads the profile
    Then the bud user's profile shows the registered name, email and role
