@attune @tier3 @T3.27 @security @database
Feature: T3.27 Datastore encryption at rest
  An encrypted value is stored as ciphertext, and nothing in the database can decrypt it; the API
  and the actions that read it get the plain value back.

  # Upstream (crates/common/src/crypto.rs, REPORT §1.12): AES-256-GCM with key SHA-256 of
  # security.encryption_key (from the config file or the environment, never the database), stored
  # in key.value as a JSON string base64(nonce(12) || ciphertext || tag(16)). The database is read
  # over its own URL (attune.database_url), as an administrator with psql would.
  # "Encryption key not stored in the database": every text value in the database is tried as the
  # key (raw and through SHA-256, as upstream derives it); none may decrypt the stored value.

  Background:
    Given a registered pack with the test actions
    And the pack stores a fresh secret under the encrypted key "password"

  Scenario: Ciphertext in the database, plain value through the API and to the action
    Then the database holds the secret only encrypted
    And the stored value has the shape of AES-256-GCM: a 12-byte nonce, ciphertext as long as the value, a 16-byte tag
    And the same value stored again is a different ciphertext
    And no value stored in the database decrypts it
    And the API reads the key back as the plain secret
    When the key reader action reads the key "password"
    Then the key reader action's execution has succeeded with the plain secret as its output
