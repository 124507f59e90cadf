@attune @tier3 @T3.18 @http
Feature: T3.18 HTTP runner execution
  Attune calls REST APIs with its core.http_request action (upstream has no separate HTTP runner
  type; this action is how its packs make HTTP calls). The scenario starts its own HTTP receiver on
  127.0.0.1, so what was sent is read where it arrived.

  Background:
    Given a registered pack with the test actions

  Scenario: A POST with headers and a body templated from the event reaches the receiver
    Given a local HTTP receiver that answers 201 with "{\"id\": 42, \"created\": true}"
    And a webhook trigger
    And a rule that calls the receiver with core.http_request on that trigger:
      | method                  | POST                                                                      |
      | path                    | /users                                                                    |
      | header Content-Type     | application/json                                                          |
      | header X-Request-Source | attune-e2e                                                                |
      | header Authorization    | Bearer {{ event.payload.token }}                                          |
      | body                    | {"user": "{{ event.payload.user }}", "items": {{ event.payload.items }}} |
    When the webhook receives:
      | user  | alice |
      | token | t-123 |
      | items | 3     |
    Then the rule's HTTP request has run
    And the receiver got exactly one POST request to "/users"
    And it carried the headers:
      | Content-Type     | application/json |
      | X-Request-Source | attune-e2e       |
      | Authorization    | Bearer t-123     |
    And its body was the JSON:
      """
      {"user": "alice", "items": 3}
      """
    And the HTTP request execution succeeded with status code 201, success true and the receiver's answer

  Scenario: An HTTP error status is captured, not hidden
    Given a local HTTP receiver that answers 503 with "upstream unavailable"
    When core.http_request is run against the receiver:
      | method | GET     |
      | path   | /health |
    Then the receiver got exactly one GET request to "/health"
    And the HTTP request execution succeeded with status code 503, success false and the receiver's answer

  Scenario: No answer at all fails the execution with the reason
    When core.http_request is run against a port where nothing listens
    Then the HTTP request execution failed saying "Failed to connect to host"

  # Success criteria and the steps that assert them:
  # - request made with the correct method -> "the receiver got exactly one POST/GET request to ..." (read at the receiver)
  # - headers passed correctly -> the header table, compared with what the receiver got
  # - body templated with parameters -> the rule's body template renders the event's values ({{ event.payload.* }});
  #   "its body was the JSON" parses what arrived (a number stays a number)
  # - response status code captured -> status_code 201 / 503 in the execution's output
  # - response body captured -> body (the receiver's answer, byte for byte), json (parsed when JSON, else null),
  #   response headers (the receiver's X-Receiver header), url and elapsed_ms
  # - HTTP errors handled gracefully -> a 503 completes with success false and the body kept (upstream's
  #   action exits 0 for any HTTP answer); no answer at all fails the execution with upstream's curl message
  #   "Failed to connect to host" and status_code 0 in its output
  # The plan's `runner_type: http` with `http_config` and `{{ secret.api_token }}` is upstream's core.http_request
  # with `auth_type: bearer` / a templated header; REPORT.md section 2 (no HTTP runner at HEAD).
