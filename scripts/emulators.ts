/**
 * The emulator deployment: starts every embedded system of a config on free ports of 127.0.0.1 and
 * describes it as a remote config (the file's own keys, literal values). The one entry point both for
 * exploring by hand and for a run (cucumber.js starts it once, out of process, via support/deployment.ts).
 *
 *   npm run emulators                         # all three; prints the config, secrets redacted; Ctrl-C stops
 *   npm run emulators -- attune               # one system
 *   npm run emulators -- --config-out FILE    # also writes the config with its secrets (mode 0600);
 *                                             # E2E_CONFIG=FILE npx cucumber-js runs against it
 *   --config FILE     the embedded config to start from (default config/embedded.yaml)
 *   --exit-with-parent  stop when the process that started it goes away (stdin closes or ppid changes)
 * Runs until SIGINT/SIGTERM.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AttuneConfig, BudConfig, ConfigError, SuiteConfig, SYSTEMS, SystemName, WaldurConfig, configYaml, loadConfig } from '../support/config';

type Stop = () => Promise<void>;
const stops: Stop[] = [];

async function attune(cfg: AttuneConfig): Promise<AttuneConfig> {
  const { startAttune } = await import('../emulators/attune');
  const emu = await startAttune({ admin: { login: cfg.login, password: cfg.password }, worker: cfg.worker });
  stops.push(emu.stop);
  return {
    target: 'remote', api_url: emu.apiUrl, notifier_url: emu.notifierUrl, database_url: emu.databaseUrl, login: cfg.login, password: cfg.password,
    ...(cfg.worker ? { worker: cfg.worker } : {}),
  };
}

async function waldur(cfg: WaldurConfig): Promise<WaldurConfig> {
  let broker = cfg.broker;
  if (broker.kind === 'embedded') {
    const { startStompBroker } = await import('../emulators/stomp');
    const br = await startStompBroker();
    stops.push(br.stop);
    broker = { kind: 'embedded', ws_url: br.wsUrl, management_url: br.managementUrl, user: br.adminUser, password: br.adminPassword };
  }
  const { startWaldur } = await import('../emulators/waldur');
  const emu = await startWaldur({
    broker: broker.kind === 'none' ? null : { wsUrl: broker.ws_url!, managementUrl: broker.management_url!, adminUser: broker.user!, adminPassword: broker.password! },
    targetStomp: cfg.target_stomp,
  });
  stops.push(emu.stop);
  const agent = { ...cfg.agent };
  if (agent.kind === 'embedded') {
    const { startSiteAgent } = await import('../emulators/waldur/agent');
    const ag = await startSiteAgent();
    stops.push(ag.stop);
    agent.control_url = ag.controlUrl;
  }
  return {
    ...cfg,
    target: 'remote',
    a: { url: emu.a.url, token: emu.a.token, admin_url: emu.a.adminUrl },
    b: { url: emu.b.url, token: emu.b.token, admin_url: emu.b.adminUrl },
    broker,
    agent,
  };
}

async function bud(cfg: BudConfig): Promise<BudConfig> {
  const { startBud } = await import('../emulators/bud');
  const emu = await startBud({ admin: cfg.admin });
  stops.push(emu.stop);
  return { target: 'remote', url: emu.url, gateway_url: emu.url, admin: cfg.admin };
}

/** Start the embedded systems of `cfg` (those in `only`, when given); remote sections are kept as they are. */
export async function deploy(cfg: SuiteConfig, only: SystemName[] = []): Promise<SuiteConfig> {
  const out: SuiteConfig = { source: cfg.source, strict: cfg.strict, emulators: true };
  const start = { attune, waldur, bud } as Record<SystemName, (c: never) => Promise<unknown>>;
  // Side by side: Attune's PostgreSQL boots while the others load and listen.
  await Promise.all(
    SYSTEMS.map(async (system) => {
      const section = cfg[system];
      if (!section || (only.length && !only.includes(system))) return;
      out[system] = (section.target === 'embedded' ? await start[system](section as never) : section) as never;
    }),
  );
  return out;
}

