@attune @tier1 @T1.3 @timer
Feature: T1.3 Cron timer execution
  A cron timer with a seconds field fires on exactly the seconds its expression names. Second
  lists are laid over the current time (second 0 falls just ahead of now), so no scenario waits
  for a minute boundary.

  # "Timezone handling correct": the rules pass timezone UTC, and a seconds-only schedule fires on the
  # same instants in every zone; upstream's sensor does not pass the timezone to the cron job at all
  # (REPORT 3.2), so there is no zone-dependent behaviour to assert here.

  Background:
    Given a registered pack with the test actions

  Scenario Outline: <schedule>
    Given a rule that runs the marker action with message "<schedule>" on the cron schedule "<expression>" starting now
    When the timer has fired <fires> times
    Then every firing fell on a second of the schedule, none skipped
    And each event created one enforcement for the rule
    And each enforcement started one execution of the marker action
    And every execution of the marker action has succeeded with output "<schedule>"

    Examples:
      | schedule                  | expression           | fires |
      | Every 5 seconds           | */5 * * * * *        | 2     |
      | At specific seconds       | 0,3,6,12 * * * * *   | 4     |
      | Top of every minute       | 0 * * * * *          | 1     |
