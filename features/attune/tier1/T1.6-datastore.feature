@attune @tier1 @T1.6 @datastore
Feature: T1.6 Action reads from the key-value store
  An action reads configuration from the key-value store; encrypted values reach it decrypted,
  and a key that does not exist reads as null without an error.

  # The key reader reads through the worker's datastore helper (fixture actions/attune_datastore.py):
  # the platform's key API, called with the execution's token, answers every lookup, including the
  # missing key (404 -> null). "Scoped to tenant/user" is asserted in T1.7 ("Keys stay with their owner").

  Background:
    Given a registered pack with the test actions

  Scenario Outline: The key reader action receives the stored value (<kind>)
    Given the pack stores <value> under the <kind> "<name>"
    When the key reader action reads the key "<name>"
    Then the key reader action's execution has succeeded with output <value>

    Examples:
      | kind          | name      | value                     |
      | key           | api_url   | "https://api.example.com" |
      | encrypted key | api_token | "s3cr3t-token-value"      |

  @database
  Scenario: An encrypted value is not stored as plain text
    Given the pack stores "s3cr3t-token-value" under the encrypted key "api_token"
    Then the database does not hold "s3cr3t-token-value" as the value of the key "api_token"

  Scenario: A missing key reads as null, without an error
    When the key reader action reads the key "no_such_key"
    Then the key reader action's execution has succeeded with output null
