@bud @bud-cluster-onboarding @workflow
Feature: CLUSTER_ONBOARDING workflow
  A cluster is added from its kubeconfig through a workflow; budcluster verifies it and collects its
  nodes, and the cluster becomes "available" for deployments.

  Background:
    Given the bud admin is logged in

  @p1
  Scenario: Onboarding a cluster completes and the cluster is available
    When the bud admin onboards a cluster from its kubeconfig
    Then the cluster onboarding step is accepted
    And within 30 seconds the onboarding workflow ends "completed"
    And the onboarded cluster is "available" in the cluster list

  @p1
  Scenario: Onboarding a cluster needs a valid access token
    When a bud cluster onboarding step is sent with no token
    Then the cluster onboarding step is refused as unauthorized (401)

  @p1
  Scenario: A kubeconfig whose current context names no cluster is refused and adds no cluster
    When the bud admin onboards a cluster from a kubeconfig whose current context names no cluster
    Then the cluster onboarding step is refused as a bad request (400)
    And no cluster of that name is in the cluster list
