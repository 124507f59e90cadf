/**
 * npm run sweep [-- --run <id>] [--older-than 2h] [--dry-run]
 * Lists and removes, through the public APIs of every system the config (E2E_CONFIG, default
 * config/embedded.yaml) names, everything a run of this suite left behind (names carry the run id).
 * Exit 0 when nothing is left, 1 when something could not be removed, 2 for bad usage or config.
 */
import { ConfigError, loadConfig } from '../support/config';
import { parseAge, sweep, SweepOptions } from '../support/sweep';

function usage(message: string): never {
  process.stderr.write(`sweep: ${message}\nusage: npm run sweep [-- --run <id>] [--older-than 2h] [--dry-run]\n`);
  process.exit(2);
}

function options(argv: string[]): SweepOptions {
  const opts: SweepOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
    if (flag === '--dry-run') opts.dryRun = true;
    else if (flag === '--run') opts.run = value();
    else if (flag === '--older-than') {
      try {
        opts.olderThanMs = parseAge(value());
      } catch (e) {
        usage((e as Error).message);
      }
    } else usage(`unknown argument ${argv[i]}`);
  }
  return opts;
}

async function main(): Promise<void> {
  const opts = options(process.argv.slice(2));
  let cfg;
  try {
    cfg = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) usage(e.message);
    throw e;
  }
  const scope = [opts.run ? `run ${opts.run}` : 'every run', opts.olderThanMs !== undefined ? `older than ${opts.olderThanMs / 1000} s` : ''].filter(Boolean).join(', ');
  process.stdout.write(`sweep: ${cfg.source}, ${scope}${opts.dryRun ? ', dry run' : ''}\n`);
  const items = await sweep(cfg, opts, (line) => process.stdout.write(`sweep: ${line}\n`));
  const failed = items.filter((i) => i.error).length;
  process.stdout.write(`sweep: ${items.length} found, ${items.filter((i) => i.removed).length} removed, ${failed} could not be removed\n`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  process.stderr.write(`sweep: ${(e as Error).message.split('\n')[0]}\n`);
  process.exit(2);
});
