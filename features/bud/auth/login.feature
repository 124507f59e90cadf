@bud @bud-login
Feature: Login
  A registered user logs in with email and password and receives a Keycloak token pair, nested
  under "token" in the answer. Wrong credentials and malformed input are refused.

  Background:
    Given a registered bud user

  @p0
  Scenario: A registered user logs in and receives an access and a refresh token
    When the bud user logs in
    Then the login is accepted saying "User logged in successfully"
    And the login answer carries a bearer access token and a refresh token under "token"

  @p0
  Scenario: A wrong password is refused
    When a bud login is sent with password "Wr0ng-Password!"
    Then the login is refused as a bad request (400) saying "Incorrect email or password"

  @p0
  Scenario: An email without an account is refused
    When a bud login is sent with an unregistered email
    Then the login is refused as a bad request (400) saying "This email is not registered"

  @p0
  Scenario Outline: A login with <input> is refused
    When a bud login is sent with <field> "<value>"
    Then the login is refused as invalid (422)

    Examples:
      | input             | field    | value        |
      | an empty email    | email    |              |
      | a malformed email | email    | not-an-email |
      | an empty password | password |              |

  @p0
  Scenario: A login with nothing filled in is refused
    When an empty bud login is sent
    Then the login is refused as invalid (422)

  @p1
  Scenario: "Remember me" adds offline access to the session
    When the bud user logs in asking to be remembered
    Then the login is accepted
    And the login answer carries a bearer access token and a refresh token under "token"
    And the granted scope includes "offline_access"

  @p1
  Scenario: The first login of a new account is flagged as such
    When the bud user logs in
    Then the login is accepted
    And the login answer flags a first login

  @p2
  Scenario: An eleventh login attempt within a minute from one client address is rate limited
    Given logins are limited to 10 per minute for one client address
    When that client address makes 11 failed bud login attempts in a row
    Then the first 10 logins are refused as a bad request (400) and the 11th is refused as too many requests (429)
