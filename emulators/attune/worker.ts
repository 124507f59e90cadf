// The worker: runs one action as a real child process, as upstream's crates/worker does:
// parameters (with secrets merged in) on stdin as one line of JSON (or dotenv/yaml), script
// files from the pack's actions/ directory, ad-hoc shell actions run their entrypoint as inline
// code with PARAM_<NAME>/<name> shell variables.
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { containerCommand } from './container';
import { nodeModulesFor, processDir, pythonFor, runtimeEnvsDir } from './deps';
import { BoundedOutput, outputLimits } from './output';

export type Runtime = 'shell' | 'python' | 'node' | 'container';

const ALIASES: Record<string, Runtime> = {
  'core.shell': 'shell', shell: 'shell', bash: 'shell', sh: 'shell', local: 'shell', 'local-shell-script': 'shell',
  'core.python': 'python', python: 'python', python3: 'python', 'python-script': 'python',
  'core.nodejs': 'node', nodejs: 'node', node: 'node',
  container: 'container', // the plan's T3.17 container runner (container.ts)
};

/** The abort reason of a user's cancel (POST /executions/{id}/cancel): SIGTERM first, then SIGKILL. */
export const CANCEL = 'cancel';
/** Upstream's grace between SIGTERM and SIGKILL (process_executor.rs wait_for_terminated_child: 5 s). */
export const CANCEL_GRACE_MS = 5000;
// stdin is a socket pair, which makes Debian's bash source ~/.bashrc unless told not to.
const BASH = ['--norc', '--noprofile'];

export function runtimeOf(runtimeRef: string | null | undefined, entrypoint = ''): Runtime | null {
  if (runtimeRef) return ALIASES[runtimeRef.toLowerCase()] ?? null;
  if (entrypoint.endsWith('.py')) return 'python';
  if (entrypoint.endsWith('.js')) return 'node';
  return 'shell';
}

export interface RunSpec {
  runtime: Runtime;
  entrypoint: string;
  packDir: string | null;
  parameters: Record<string, unknown>;
  parameterFormat: string; // json | dotenv | yaml
  env: Record<string, string>;
  timeoutMs: number;
  signal: AbortSignal;
}

export interface RunOutcome {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  stdoutBytesTruncated?: number;
  stderrBytesTruncated?: number;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
  /** The signal that ended the process (SIGTERM, or SIGKILL after the grace period), if one did. */
  signal?: string;
  error?: string;
}

function scriptFile(packDir: string | null, entrypoint: string): string | null {
  if (!packDir) return null;
  for (const candidate of [path.join(packDir, 'actions', entrypoint), path.join(packDir, entrypoint)]) {
    const resolved = path.resolve(candidate);
    if (resolved.startsWith(path.resolve(packDir) + path.sep) && fs.existsSync(resolved) && fs.statSync(resolved).isFile()) return resolved;
  }
  return null;
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const asText = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

function inlineShell(code: string, params: Record<string, unknown>): string {
  const vars = Object.entries(params)
    .filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
    .map(([k, v]) => `PARAM_${k.toUpperCase()}=${shellQuote(asText(v ?? ''))}\n${k}=${shellQuote(asText(v ?? ''))}\n`)
    .join('');
  return `${vars}${code}\n`;
}

function formatParameters(params: Record<string, unknown>, format: string): string {
  if (format === 'yaml') return YAML.stringify(params);
  if (format === 'dotenv') {
    const lines: string[] = [];
    const walk = (prefix: string, v: unknown) => {
      if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, x);
      else lines.push(`${prefix}=${shellQuote(asText(v ?? ''))}`);
    };
    walk('', params);
    return `${lines.join('\n')}\n`;
  }
  return `${JSON.stringify(params)}\n`;
}

let python: Promise<string> | undefined;

/**
 * The interpreter PATH's `python3` stands for, asked once per process (`sys.executable`). PATH's
 * python3 may be a launcher script (a pyenv shim is a bash script that costs ~0.2 s per start, far
 * more under load), so actions run the real interpreter directly.
 */
export function pythonInterpreter(): Promise<string> {
  python ??= new Promise((resolve) => {
    execFile('python3', ['-c', 'import sys; print(sys.executable)'], { timeout: 30_000 }, (err, stdout) => {
      const exe = String(stdout ?? '').trim();
      resolve(!err && path.isAbsolute(exe) ? exe : 'python3');
    });
  });
  return python;
}

/** `script`: code bash reads from fd 3, so an inline action's code never shows on its command line. */
const INLINE_LOADER = 'IFS= read -r -d "" __attune_code <&3; exec 3<&-; eval "$__attune_code"';
type Command = [exe: string, args: string[], cwd: string, cleanup?: () => Promise<void>, script?: string];

