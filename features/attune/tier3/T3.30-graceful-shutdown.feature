@attune @tier3 @T3.30
Feature: T3.30 Graceful service shutdown
  SIGTERM asks the worker service to stop: it finishes the execution it is running and saves its
  result, accepts no new work, and exits with code 0; the work that arrived meanwhile waits for the
  next worker.

  # The scenario's executions run on a worker service it started for itself (a label and a taint of
  # its own, selected and tolerated by those executions only), so stopping it leaves every other
  # scenario's work alone. The operator signals and restarts it as on a real host (systemctl stop /
  # start); the embedded Attune answers that on its operator interface. "Message queue messages
  # requeued" is the execution queued during the shutdown running on the next worker. "Database
  # connections closed cleanly" is part of the exit code 0 (the worker service holds none itself).

  Background:
    Given a registered pack with the operations actions
    And a worker service of its own is up, taking only the work sent to it

  Scenario: SIGTERM while an execution runs
    Given a run of the version action taking 5 seconds has been in flight for 1 second
    When the operator sends SIGTERM to the worker service
    And I run the version action while no worker takes work
    Then it waits, queued and not running, for 2 seconds
    And the run in flight completed and its result was saved
    And the worker service exited cleanly with code 0
    When the operator starts the worker service again
    Then the queued execution runs to success on the new worker
