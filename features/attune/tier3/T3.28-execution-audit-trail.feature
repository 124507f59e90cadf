@attune @tier3 @T3.28 @security @upstream-gap
Feature: T3.28 Execution audit trail
  Every step of an execution's life is audited with who took it and when; the trail is read by
  execution, and nobody can change or remove it.

  # upstream-gap: upstream HEAD has the audit log API (GET /api/v1/audit-events[/{id}], filters
  # resource_type/resource_id, routes/audit.rs) but fills it from its request middleware only
  # (audit_request): the user's POST /executions/execute is there, the executor's scheduling and the
  # worker's start and completion are not, so against a real Attune the first Then fails at
  # "scheduled". The embedded Attune writes the plan's four lifecycle entries in upstream's
  # AuditEventResponse shape (emulators/attune/audit.ts); the services name themselves in actor_login.

  Background:
    Given two separate users, Alice and Bob
    And Alice registers a pack with the test actions

  Scenario: Created by the user, scheduled by the executor, started and completed by the worker
    When Alice runs her echo action with message "audited"
    Then the audit trail of that execution, read by execution, is:
      | step      | actor    |
      | created   | Alice    |
      | scheduled | executor |
      | started   | worker   |
      | completed | worker   |
    And the same worker started and completed it
    And each audit entry's time matches the execution's own timestamps, in order
    And no audit entry of that execution can be changed or deleted, over the API or in the database
    And Bob cannot read that execution's audit trail