async function command(spec: RunSpec): Promise<Command | string> {
  const file = scriptFile(spec.packDir, spec.entrypoint);
  const cwd = spec.packDir ?? os.tmpdir();
  if (file) {
    if (spec.runtime === 'shell') return ['/bin/bash', [...BASH, file], path.dirname(file)];
    if (spec.runtime === 'container') {
      const c = await containerCommand(spec.packDir!, file, spec.env);
      return typeof c === 'string' ? c : [c.exe, c.args, path.dirname(file), c.cleanup];
    }
    // Per-pack dependencies (deps.ts): the pack's venv interpreter, its node_modules installed.
    const packRef = spec.env.ATTUNE_PACK_REF ?? path.basename(spec.packDir ?? '');
    try {
      if (spec.runtime === 'python') return [await pythonFor(packRef, spec.packDir!, await pythonInterpreter()), [file], path.dirname(file)];
      await nodeModulesFor(spec.packDir!);
    } catch (e) {
      return `Failed to prepare the dependencies of pack '${packRef}': ${(e as Error).message}`;
    }
    return [process.execPath, [file], path.dirname(file)];
  }
  // Inline code with its parameters (and keys) as shell variables: bash reads it from fd 3 (a socket
  // pair, so with the `read` builtin, not by path) and evaluates it; it is never an argument, so no
  // parameter or secret value shows in /proc/<pid>/cmdline (upstream: non-exported shell variables).
  if (spec.runtime === 'shell') return ['/bin/bash', [...BASH, '-c', INLINE_LOADER], cwd, undefined, inlineShell(spec.entrypoint, spec.parameters)];
  return `Action entrypoint '${spec.entrypoint}' not found in the pack directory`;
}

/** Run the action to completion (or timeout/cancel); never rejects. */
export async function run(spec: RunSpec): Promise<RunOutcome> {
  const cmd = await command(spec);
  const started = Date.now();
  const base = { stdout: '', stderr: '', stdoutTruncated: false, stderrTruncated: false, timedOut: false, cancelled: false };
  if (typeof cmd === 'string') return { ...base, exitCode: null, durationMs: 0, error: cmd };
  const [exe, args, cwd, cleanup, script] = cmd;
  return new Promise((resolve) => {
    // Streamed into bounded buffers (output.ts): never more than the configured limit per stream.
    const limits = outputLimits();
    // The execution's log files, written as the output arrives (upstream's BoundedLogFileWriter).
    const id = Number(spec.env.ATTUNE_EXEC_ID);
    const logOf = (stream: 'stdout' | 'stderr') => (Number.isInteger(id) && id > 0 ? logPath(id, stream) : undefined);
    const out = { stdout: new BoundedOutput('stdout', limits, logOf('stdout')), stderr: new BoundedOutput('stderr', limits, logOf('stderr')) };
    let timedOut = false;
    let cancelled = false;
    const child = spawn(exe, args, {
      cwd,
      // SHLVL=1: a bash started over a socket-pair stdin (e.g. a pyenv shim) must not source ~/.bashrc.
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? os.tmpdir(), LANG: 'C.UTF-8', SHLVL: '1', ATTUNE_RUNTIME_ENVS_DIR: runtimeEnvsDir(), ...spec.env },
      stdio: script === undefined ? ['pipe', 'pipe', 'pipe'] : ['pipe', 'pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so timeout/cancel/stop kill the whole tree
    });
    const killTree = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    // Timeout and cancellation as upstream's process_executor.rs (execute_streaming_cancellable /
    // terminate_process / wait_for_terminated_child): SIGTERM to the action's process group at once,
    // SIGKILL if it is still there after the grace period. Any other abort (the emulator stopping)
    // kills at once.
    let graceTimer: NodeJS.Timeout | undefined;
    const terminate = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      graceTimer = setTimeout(killTree, CANCEL_GRACE_MS);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      terminate();
    }, spec.timeoutMs);
    const onAbort = () => {
      cancelled = true;
      if (spec.signal.reason !== CANCEL) return killTree();
      terminate();
    };
    if (spec.signal.aborted) onAbort();
    else spec.signal.addEventListener('abort', onAbort, { once: true });
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => out[stream].write(chunk);
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));
    child.stdin.on('error', () => undefined); // the action may exit without reading stdin
    child.stdin.end(formatParameters(spec.parameters, spec.parameterFormat));
    if (script !== undefined) {
      const code = child.stdio[3] as NodeJS.WritableStream & { on(e: 'error', f: () => void): void };
      code.on('error', () => undefined);
      code.end(script);
    }
    const finish = (exitCode: number | null, error?: string, signal?: string) => {
      out.stdout.close();
      out.stderr.close();
      clearTimeout(timer);
      clearTimeout(graceTimer);
      spec.signal.removeEventListener('abort', onAbort);
      // A container is gone before the run counts as finished (also after a timeout or a cancel).
      void Promise.resolve(cleanup?.()).catch(() => undefined).then(() => resolve({
        exitCode,
        stdout: out.stdout.text(),
        stderr: out.stderr.text(),
        stdoutTruncated: out.stdout.truncated,
        stderrTruncated: out.stderr.truncated,
        stdoutBytesTruncated: out.stdout.bytesTruncated,
        stderrBytesTruncated: out.stderr.bytesTruncated,
        durationMs: Date.now() - started,
        timedOut,
        cancelled,
        error,
        ...(signal ? { signal } : {}),
      }));
    };
    child.on('error', (e) => finish(null, `Failed to start ${exe}: ${e.message}`));
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 9) : null), undefined, signal ?? undefined));
  });
}

