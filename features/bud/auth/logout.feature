@bud @bud-logout
Feature: Logout
  Logging out ends the session: the refresh token stops working and the access token that was
  presented is blacklisted. Logging in again opens a fresh session.

  Background:
    Given a logged-in bud user

  @p0
  Scenario: Logging out with both tokens succeeds
    When the bud user logs out
    Then the logout is accepted saying "User logged out successfully"

  @p0
  Scenario: The access token is refused after logout
    Given the bud user's profile can be read with the current access token
    When the bud user logs out
    And the bud user's profile request with the logged-out access token is sent
    Then the profile request is refused as unauthorized (401)

  @p0
  Scenario: The refresh token is refused after logout
    When the bud user logs out
    And the bud user refreshes the session
    Then the token refresh is refused as unauthorized (401) saying "Token Expired or Invalid"

  @p0
  Scenario: A logout with nothing filled in is refused
    When an empty bud logout is sent
    Then the logout is refused as invalid (422)

  @p0
  Scenario: A logout with an empty refresh token is refused
    When a bud logout is sent with refresh token ""
    Then the logout is refused as invalid (422)

  @p0
  Scenario: A logout with a refresh token that was never issued is refused
    When a bud logout is sent with refresh token "not-a-real-refresh-token-4f1c9e"
    Then the logout is refused as a bad request (400) saying "Failed to logout user"

  @p1
  Scenario: Logging out a second time with the same refresh token still succeeds
    # budapp passes the refresh token to Keycloak, whose logout succeeds for a session that has already ended.
    Given the bud user has logged out
    When the bud user logs out
    Then the logout is accepted saying "User logged out successfully"
    And the bud user refreshes the session
    And the token refresh is refused as unauthorized (401)

  @p1
  Scenario: A logout with only the refresh token still ends the session
    When the bud user logs out presenting only the refresh token
    Then the logout is accepted
    And the bud user refreshes the session
    And the token refresh is refused as unauthorized (401)

  @p1
  Scenario: Logging in again after logout opens a new session
    Given the bud user has logged out
    When the bud user logs in
    Then the login is accepted
    And the new session's tokens differ from the logged-out ones
