@attune @tier3 @T3.21 @logs
Feature: T3.21 Action log size limits
  An action's output is kept up to the worker's configured limit (max_output_size_bytes) and cut
  there with the configured truncation message; the execution itself is not affected. The limit and
  message are what the deployment's worker runs with: the suite config's attune.worker (1 MB and
  "... (output truncated after 1MB)" for the embedded Attune, which is started with them).

  Background:
    Given a registered pack with the test actions

  Scenario: 10 MB of output is cut at the limit with the truncation message
    Given an action of the pack that writes 10 MB of output
    When I run that action without any parameters
    Then the execution completed despite its output
    And its recorded output is the first part of what the action wrote, within the configured limit, ending with the truncation message
    And the stored execution and its log stay within the limit

  Scenario: Output under the limit is kept whole
    Given an action of the pack that writes 0.5 MB of output
    When I run that action without any parameters
    Then the execution completed despite its output
    And its output is kept whole, without the truncation message

  # Success criteria and the steps that assert them:
  # - output truncated at the configured limit -> "within the configured limit": at most max_output_size_bytes
  #   kept, at least the limit less 1 KB (upstream reserves 128 bytes for the notice), and byte for byte the
  #   start of the numbered text the action wrote; output under the limit is kept whole
  # - truncation indicator added -> ends with the configured message; stdout_truncated true and
  #   stdout_bytes_truncated accounts for every dropped byte (kept + dropped = 10 MB written)
  # - execution doesn't fail due to large output -> "completed despite its output" (exit code 0)
  # - database write succeeds -> the execution is recorded completed; "the stored execution ... within the
  #   limit": octet_length of the stored result over the database URL, and the stdout log the API serves
  # - worker memory usage bounded -> not observable over the wire: the embedded worker streams each chunk
  #   into a bounded buffer and drops what is past the limit as it arrives (emulators/attune/output.ts, as
  #   upstream's log_writer.rs), which test/attune-emulator/output.test.ts checks with 50 MB through it
