@attune @tier1 @T1.3 @timer
Feature: T1.3 Cron timer execution
  A cron timer with a seconds field fires on exactly the seconds its expression names and on no
  other, and the action runs on each of those seconds. Every firing in a window is checked against
  its slot of the schedule, from the events' and the marker action's own timestamps.

  # Second lists are laid over the current time in the short scenarios (the list's second 0 falls
  # 2 s ahead of now), so they need not wait for a minute boundary; the top of the minute itself is
  # covered for real by the one @slow scenario, which waits for the next minute boundary.
  # "Timezone handling correct": the rules pass timezone UTC, and a seconds-only schedule fires on the
  # same instants in every zone; upstream's sensor does not pass the timezone to the cron job at all
  # (REPORT 3.2), so there is no zone-dependent behaviour to assert here.

  Background:
    Given a registered pack with the test actions

  Scenario Outline: <schedule>
    Given a rule that runs the marker action with message "<schedule>" on the cron schedule "<expression>" starting now
    When the schedule has run for <window>
    Then the timer fired on every second of the schedule in that window, and on no other
    And each event created one enforcement for the rule
    And each enforcement started one execution of the marker action
    And every execution of the marker action has succeeded with output "<schedule>"
    And each execution of the marker action started within 2 seconds of its firing's second and ran after it, in order

    Examples:
      | schedule            | expression         | window     |
      | Every 5 seconds     | */5 * * * * *      | 11 seconds |
      | At specific seconds | 0,3,6,12 * * * * * | 15 seconds |

  @slow
  Scenario: Top of every minute
    Given a rule that runs the marker action with message "top of the minute" on the cron schedule "0 * * * * *"
    When the schedule has run past the next minute boundary
    Then the timer fired on every second of the schedule in that window, and on no other
    And each event created one enforcement for the rule
    And each enforcement started one execution of the marker action
    And every execution of the marker action has succeeded with output "top of the minute"
    And each execution of the marker action started within 2 seconds of its firing's second and ran after it, in order
