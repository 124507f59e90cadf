@attune @tier3 @T3.19 @dependencies
Feature: T3.19 Dependency conflict isolation
  Two packs pin two versions of one package. Each pack's actions import their own version from their
  own virtualenv, whether they run apart or at the same time. The package is e2e-greeting, built
  locally by the suite as wheels 1.0.0 and 2.0.0 (the plan's requests 2.25.0 / 2.28.0 would need PyPI).

  @attune-scenario-8
  Scenario: Two packs with conflicting dependencies run apart and concurrently, each in its own virtualenv
    Given a pack "A" that depends on e2e-greeting "1.0.0"
    And a pack "B" that depends on e2e-greeting "2.0.0"
    When the Python action of pack "A" runs
    And the Python action of pack "B" runs
    Then every run of pack "A" completed having imported e2e-greeting "1.0.0"
    And every run of pack "B" completed having imported e2e-greeting "2.0.0"
    And the packs "A" and "B" ran in different virtualenvs
    When the Python actions of packs "A" and "B" run 3 times each, all at once
    Then every run of pack "A" completed having imported e2e-greeting "1.0.0"
    And every run of pack "B" completed having imported e2e-greeting "2.0.0"
    And the packs "A" and "B" ran in different virtualenvs
    And the runs of packs "A" and "B" overlapped in time

  # Success criteria and the steps that assert them:
  # - separate virtualenvs per pack -> "ran in different virtualenvs": each run's sys.prefix is its own pack's
  #   <ATTUNE_RUNTIME_ENVS_DIR>/venvs/<pack>, the same for every run of a pack, different between the packs
  # - pack A uses 1.0.0, pack B uses 2.0.0 -> "completed having imported e2e-greeting ..." (version and the
  #   package's own greeting, from each run's output)
  # - concurrent executions don't interfere -> six runs submitted at once (three per pack) all complete with
  #   their pack's version from their pack's venv, and "overlapped in time" proves they ran together
  #   (started_at..updated from the target's own records)
  # - dependencies isolated completely -> the same checks: no run saw the other pack's version or venv
  # README scenario 8 (dependency isolation): venv A with 1.0.0, venv B with 2.0.0, each action in its venv,
  # both succeed, no conflicts -> the same scenario (its first half is scenario 8's steps).
