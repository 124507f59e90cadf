@attune @tier2 @T2.13 @dependencies
Feature: T2.13 Node.js action with dependencies
  A pack's package.json gets its own node_modules in the pack directory, installed on first use, and
  the pack's Node.js actions require what it declares. The package is e2e-greeting, an npm tarball
  the suite builds itself (the plan's axios would need the npm registry); nothing reaches a registry.

  Scenario: Two packs require two versions of one package, each from its own node_modules
    Given a pack "old" that depends on e2e-greeting "1.0.0"
    And a pack "new" that depends on e2e-greeting "2.0.0"
    When the Node.js action of pack "old" runs
    And the Node.js action of pack "new" runs
    And the Node.js action of pack "old" runs
    Then every run of pack "old" completed having imported e2e-greeting "1.0.0"
    And every run of pack "new" completed having imported e2e-greeting "2.0.0"
    And pack "old"'s Node.js action resolved e2e-greeting from the pack's own node_modules
    And pack "new"'s Node.js action resolved e2e-greeting from the pack's own node_modules

  Scenario: A pack without the dependency cannot require it
    Given a pack "plain" that declares no dependencies
    When the Node.js action of pack "plain" runs
    Then the Node.js action of pack "plain" failed because "e2e-greeting" is not installed

  # Success criteria and the steps that assert them:
  # - npm install runs for pack dependencies -> "imported e2e-greeting 1.0.0/2.0.0": only an install of the
  #   package.json dependency puts the package where the action can require it
  # - node_modules created in pack directory -> "resolved e2e-greeting from the pack's own node_modules"
  #   (require.resolve gives <pack dir>/node_modules/e2e-greeting/index.js)
  # - action can require packages -> the version and the package's greeting in the action's output
  # - dependencies isolated per pack -> the two packs get their own versions, before and after each other;
  #   a pack without the dependency gets "Cannot find module"
  # - worker supports the Node.js runtime type -> the actions are runner_type nodejs and complete
