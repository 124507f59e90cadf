/** Checks a target or agent kind cannot make: skipped with the reason, or failed in strict mode. */
import { AcceptanceWorld } from '../../world/world';
import { loadConfig } from '../../support/config';

let strictMode: boolean | undefined;

/**
 * A check this agent kind or target cannot make. Outside strict mode the scenario is skipped with the
 * reason; in strict mode (ci, nightly, rabbitmq) it fails, so a misconfigured target never looks green.
 */
export function unavailable(world: AcceptanceWorld, reason: string): 'skipped' {
  strictMode ??= loadConfig().strict;
  if (strictMode) throw new Error(`cannot be checked on this target (strict mode): ${reason}`);
  world.log(`skipped: ${reason}`);
  return 'skipped';
}
