/**
 * SIGINT/SIGTERM as an orderly stop, and reports that survive one.
 *
 * Coordinator (cucumber.js): the first signal stops new scenarios by asking every worker to stop
 * (they get it anyway from a Ctrl-C to the terminal's process group), waits for them to undo what
 * they created, then (as the last worker closes, before cucumber's formatters finish on results the
 * workers never reported) the exit handler stops the emulator deployment and the run exits 130 with
 * the previous run's reports untouched. A second signal exits at once.
 * Worker (this module, loaded as support code): on a signal, or when the coordinator goes away, it
 * undoes the registry of the scenario in progress, prints one line of what it undid or could not,
 * and exits 130 without a stack trace.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Registry } from '../world/registry';
import { requestsSettled } from '../world/clients/http';

const root = join(__dirname, '..');
const EXIT_INTERRUPTED = 130;

export interface StagedReports {
  path(name: string): string;
  interrupt(): void;
  /** Move the run's reports into reports/ (or drop them when the run was interrupted). */
  finish(): void;
}

export function stagedReports(runId: string): StagedReports {
  const reports = join(root, 'reports');
  const dir = join(reports, `.staged-${runId}`);
  mkdirSync(dir, { recursive: true });
  let interrupted = false;
  return {
    path: (name) => join(dir, name),
    interrupt: () => {
      interrupted = true;
    },
    finish() {
      if (!existsSync(dir)) return;
      if (!interrupted) for (const f of readdirSync(dir)) renameSync(join(dir, f), join(reports, f));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Direct children of `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  if (!existsSync('/proc/self/stat')) return [];
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/**
 * Coordinator side, when the run cannot start (its deployment did not): end the workers still
 * loading at once and without a word (none has run a scenario), so the reason is the one line said.
 */
export function dropWorkers(except?: number): void {
  for (const pid of childrenOf(process.pid)) {
    if (pid === except) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Coordinator side: install the signal handlers. */
export function onInterrupt(opts: { deployment?: { pid: number }; staged: StagedReports }): void {
  let interrupted = 0;
  const handler = (signal: NodeJS.Signals) => {
    // One Ctrl-C often arrives twice: from the terminal and forwarded by `npm run`/`npx` (npm's
    // signal manager). Only a signal more than a second after the first means "stop now".
    if (interrupted && Date.now() - interrupted < 1000) return;
    if (interrupted) {
      process.stderr.write(`e2e: ${signal} again: stopping now\n`);
      process.exit(EXIT_INTERRUPTED);
    }
    interrupted = Date.now();
    opts.staged.interrupt();
    process.stderr.write(`e2e: ${signal}: no new scenarios; each worker undoes what it created (the previous run's reports are kept)\n`);
    for (const pid of childrenOf(process.pid)) {
      if (pid === opts.deployment?.pid) continue; // it must answer while the workers undo
      try {
        process.kill(pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
    setTimeout(() => {
      process.stderr.write('e2e: workers did not stop within 60 s; stopping anyway (`npm run sweep` removes leftovers)\n');
      process.exit(EXIT_INTERRUPTED);
    }, 60_000).unref();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  process.on('exit', () => {
    if (interrupted) process.exitCode = EXIT_INTERRUPTED;
  });
  // cucumber finishes its formatters once the last worker has closed. A worker stopped mid-scenario
  // leaves a started step without a result, and the json/html/junit/message formatters throw on it
  // ("Cannot destructure property 'message' of 'testStepResult'") with a stack trace; their reports
  // are dropped anyway. So an interrupted run ends as its last worker closes, before cucumber hears
  // of it: each worker is watched from its fork on, ahead of cucumber's own 'close' listener.
  const workers = new Set<ChildProcess>();
  const childProcess: typeof import('node:child_process') = require('node:child_process');
  const fork = childProcess.fork;
  childProcess.fork = function (this: unknown, ...args: unknown[]) {
    const child = (fork as (...a: unknown[]) => ChildProcess).apply(this, args);
    workers.add(child);
    child.on('close', () => {
      workers.delete(child);
      if (interrupted && workers.size === 0) process.exit(EXIT_INTERRUPTED);
    });
    return child;
  } as typeof fork;
}

// ---- worker side ----

let current: Registry | undefined;

/** The registry of the scenario this worker runs now (set by the Before hook, cleared after its undo). */
export function setCurrentRegistry(registry: Registry | undefined): void {
  current = registry;
}

let stopping = false;

/** True once this worker is stopping on a signal: no new scenario may start (support/hooks.ts). */
export const interrupting = (): boolean => stopping;

async function stopWorker(why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  const worker = `worker ${process.env.CUCUMBER_WORKER_ID}`;
  const undone: string[] = [];
  const failed: string[] = [];
  // A step's create may be in flight: let it land and register its undo first, then undo; repeated,
  // since more may land while the undo runs.
  for (let pass = 0; pass < 3; pass++) {
    await requestsSettled(5_000);
    // The scenario in progress now: one the coordinator had already handed over may have started.
    const registry = current;
    if (!registry || registry.size === 0) break;
    const before = registry.descriptions();
    const failures = await registry.undoAll();
    failed.push(...failures.map((f) => `${f.description} (${f.error.split('\n')[0]})`));
    undone.push(...before.filter((d) => !failures.some((f) => f.description === d)));
  }
  if (!undone.length && !failed.length) {
    process.stderr.write(`e2e: ${worker} ${why}: nothing to undo\n`);
    process.exit(EXIT_INTERRUPTED);
  }
  const parts = [`undid ${undone.length}${undone.length ? ` (${undone.join('; ')})` : ''}`];
  if (failed.length) parts.push(`could not undo ${failed.length}: ${failed.join('; ')}`);
  process.stderr.write(`e2e: ${worker} ${why}: ${parts.join('; ')}\n`);
  process.exit(EXIT_INTERRUPTED);
}

if (process.env.CUCUMBER_WORKER_ID !== undefined) {
  process.on('SIGINT', () => void stopWorker('interrupted'));
  process.on('SIGTERM', () => void stopWorker('terminated'));
  process.on('disconnect', () => void stopWorker('lost its coordinator'));
  // A coordinator gone mid-send is not worth a stack trace.
  process.on('error', () => undefined);
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
}
