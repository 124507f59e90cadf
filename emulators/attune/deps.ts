// Per-pack dependency environments, as upstream's worker keeps them
// (crates/worker/src/runtime/python_venv.rs PythonVenvManager, dependency.rs):
// - Python: a pack with `requirements.txt` gets its own virtualenv at `<runtime envs>/venvs/<pack>/`,
//   built on first use with `python3 -m venv` and pip, recorded in `attune_metadata.json`
//   (dependency_hash of the requirements), reused while the hash is unchanged, rebuilt when it changes.
// - Node.js: a pack with `package.json` gets `node_modules/` in its own directory (`npm install`).
// The embedded worker never reaches a package index: pip runs with `--no-index` (the pack's
// requirements name their local `--find-links` folder, resolved relative to the file) and npm runs
// `--offline` against an unreachable registry, so only local wheels / tarballs install.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const BUILD_TIMEOUT_MS = 180_000;

const processDirs = new Map<string, string>();

/** A temporary directory of this process, made on first use and removed when the process exits. */
export function processDir(prefix: string): string {
  let dir = processDirs.get(prefix);
  if (!dir) {
    const made = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    processDirs.set(prefix, (dir = made));
    process.once('exit', () => fs.rmSync(made, { recursive: true, force: true }));
  }
  return dir;
}

/**
 * `ATTUNE_RUNTIME_ENVS_DIR`: where the worker keeps pack environments. The deployment's (startAttune
 * sets it, so a restarted worker process finds the venvs it built), else one of this process.
 */
export const runtimeEnvsDir = () => process.env.ATTUNE_RUNTIME_ENVS_DIR || processDir('attune-emulator-runtime-envs-');

/** The venv directory of a pack (upstream's get_venv_path: '/', '\\' and '.' become '_'). */
export function venvPath(packRef: string): string {
  return path.join(runtimeEnvsDir(), 'venvs', packRef.replace(/[/\\.]/g, '_'));
}

interface Built {
  stdout: string;
  stderr: string;
}

function exec(file: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Built> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, env, timeout: BUILD_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(new Error(String(stderr || err.message).trim()), { stderr: String(stderr ?? '') }));
      else resolve({ stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

// One build at a time per environment: concurrent first executions wait for the same build.
const building = new Map<string, Promise<void>>();

function once(key: string, build: () => Promise<void>): Promise<void> {
  const running = building.get(key);
  if (running) return running;
  const p = build().finally(() => building.delete(key));
  building.set(key, p);
  return p;
}

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The interpreter for a Python action of `packRef`: the pack's venv python when the pack has a
 * requirements.txt (built or rebuilt first when needed), else `fallback`. Throws with pip's own
 * message when the environment cannot be built.
 */
export async function pythonFor(packRef: string, packDir: string, fallback: string): Promise<string> {
  const requirements = path.join(packDir, 'requirements.txt');
  if (!fs.existsSync(requirements)) return fallback;
  const venv = venvPath(packRef);
  const python = path.join(venv, 'bin', 'python');
  const hash = sha256(fs.readFileSync(requirements, 'utf8'));
  const current = () => readJson(path.join(venv, 'attune_metadata.json'))?.dependency_hash === hash && fs.existsSync(python);
  if (current()) return python;
  await once(venv, async () => {
    if (current()) return;
    fs.rmSync(venv, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(venv), { recursive: true });
    // The venv itself without pip (seconds faster); the host's pip installs into it (`--python`),
    // else the venv gets its own pip from ensurepip.
    await exec(fallback, ['-m', 'venv', '--without-pip', venv], packDir);
    const pipArgs = ['install', '--no-index', '--disable-pip-version-check', '--no-input', '-r', requirements];
    const env = { ...process.env, PIP_NO_INDEX: '1', PIP_CONFIG_FILE: os.devNull };
    try {
      await exec(fallback, ['-m', 'pip', '--python', python, ...pipArgs], packDir, env);
    } catch (e) {
      if (!/No module named pip|no such option: --python/.test((e as Error).message)) throw e;
      await exec(python, ['-m', 'ensurepip', '--default-pip'], packDir, env);
      await exec(python, ['-m', 'pip', ...pipArgs], packDir, env);
    }
    const version = (await exec(python, ['--version'], packDir)).stdout.trim();
    const now = new Date().toISOString();
    fs.writeFileSync(path.join(venv, 'attune_metadata.json'), JSON.stringify({
      pack_ref: packRef, dependency_hash: hash, python_version: version, created_at: now, updated_at: now,
    }, null, 2));
  });
  return python;
}

/**
 * Install a Node.js pack's package.json dependencies into its own `node_modules/` when missing or
 * when package.json changed since the last install. Throws with npm's own message on failure.
 */
export async function nodeModulesFor(packDir: string): Promise<void> {
  const manifest = path.join(packDir, 'package.json');
  if (!fs.existsSync(manifest)) return;
  const stamp = path.join(packDir, 'node_modules', '.attune_metadata.json');
  const hash = sha256(fs.readFileSync(manifest, 'utf8'));
  const current = () => readJson(stamp)?.dependency_hash === hash;
  if (current()) return;
  await once(packDir, async () => {
    if (current()) return;
    const npm = path.join(path.dirname(process.execPath), 'npm');
    const env = {
      ...process.env,
      npm_config_registry: 'http://127.0.0.1:9/', // nothing listens there: no registry, ever
      npm_config_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      npm_config_package_lock: 'false',
      npm_config_cache: path.join(runtimeEnvsDir(), 'npm-cache'),
    };
    await exec(fs.existsSync(npm) ? npm : 'npm', ['install', '--ignore-scripts', '--no-save'], packDir, env);
    fs.writeFileSync(stamp, JSON.stringify({ dependency_hash: hash, installed_at: new Date().toISOString() }));
  });
}
