@attune @tier2 @T2.12 @dependencies
Feature: T2.12 Python action with dependencies
  A pack's requirements.txt gets the pack its own virtualenv: built on first use, reused afterwards,
  and the pack's actions import the third-party packages it pins. The package here is e2e-greeting,
  a small local package whose wheels the suite builds itself (the plan's requests==2.28.0 would need
  PyPI); the pack's requirements name their local wheel folder and nothing reaches a package index.

  Scenario: The action imports the version its pack pins, from the pack's own virtualenv
    Given a pack "greeter" that depends on e2e-greeting "2.0.0"
    When the Python action of pack "greeter" runs
    And the Python action of pack "greeter" runs
    Then every run of pack "greeter" completed having imported e2e-greeting "2.0.0"
    And pack "greeter"'s Python action ran in the pack's own virtualenv under venvs/
    And the second run of pack "greeter" reused the virtualenv the first one built

  Scenario: A pack without the requirement cannot import it
    Given a pack "plain" that declares no dependencies
    When the Python action of pack "plain" runs
    Then the Python action of pack "plain" failed because "e2e_greeting" is not installed

  Scenario: A requirement no local package satisfies fails the execution with pip's reason
    Given a pack "unsatisfiable" that depends on e2e-greeting "9.9.9"
    When the Python action of pack "unsatisfiable" runs
    Then its run failed with pip saying no local distribution matches "e2e-greeting==9.9.9"

  # Success criteria and the steps that assert them:
  # - virtualenv created in venvs/{pack_name}/ -> "ran in the pack's own virtualenv under venvs/": the action's
  #   sys.prefix is <ATTUNE_RUNTIME_ENVS_DIR>/venvs/<pack ref> (upstream's PythonVenvManager path, '.' -> '_'),
  #   a venv (base_prefix differs) and e2e_greeting imported from its site-packages
  # - dependencies installed from requirements.txt -> "imported e2e-greeting 2.0.0" (the wheel folder offers
  #   1.0.0 and 2.0.0, so only the pin picks 2.0.0); the unsatisfiable pin fails with pip's own message, which
  #   also shows pip looked only at the local folder (the versions it lists are the local ones)
  # - action imports third-party packages -> the version and the package's greeting in the action's output
  # - isolation prevents conflicts with other packs -> a pack without the requirement gets ModuleNotFoundError
  #   (nothing leaks into the worker's interpreter); two packs with two versions: T3.19
  # - venv cached for subsequent executions -> "reused the virtualenv": the second run sees the same pyvenv.cfg
  #   (inode and mtime), so the environment was not rebuilt
  # The plan's "action executes HTTP request" belongs to requests; T3.18 covers HTTP calls.
