@attune @tier3 @T3.20 @security
Feature: T3.20 Secret injection
  A secret reaches the action that needs it on its standard input, and nowhere else: not in its
  environment, not on its command line, not in its output, logs or execution record; the database
  holds it only encrypted.

  # What the action sees of its own process comes from the action itself (fixture
  # e2e_probe/actions/secret_probe.py): it reads its parameter document from stdin and reports a
  # SHA-256 digest of the secret it found there (never the secret), the names it received, and its
  # /proc/self/environ and /proc/self/cmdline as the kernel shows them. So the check holds against a
  # real worker host as well, without taking the platform's word for it. Upstream delivers keys
  # merged into the parameter document by key name (worker secrets.rs, REPORT §3.4).

  Background:
    Given a registered pack with the probe actions
    And the pack stores a fresh secret under the encrypted key "api_key"

  Scenario: The secret arrives on stdin and appears nowhere else
    When the secret probe action runs, looking for the secret "api_key"
    Then the action received the secret on its standard input
    And the secret is not in the action's environment
    And the secret is not on the action's command line
    And the secret is not in the execution's output, logs or record
    And the database holds the secret only encrypted

  Scenario: An inline shell action gets the secret without it showing on its command line
    # Upstream hands inline shell actions their parameters and keys as non-exported shell variables
    # (REPORT §3.4); the action (bash) is observed from a child it starts, reading its parent's /proc.
    When an inline shell action of the pack reports its own process, looking for the secret "api_key"
    Then the action received the secret on its standard input
    And the secret is not in the action's environment
    And the secret is not on the action's command line

  @attune-scenario-4
  Scenario: README scenario 4, secret management
    # "Action can access secret via get_secret() helper": the probe reads it with get_secret()
    # (e2e_probe/actions/attune_secrets.py), which reads the parameter document from stdin.
    When the secret probe action runs, looking for the secret "api_key"
    Then the action received the secret on its standard input
    And the secret is not in the action's environment
    And the secret is not in the execution's output, logs or record
    And the database holds the secret only encrypted