/** Stop everything started, newest first. */
export async function stopAll(): Promise<void> {
  while (stops.length) await stops.pop()!().catch(() => undefined);
}

/**
 * Several embedded systems: each in a process of its own (this script for that one system), so the
 * systems do not share one event loop and their latencies stay their own on a multi-core machine;
 * one system: in this process.
 */
async function deployApart(cfg: SuiteConfig, args: { systems: SystemName[]; config: string }): Promise<SuiteConfig> {
  const embedded = SYSTEMS.filter((s) => cfg[s]?.target === 'embedded' && (!args.systems.length || args.systems.includes(s)));
  if (embedded.length < 2) return deploy(cfg, args.systems);
  const { startDeployment } = await import('../support/deployment');
  const parts = await Promise.all(embedded.map((s) => startDeployment(args.config, 60_000, [s])));
  for (const part of parts) stops.push(async () => part.stop());
  const alive = setInterval(() => undefined, 3_600_000); // the parts are unref'd: this process lives until stopped
  stops.push(async () => clearInterval(alive));
  const out: SuiteConfig = { source: cfg.source, strict: cfg.strict, emulators: true };
  for (const system of SYSTEMS) {
    if (args.systems.length && !args.systems.includes(system)) continue;
    const part = parts[embedded.indexOf(system)];
    out[system] = (part ? loadConfig({ ...process.env, E2E_CONFIG: part.configFile })[system] : cfg[system]) as never;
  }
  return out;
}

function parseArgs(argv: string[]): { systems: SystemName[]; configOut?: string; config: string; withParent: boolean } {
  const systems: SystemName[] = [];
  let configOut: string | undefined;
  let config = 'config/embedded.yaml';
  let withParent = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--config-out') configOut = argv[++i];
    else if (a === '--config') config = argv[++i];
    else if (a === '--exit-with-parent') withParent = true;
    else if ((SYSTEMS as string[]).includes(a)) systems.push(a as SystemName);
    else throw new ConfigError(`unknown argument ${a}; give systems (${SYSTEMS.join(', ')}), --config-out FILE or --config FILE`);
    if ((a === '--config-out' || a === '--config') && !argv[i]) throw new ConfigError(`${a} needs a file name`);
  }
  return { systems, configOut, config, withParent };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cfg = loadConfig({ ...process.env, E2E_CONFIG: args.config });
  let stopping = false;
  const shutdown = (code: number) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(code), 5000).unref(); // a stop that hangs does not keep ports open
    stopAll().finally(() => {
      if (args.configOut) rmSync(args.configOut, { force: true });
      process.exit(code);
    });
  };
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));
  if (args.withParent) {
    const parent = process.ppid;
    process.stdin.on('end', () => shutdown(0)).on('error', () => shutdown(0)).resume();
    setInterval(() => process.ppid !== parent && shutdown(0), 500).unref();
  }
  const t0 = Date.now();
  const deployed = await deployApart(cfg, args);
  const ms = Date.now() - t0;
  if (args.configOut) {
    const file = resolve(args.configOut);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `# emulator deployment started from ${cfg.source} (pid ${process.pid}); valid while it runs\n${configYaml(deployed, false)}`, { mode: 0o600 });
    renameSync(tmp, file); // atomic: whoever waits for the file never reads half of it
    process.stdout.write(`emulators running (${ms} ms); config written to ${args.configOut}: E2E_CONFIG=${args.configOut} npx cucumber-js\n`);
  } else {
    process.stdout.write(`# emulators running (${ms} ms); secrets redacted, \`npm run emulators -- --config-out FILE\` writes them\n${configYaml(deployed, true)}`);
  }
  process.stdout.write('Ctrl-C (SIGINT) or SIGTERM stops them\n');
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`emulators: ${(e as Error).message.split('\n')[0]}\n`);
    stopAll().finally(() => process.exit(e instanceof ConfigError ? 2 : 1));
  });
}
