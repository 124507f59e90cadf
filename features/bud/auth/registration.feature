@bud @bud-registration
Feature: User registration
  Anyone can register a client account with a name, an email, a strong password and a role. The
  account can log in at once, its profile shows what was registered, and asking for the admin role
  never makes it an administrator.

  @p1
  Scenario: A new user registers and logs in with the same credentials
    When a visitor registers a bud account as a developer
    Then the registration is accepted
    And the new bud user can log in

  @p1
  Scenario: An email that already has an account cannot register again
    Given a registered bud user
    When a visitor registers a bud account with that user's email
    Then the registration is refused as a bad request (400) saying "Email already registered"

  @p1
  Scenario Outline: A malformed email address is refused: "<email>"
    When a bud registration is sent with email "<email>"
    Then the registration is refused as invalid (422)

    Examples:
      | email               |
      | not-an-email        |
      | missing@            |
      | @missing-local.com  |
      | spaces in@email.com |
      |                     |

  @p1
  Scenario Outline: A weak password is refused: <why>
    When a bud registration is sent with password "<password>"
    Then the registration is refused as invalid (422)

    Examples:
      | why                  | password     |
      | too short            | Sh0rt!       |
      | digits only          | 12345678     |
      | a dictionary word    | password     |
      | empty                |              |
      | no upper-case letter | lowercase1!  |
      | no special character | NoSpecial123 |
      | contains a space     | With Space1! |

  @p1
  Scenario: Registration acknowledges the account without echoing it back
    When a visitor registers a bud account as a developer
    Then the registration is accepted saying "User registered successfully"
    And the registration answer is an "info" acknowledgement carrying no account data

  @p1
  Scenario: The profile after registration shows what was registered
    When a visitor registers a bud account as a tester named "Profile Match Test"
    And the new bud user logs in
    Then the bud user's profile shows the registered name, email and role
    And the bud user's profile has status "active"

  @p1
  Scenario Outline: A registration without a <field> is refused
    When a bud registration is sent with no <field>
    Then the registration is refused as invalid (422)

    Examples:
      | field    |
      | email    |
      | password |
      | name     |
      | role     |

  @p1
  Scenario: An empty registration is refused
    When an empty bud registration is sent
    Then the registration is refused as invalid (422)

  @p1
  Scenario: An email longer than 100 characters is refused
    When a bud registration is sent with a 300-character email
    Then the registration is refused as invalid (422)

  @p1
  Scenario Outline: Names hold only letters, spaces, hyphens and apostrophes: "<name>"
    When a bud registration is sent with name "<name>"
    Then the registration is <outcome>

    Examples:
      | name              | outcome                  |
      | Mary-Jane O'Brien | accepted                 |
      | Test-O'Brien Jr.  | refused as invalid (422) |
      | Agent 007         | refused as invalid (422) |

  @p2
  Scenario: A fourth registration from one client address within ten minutes is rate limited
    Given registrations are limited to 3 per 10 minutes for one client address
    When that client address registers 4 bud accounts in a row
    Then the first 3 registrations are accepted and the 4th is refused as too many requests (429)

  @p2
  Scenario: Asking for the admin role does not make a user an administrator
    When a visitor registers a bud account as an admin
    And the new bud user logs in
    Then the bud user's profile has user type "client"
    When the bud user lists the models
    Then the model listing is refused as forbidden (403)
