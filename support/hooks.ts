/**
 * Cucumber wiring: config, targets (remote from a worker's side), skipping unconfigured systems, cleanup, and the
 * failure attachments (redacted HTTP exchanges and captured messages).
 */
import { After, Before, BeforeAll, ITestCaseHookParameter, Status, setDefaultTimeout } from '@cucumber/cucumber';
import { AcceptanceWorld } from '../world/world';
import { SYSTEMS, SuiteConfig, SystemName, loadConfig, skipReason } from './config';
import { deploymentAnswering } from './deployment';
import { ensureTarget } from './targets';
import { interrupting, setCurrentRegistry } from './interrupt';
import { redactText } from '../world/redact';

setDefaultTimeout(60_000);

let config: SuiteConfig;

BeforeAll({ timeout: 65_000 }, async function () {
  await deploymentAnswering(); // an embedded run's deployment boots while the workers load
  config = loadConfig();
});

function systemsOf(scenario: ITestCaseHookParameter): SystemName[] {
  const tags = new Set(scenario.pickle.tags.map((t) => t.name));
  return SYSTEMS.filter((s) => tags.has(`@${s}`));
}

Before({ name: 'reach the targets this scenario needs' }, async function (this: AcceptanceWorld, scenario) {
  if (interrupting()) return Status.SKIPPED.toLowerCase(); // the run is stopping on a signal: start nothing new
  setCurrentRegistry(this.registry); // an interrupt undoes what this scenario created (support/interrupt.ts)
  for (const system of systemsOf(scenario)) {
    const reason = skipReason(config, system); // said once per run by the coordinator (cucumber.js)
    if (reason) {
      this.log(`skipped: ${reason}`);
      return Status.SKIPPED.toLowerCase();
    }
    try {
      this.targets[system] = (await ensureTarget(system, config)) as never;
    } catch (e) {
      throw new Error(`cannot reach ${system}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return undefined;
});

After({ name: 'undo what the scenario created' }, async function (this: AcceptanceWorld, { result }) {
  const failures = await this.registry.undoAll();
  setCurrentRegistry(undefined);
  const captured = this.capturedText();
  await this.dispose();
  if (result?.status === Status.FAILED) {
    // Redacted again here: secrets registered after an exchange was recorded are scrubbed too.
    const http = this.httpLog.render();
    if (http) this.attach(redactText(http), { mediaType: 'text/plain', fileName: 'last HTTP exchanges' });
    if (captured) this.attach(redactText(captured), { mediaType: 'text/plain', fileName: 'captured messages' });
  }
  if (failures.length) {
    // Something the scenario created outlives it: say what, and fail the scenario.
    const text = failures.map((f) => `${f.description}: ${f.error}`).join('\n');
    this.attach(redactText(`could not undo:\n${text}`), { mediaType: 'text/plain', fileName: 'cleanup failures' });
    throw new Error(redactText(`cleanup left ${failures.length} thing(s) behind: ${failures.map((f) => f.description).join('; ')}`));
  }
});
