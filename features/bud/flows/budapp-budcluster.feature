@bud @bud-budapp-budcluster @workflow
Feature: budapp <-> budcluster integration
  budapp hands cluster work to budcluster and records what budcluster reports: the progress of an
  onboarding in the workflow, and the end of a cluster it was asked to delete.

  Background:
    Given the bud admin is logged in

  @p1
  Scenario: budcluster's progress reaches the onboarding workflow
    When the bud admin onboards a cluster from its kubeconfig
    Then within 30 seconds the onboarding workflow ends "completed", its cluster creation events advancing stage by stage on the way
    And the onboarding workflow records its cluster creation events

  @p1
  Scenario: A cluster deleted through budapp leaves the cluster list
    Given the bud admin has onboarded a cluster
    When the bud admin deletes the cluster
    Then the cluster deletion is accepted
    And within 30 seconds the cluster is gone from the cluster list
