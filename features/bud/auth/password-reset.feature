@bud @bud-password-reset
Feature: Password reset
  A user who forgot the password asks for a reset; the answer is the same whether or not the email
  has an account. A reset mail carries a single-use token that expires; with it the user sets a new
  password that follows the password policy.

  Background:
    Given a registered bud user

  @p1
  Scenario: A reset request for a registered email is acknowledged and a reset mail is sent
    When the bud user requests a password reset
    Then the reset request is accepted
    And the reset request answer acknowledges with status "success" and a transaction id
    And a password-reset mail reaches the bud user

  @p1
  Scenario: A reset request for an unknown email gets the same answer and sends no mail
    When a password reset is requested for an email without an account
    Then the reset request is accepted
    And the reset request answer acknowledges with status "success" and a transaction id
    And no password-reset mail is sent to that email

  @p1
  Scenario: A mailed reset token is reported valid for the user's email
    Given the bud user has requested a password reset
    When the bud user's mailed reset token is checked
    Then the reset token check is accepted
    And the reset token is reported valid for the bud user's email

  @p1
  Scenario: A made-up reset token is reported invalid
    When a bud reset token check is sent with reset token "made-up-reset-token-8c2d"
    Then the reset token check is accepted
    And the reset token is reported invalid

  @p1
  Scenario: The mailed token sets a new password
    Given the bud user has requested a password reset
    When the bud user resets the password with the mailed token
    Then the password reset is accepted
    And the bud user can log in with the new password but not with the old one

  @p1
  Scenario: A made-up reset token cannot set a password
    When a bud password reset is sent with reset token "made-up-reset-token-8c2d"
    Then the password reset is refused as a bad request (400) saying "Invalid or expired reset token"

  @p1
  Scenario Outline: A new password that breaks the policy is refused: <why>
    Given the bud user has requested a password reset
    When the bud user resets the password with the mailed token to "<password>"
    Then the password reset is <outcome>

    Examples:
      | why                  | password    | outcome                        |
      | shorter than 8       | Sh0rt!      | refused as invalid (422)       |
      | empty                |             | refused as invalid (422)       |
      | digits only          | 12345678    | refused as a bad request (400) |
      | no upper-case letter | lowercase1! | refused as a bad request (400) |

  @p1
  Scenario Outline: A reset request with <case> is refused
    When a bud reset request is sent with email "<email>"
    Then the reset request is refused as invalid (422)

    Examples:
      | case              | email        |
      | an empty email    |              |
      | a malformed email | not-an-email |

  @p1
  Scenario: A reset request without an email is refused
    When an empty bud reset request is sent
    Then the reset request is refused as invalid (422)

  @p1
  Scenario: An empty reset token cannot be checked
    When a bud reset token check is sent with reset token ""
    Then the reset token check is refused as invalid (422)

  @p1
  Scenario Outline: A password reset without a <field> is refused
    When a bud password reset is sent with no <field>
    Then the password reset is refused as invalid (422)

    Examples:
      | field        |
      | reset token  |
      | new password |

  @p1
  Scenario: A password reset whose confirmation does not match is refused
    When a bud password reset is sent with password confirmation "Other-Passw0rd!"
    Then the password reset is refused as invalid (422)

  @p2
  Scenario: A reset token cannot be used twice
    Given the bud user has requested a password reset
    And the bud user has reset the password with the mailed token
    When the bud user resets the password with the mailed token
    Then the password reset is refused as a bad request (400) saying "Invalid or expired reset token"
    And the bud user's mailed reset token is reported invalid

  @p2 @timer
  Scenario: A reset token expires
    Given reset tokens live for 1 second
    And the bud user has requested a password reset
    Then within 5 seconds the bud user's mailed reset token is reported invalid
    And resetting the password with it is refused as a bad request (400) saying "Invalid or expired reset token"

  @p2
  Scenario: A new reset request invalidates the earlier token
    Given the bud user has requested a password reset
    And the bud user has requested a password reset again
    Then the bud user's first mailed reset token is reported invalid
    And the bud user's latest mailed reset token is reported valid

  @p2 @security
  Scenario: An email carrying SQL is refused and the service keeps working
    When a bud reset request is sent with email "'; DROP TABLE users; --@example.com"
    Then the reset request is refused as invalid (422)
    And the bud user can still log in

  @p2 @security
  Scenario: A reset token carrying a script is refused
    When a bud password reset is sent with reset token "<script>alert(1)</script>"
    Then the password reset is refused as a bad request (400) saying "Invalid or expired reset token"