/** Parse stdout as the action's declared output_format (json/yaml/jsonl); text yields nothing. */
export function parseOutput(stdout: string, format: string): unknown {
  try {
    if (format === 'json') {
      const trimmed = stdout.trim();
      try {
        return JSON.parse(trimmed);
      } catch {
        return JSON.parse(trimmed.split('\n').pop() ?? '');
      }
    }
    if (format === 'yaml') return YAML.parse(stdout);
    if (format === 'jsonl') return stdout.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  } catch {
    return undefined;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The execution result as upstream's worker records it (crates/worker/src/executor.rs
// handle_execution_success / handle_execution_failure / handle_execution_cancelled): stdout inline
// only when non-empty, stderr never inline but written to `execution_<id>/stderr.log` under the
// artifacts dir and named by `stderr_log` (read back over `GET /executions/{id}/logs/stderr/stream`).

/**
 * `ATTUNE_ARTIFACTS_DIR`: where the worker writes execution logs, and the API reads them. The
 * deployment's (startAttune sets it, so its worker processes write where its API reads), else one of
 * this process, removed at exit.
 */
export const artifactsDir = () => process.env.ATTUNE_ARTIFACTS_DIR || processDir('attune-emulator-artifacts-');

export const logPath = (executionId: number, stream: 'stdout' | 'stderr') => path.join(artifactsDir(), `execution_${executionId}`, `${stream}.log`);

/**
 * The failure message upstream's process runtime puts in `error` (crates/worker/src/runtime/process.rs):
 * "Command exited with code N" when stderr is empty, stderr itself when short, its last line when
 * it has more than 5 lines.
 */
export function failureMessage(exitCode: number | null, stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => l.trim());
  if (!lines.length) return `Command exited with code ${exitCode}`;
  return lines.length > 5 ? lines[lines.length - 1] : lines.join('\n');
}

/**
 * Build the recorded result for one finished run. Its logs were written as the action ran (`run`);
 * a run that never started an action (no such entrypoint, its dependencies failed) gets them here.
 */
export function executionResult(executionId: number, outcome: RunOutcome, data: unknown, error: string | undefined): Record<string, unknown> {
  fs.mkdirSync(path.dirname(logPath(executionId, 'stdout')), { recursive: true });
  for (const stream of ['stdout', 'stderr'] as const) {
    if (!fs.existsSync(logPath(executionId, stream))) fs.writeFileSync(logPath(executionId, stream), outcome[stream]);
  }
  const succeeded = !error;
  const truncated = (stream: 'stdout' | 'stderr', flag: boolean, bytes = 0) => (flag ? { [`${stream}_truncated`]: true, [`${stream}_bytes_truncated`]: bytes } : {});
  return {
    succeeded,
    ...(outcome.cancelled ? { cancelled: true } : {}),
    // A timed-out process has no exit code of its own: upstream records -1 (process_executor.rs).
    exit_code: outcome.timedOut ? -1 : outcome.exitCode,
    duration_ms: outcome.durationMs,
    ...(error ? { error } : {}),
    ...(outcome.stdout && data === undefined ? { stdout: outcome.stdout } : {}),
    ...(outcome.stderr.trim() ? { stderr_log: logPath(executionId, 'stderr') } : {}),
    ...(data !== undefined ? { data } : {}),
    ...truncated('stdout', outcome.stdoutTruncated, outcome.stdoutBytesTruncated),
    ...truncated('stderr', outcome.stderrTruncated, outcome.stderrBytesTruncated),
    ...(outcome.timedOut ? { timed_out: true } : {}),
    ...(outcome.signal ? { signal: outcome.signal } : {}),
  };
}
