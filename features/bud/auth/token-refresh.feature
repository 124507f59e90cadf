@bud @bud-token-refresh
Feature: Token refresh
  A live refresh token buys a new access token; the previous access token keeps working until it
  expires. Anything else (unknown, malformed, revoked by logout) is refused as unauthorized.

  Background:
    Given a logged-in bud user

  @p0
  Scenario: A valid refresh token yields a new access token
    When the bud user refreshes the session
    Then the token refresh is accepted saying "Token refreshed successfully"
    And the token refresh answer carries a new access token under "token"

  @p0
  Scenario Outline: A refresh token that was never issued is refused: <kind>
    When a bud token refresh is sent with refresh token "<token>"
    Then the token refresh is refused as unauthorized (401) saying "Token Expired or Invalid"

    Examples:
      | kind      | token                                                         |
      | random    | not-a-real-refresh-token-4f1c9e                               |
      | malformed | eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.bm90LWpzb24.c2lnbmF0dXJl |

  @p0
  Scenario: An empty refresh token is refused
    When a bud token refresh is sent with refresh token ""
    Then the token refresh is refused as invalid (422)

  @p0
  Scenario: A refresh without a refresh token is refused
    When a bud token refresh is sent with no refresh token
    Then the token refresh is refused as invalid (422)

  @p0
  Scenario: A null refresh token is refused
    When a bud token refresh is sent with a null refresh token
    Then the token refresh is refused as invalid (422)

  @p1
  Scenario: A refresh token revoked by logout is refused
    Given the bud user has logged out
    When the bud user refreshes the session
    Then the token refresh is refused as unauthorized (401) saying "Token Expired or Invalid"

  @p1
  Scenario: The refreshed access token opens the user's profile
    When the bud user refreshes the session
    Then the bud user's profile can be read with the refreshed access token

  @p1
  Scenario: The previous access token still works after a refresh
    When the bud user refreshes the session
    Then the bud user's profile can be read with the previous access token

  @p2
  Scenario: A twenty-first refresh within a minute is rate limited
    # The document says 20 per minute per user; budapp's refresh route has no current user, so its
    # limiter falls back to the client address. One user refreshing from one address meets both.
    Given token refreshes are limited to 20 per minute for one client address
    When the bud user refreshes the session 21 times in a row from that client address
    Then the first 20 token refreshes are accepted and the 21st is refused as too many requests (429)
