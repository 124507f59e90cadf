/**
 * The run's one emulator deployment, seen from the coordinator (cucumber.js): for a config with an
 * embedded system it starts `scripts/emulators.ts --config-out FILE --exit-with-parent` (the same
 * entry point as `npm run emulators`) as a child in a process group of its own, waits for the config
 * file it writes, and stops the whole group at exit. Nothing here imports emulators/. The workers
 * load while it boots; each waits for that file before its first scenario (deploymentAnswering).
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, SuiteConfig, SYSTEMS, SystemName } from './config';

export interface Deployment {
  /** The remote config the deployment wrote; workers load it as E2E_CONFIG. */
  configFile: string;
  pid: number;
  /** Synchronous, so it can run in an 'exit' handler: SIGTERM to the group, then SIGKILL what is left. */
  stop(): void;
  /** Resolves once it answers (its config file exists); rejects with a one-line ConfigError when it does not start. */
  ready: Promise<void>;
}

export function needsDeployment(cfg: SuiteConfig): boolean {
  return SYSTEMS.some((s) => cfg[s]?.target === 'embedded');
}

const root = join(__dirname, '..');
const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Live (non-zombie) processes of process group `pgid` (Linux /proc; elsewhere: whether the group answers). */
export function groupMembers(pgid: number): number[] {
  if (!existsSync('/proc/self/stat')) {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const live: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(f[2]) === pgid && f[0] !== 'Z') live.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return live;
}

function stopGroup(child: ChildProcess, dir: string): void {
  const pgid = child.pid!;
  const signal = (s: NodeJS.Signals) => {
    try {
      process.kill(-pgid, s);
    } catch {
      // already gone
    }
  };
  signal('SIGTERM');
  for (let waited = 0; waited < 6000 && groupMembers(pgid).length; waited += 50) sleep(50);
  if (groupMembers(pgid).length) signal('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}

/** Start the deployment for `configFile` and resolve once it answers (its config file exists). */
export async function startDeployment(configFile: string, timeoutMs = 60_000, systems: SystemName[] = []): Promise<Deployment> {
  const deployment = launchDeployment(configFile, timeoutMs, systems);
  await deployment.ready;
  return deployment;
}

/** Start the deployment for `configFile`; its `ready` says when it answers. */
export function launchDeployment(configFile: string, timeoutMs = 60_000, systems: SystemName[] = []): Deployment {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-deployment-'));
  const out = join(dir, 'config.yaml');
  const child = spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', join(root, 'scripts', 'emulators.ts'), '--config', configFile, '--config-out', out, '--exit-with-parent', ...systems],
    { cwd: root, detached: true, stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' } },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    // Its own failure line ("emulators: ...") is said once, by whoever started it (the ConfigError below).
    const relay = d.split('\n').filter((line) => !line.startsWith('emulators: ')).join('\n');
    if (relay.trim()) process.stderr.write(relay);
  });
  child.stdin!.on('error', () => undefined);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    stopGroup(child, dir);
  };
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, sig) => {
      // A part of a deployment that did not start says so already: its reason is not wrapped twice.
      const last = stderr.trim().split('\n').pop()?.replace(/^emulators: (the emulator deployment did not start \((.*)\)$)?/, '$2');
      reject(new ConfigError(`the emulator deployment did not start (${last || `exit ${code ?? sig}`})`));
    }),
  );
  const ready = Promise.race([untilAnswering(out, timeoutMs), exited]).then(
    () => {
      // The run ends when cucumber is done, not when the deployment is: its exit handler stops it.
      child.unref();
      for (const stream of [child.stdin, child.stderr]) (stream as unknown as { unref(): void }).unref();
    },
    (e) => {
      stop();
      throw e;
    },
  );
  return { configFile: out, pid: child.pid!, stop, ready };
}

/** Resolves once `file` exists; a ConfigError after `timeoutMs`. */
async function untilAnswering(file: string, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  while (!existsSync(file)) {
    if (Date.now() - t0 > timeoutMs) throw new ConfigError(`the emulator deployment did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * In a worker (or a run without workers): wait until the run's deployment answers, i.e. the config
 * file it writes exists. A run against a remote config has no deployment and does not wait. When the
 * deployment does not start, the coordinator ends the workers and says why in one line.
 */
export async function deploymentAnswering(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (env.E2E_DEPLOYMENT_PID && env.E2E_CONFIG) await untilAnswering(env.E2E_CONFIG, 60_000);
}
