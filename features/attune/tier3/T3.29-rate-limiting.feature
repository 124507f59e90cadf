@attune @tier3 @T3.29 @security @upstream-gap
Feature: T3.29 Rate limiting
  A user limited to 10 requests a second gets 429 Too Many Requests, with a Retry-After, beyond
  that; the allowance comes back when the window resets; admins are never throttled.

  # upstream-gap: upstream HEAD has no per-user API rate limiting and no Retry-After header anywhere
  # (only per-trigger webhook limits, routes/webhooks.rs, 429 without Retry-After). The embedded
  # Attune implements the plan: the operator configures the limit on the identity
  # (attributes.rate_limit), fixed one-second windows per identity, admins (core.admin) exempt.
  # Each scenario limits only its own user, so parallel scenarios on one target are never throttled.

  Scenario: The eleventh request in a second is refused until the window resets
    Given a user limited to 10 requests per second
    When that user makes 30 requests at once
    Then only the first 10 succeed and the rest are refused with 429 and a Retry-After
    And once the Retry-After has passed, 10 more requests succeed

  Scenario: Admins are exempt
    Given a user limited to 10 requests per second
    And that user holds the admin role
    When that user makes 30 requests at once
    Then none of them is refused
    And an admin of the target is never throttled either
