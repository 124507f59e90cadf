@attune @tier3 @T3.12
Feature: T3.12 Worker crash recovery
  When the worker service dies under a running execution, the executor notices its heartbeats
  stopped, marks the execution as abandoned with a clear error, and a new worker picks up the work
  that waited in the meantime.

  # The scenario's executions run on a worker service it started for itself (a label and a taint of
  # its own, selected and tolerated by those executions only), so killing it leaves every other
  # scenario's work alone. The operator kills and restarts it as on a real host (systemctl kill -s
  # KILL, systemctl start); the embedded Attune answers that on its operator interface. Upstream marks an
  # execution on a dead worker `abandoned` (result.abandoned_by "execution_timeout_monitor"); the
  # plan says "failed". The execution that waited while no worker ran covers "no executions lost"
  # and "new worker can pick up work"; "system recovers automatically" is the executor's side (it
  # needs no restart).

  Background:
    Given a registered pack with the operations actions
    And a worker service of its own is up, taking only the work sent to it

  Scenario: The worker is killed under a running execution
    When the long-running action that stops cleanly when asked is running
    And it has run for 2 seconds
    And the operator sends SIGKILL to the worker service
    Then right after, the execution is still running
    And within 15 seconds the execution is marked abandoned, saying its worker stopped
    When I run the version action while no worker takes work
    Then it waits, queued and not running, for 2 seconds
    When the operator starts the worker service again
    Then the queued execution runs to success on the new worker
