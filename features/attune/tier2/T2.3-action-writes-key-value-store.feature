@attune @tier2 @T2.3 @workflow @database
Feature: T2.3 Action writes to the key-value store
  One action writes a value to the key-value store and the next action reads the same value; the
  platform keeps it in its key table, encrypted when it is a secret, and forgets it after its TTL.

  # Both actions go through the worker's datastore helper (fixture actions/attune_datastore.py): the
  # platform's key API, called with the execution's own token (ATTUNE_API_URL / ATTUNE_API_TOKEN).
  # The plan's `attune.datastore_item` table is upstream's `key` (REPORT §1.12).

  Background:
    Given a registered pack with the test actions

  Scenario: A value written by one task is read by the next
    Given two separate users, Alice and Bob
    And a workflow whose first task writes "https://api.production.com" under the key "config.api_url" and whose second reads it
    When the workflow runs
    Then the workflow has succeeded
    And the reading task got "https://api.production.com"
    And the database holds "https://api.production.com" under the key "config.api_url", owned by the pack
    And Bob cannot read the pack's key "config.api_url"

  Scenario: A secret written by an action is stored encrypted
    Given a workflow whose first task writes "s3cr3t-t0ken-42" under the encrypted key "api.token" and whose second reads it
    When the workflow runs
    Then the workflow has succeeded
    And the reading task got "s3cr3t-t0ken-42"
    And the database does not hold "s3cr3t-t0ken-42" as the value of the key "api.token"

  # Upstream keys never expire (no TTL, REPORT §1.12); the plan asks that a TTL is honoured, and the
  # embedded target takes `ttl` (seconds) on key creation.
  @upstream-gap
  Scenario: A key written with a TTL is forgotten when it runs out
    Given a workflow whose first task writes "session-42" under the key "session.id" for 4 seconds and whose second reads it
    When the workflow runs
    Then the workflow has succeeded
    And the reading task got "session-42"
    And the key "session.id" expires 4 seconds after it was written
    And once expired the key can no longer be read, nor is it in the database

  # Success criteria and the steps that assert them:
  # - action A writes through the helper -> "the workflow has succeeded" (the writer exits 0 only when the
  #   key API stored the key) and the database row below
  # - value persisted in the key table -> "the database holds ... owned by the pack" (row read over the database URL)
  # - action B retrieves the exact value -> "the reading task got ..." (read through the key API, not handed in)
  # - values scoped to the tenant -> "Bob cannot read the pack's key" (another identity gets 404 for the key
  #   the action wrote; upstream has no tenants, its isolation is ownership + RBAC, see T1.7)
  # - encryption when marked secret -> "the database does not hold ... as the value" (row marked encrypted,
  #   plaintext absent) while the reader still gets the plaintext
  # - TTL honoured -> "expires 4 seconds after it was written" (the target's created/expires_at) and "once
  #   expired ... can no longer be read, nor is it in the database" (404 and no row)
