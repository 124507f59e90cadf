@attune @tier3 @T3.3 @timer @slow
Feature: T3.3 Multiple concurrent timers
  Timers with different periods run side by side, each on its own schedule, without drifting.

  # Over 21 s (the least common multiple the plan picks): 3 s -> 7 firings, 5 s -> 4 (the plan says
  # 4-5, the fifth would be due at 25 s), 7 s -> 3. Drift is measured against each timer's own
  # schedule (n periods after it was set up), not only between neighbouring firings.

  Background:
    Given a registered pack with the test actions

  Scenario: Three timers at 3, 5 and 7 seconds
    Given these interval timer rules running the marker action:
      | timer | every     | firings |
      | A     | 3 seconds | 7       |
      | B     | 5 seconds | 4-5     |
      | C     | 7 seconds | 3       |
    Then within 21 seconds each timer fired as often as the table says, on its own schedule, give or take 1 second
