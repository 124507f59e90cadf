/**
 * Run the embedded targets alone for exploring by hand: `npm run emulators` (all) or
 * `npm run emulators -- attune` (one). Prints the URLs and a config you can point the suite at,
 * then runs until Ctrl-C. Secrets are redacted unless E2E_SHOW_SECRETS=1 (for logging in by hand).
 */
import { loadConfig, SYSTEMS, SystemName } from '../support/config';
import { ensureTarget, stopAll } from '../support/targets';
import { redact } from '../world/redact';

async function main(): Promise<void> {
  const wanted = process.argv.slice(2) as SystemName[];
  const bad = wanted.filter((s) => !SYSTEMS.includes(s));
  if (bad.length) {
    process.stderr.write(`emulators: unknown system ${bad.join(', ')}; choose from ${SYSTEMS.join(', ')}\n`);
    process.exit(2);
  }
  const cfg = loadConfig({ ...process.env, E2E_CONFIG: 'config/embedded.yaml' });
  for (const system of wanted.length ? wanted : SYSTEMS) {
    const t0 = Date.now();
    const target = await ensureTarget(system, cfg);
    const shown = process.env.E2E_SHOW_SECRETS === '1' ? target : redact(target);
    process.stdout.write(`${system} (${Date.now() - t0} ms): ${JSON.stringify(shown, null, 2)}\n`);
  }
  if (process.env.E2E_SHOW_SECRETS !== '1') process.stdout.write('secrets redacted; E2E_SHOW_SECRETS=1 npm run emulators prints them\n');
  process.stdout.write('emulators running; Ctrl-C stops them\n');
  const stop = () => {
    stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  process.stderr.write(`emulators: ${(e as Error).message.split('\n')[0]}\n`);
  process.exit(1);
});
