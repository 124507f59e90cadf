@attune @tier3 @T3.1 @timer @upstream-gap
Feature: T3.1 Date timer with a past date
  A date timer whose moment has already passed either runs at once or is refused with a clear
  error; it never fails silently.

  # upstream-gap: upstream HEAD accepts the rule and its timer sensor then refuses the timer in its
  # own log only (crates/core-timer-sensor/src/timer_manager.rs: "DateTime timer fire_at must be in
  # the future"); no execution appears and the API shows no error, so against a real Attune this
  # scenario fails at its last step: that silent failure is the finding. The embedded Attune follows
  # the plan (T1.2's edge case): a past date fires at once.
  # "Behaviour documented and consistent": the emulator README documents the choice.

  Background:
    Given a registered pack with the test actions

  Scenario: A date an hour ago is not a silent failure
    When I ask for a rule that runs the marker action with message "late" once, 60 minutes ago
    Then either the rule is refused with a clear error, or the marker action runs at once with output "late"
