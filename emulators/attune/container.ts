// The container runner (the plan's T3.17; upstream HEAD has none: REPORT section 7). An action with
// `runner_type: container` runs its script inside a container of a real engine (podman, else
// docker), never pulling from a registry:
//   container:
//     image: localhost/e2e-runner:1     # the image to run
//     image_archive: images/rootfs.tar.gz   # a rootfs in the pack, imported once when the engine lacks the image
//     memory: 64m                       # resource limits (defaults 256m, 1 CPU)
//     cpus: 0.5
// The run: `--rm --pull=never --network none --cap-drop ALL --security-opt no-new-privileges
// --read-only --pids-limit`, memory/cpu limits, the pack's actions/ mounted read-only at
// /attune/actions, parameters on stdin (-i), labelled `attune.execution=<id>`; the container is
// removed when the run ends, also after a timeout or a cancel.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';

export interface ContainerSettings {
  image: string;
  image_archive?: string;
  memory?: string;
  cpus?: number | string;
}

interface Engine {
  cli: string;
  /** Global options (an OCI runtime that works on this host's cgroups). */
  global: string[];
}

function exec(file: string, args: string[], timeout = 120_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(String(stderr || err.message).trim().split('\n').pop()));
      else resolve(String(stdout));
    });
  });
}

const onPath = (cmd: string) => (process.env.PATH ?? '').split(':').some((dir) => dir && fs.existsSync(path.join(dir, cmd)));

let engine: Promise<Engine | string> | undefined;

/** The engine that answers on this host (ATTUNE_CONTAINER_ENGINE, else podman, else docker), or why none does. */
export function containerEngine(): Promise<Engine | string> {
  engine ??= (async () => {
    const candidates = process.env.ATTUNE_CONTAINER_ENGINE ? [process.env.ATTUNE_CONTAINER_ENGINE] : ['podman', 'docker'];
    const why: string[] = [];
    for (const cli of candidates) {
      if (!onPath(cli)) {
        why.push(`${cli}: not installed`);
        continue;
      }
      try {
        await exec(cli, ['info'], 30_000);
        // crun refuses hybrid cgroup v1/v2 hosts; runc runs on either.
        return { cli, global: cli === 'podman' && onPath('runc') ? ['--runtime', 'runc'] : [] };
      } catch (e) {
        why.push(`${cli}: ${(e as Error).message}`);
      }
    }
    return `no container engine answers (${why.join('; ')})`;
  })();
  return engine;
}

/** The `container:` section of the action's YAML in its pack (the pack's own metadata, as the worker has it on disk). */
export function containerSettings(packDir: string, actionRef: string): ContainerSettings | string {
  const dir = path.join(packDir, 'actions');
  for (const file of fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : []) {
    try {
      const doc = YAML.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      if (doc?.ref === actionRef) {
        const c = doc.container as ContainerSettings | undefined;
        if (!c?.image) return `Action '${actionRef}' has runner_type container but no container.image`;
        // Values go to the engine's command line: an image reference, a size, a number; never an option.
        if (!/^[a-z0-9][a-z0-9._/:@-]*$/i.test(String(c.image))) return `Action '${actionRef}': invalid container.image '${c.image}'`;
        if (c.memory !== undefined && !/^\d+[bkmg]?$/i.test(String(c.memory))) return `Action '${actionRef}': invalid container.memory '${c.memory}'`;
        if (c.cpus !== undefined && !(Number(c.cpus) > 0)) return `Action '${actionRef}': invalid container.cpus '${c.cpus}'`;
        return c;
      }
    } catch {
      /* not an action definition */
    }
  }
  return `Action '${actionRef}' has no definition in its pack`;
}

const imports = new Map<string, Promise<void>>();

/** Make sure the engine has the image: never pulled; imported once from the pack's rootfs archive. */
async function ensureImage(e: Engine, settings: ContainerSettings, packDir: string): Promise<void> {
  const inspect = e.cli === 'podman' ? ['image', 'exists', settings.image] : ['image', 'inspect', settings.image];
  try {
    await exec(e.cli, [...e.global, ...inspect]);
    return;
  } catch {
    /* not there yet */
  }
  if (!settings.image_archive) throw new Error(`image ${settings.image} is not in the engine's store and the action names no image_archive (the runner never pulls)`);
  const archive = path.resolve(packDir, settings.image_archive);
  if (!archive.startsWith(path.resolve(packDir) + path.sep) || !fs.existsSync(archive)) throw new Error(`image archive ${settings.image_archive} not found in the pack`);
  let p = imports.get(settings.image);
  if (!p) {
    p = exec(e.cli, [...e.global, 'import', archive, settings.image]).then(() => undefined).finally(() => imports.delete(settings.image));
    imports.set(settings.image, p);
  }
  await p;
}

export const containerName = (executionId: string) => `attune-exec-${executionId}`;

/**
 * The command that runs the action's script in a container, or why it cannot run. `env` is the
 * worker's action environment; only the ATTUNE_* execution context goes into the container.
 */
export async function containerCommand(
  packDir: string,
  file: string,
  env: Record<string, string>,
): Promise<{ exe: string; args: string[]; cleanup: () => Promise<void> } | string> {
  const e = await containerEngine();
  if (typeof e === 'string') return e;
  const settings = containerSettings(packDir, env.ATTUNE_ACTION ?? '');
  if (typeof settings === 'string') return settings;
  try {
    await ensureImage(e, settings, packDir);
  } catch (err) {
    return `Container image ${settings.image}: ${(err as Error).message}`;
  }
  const name = containerName(env.ATTUNE_EXEC_ID ?? String(Date.now()));
  const passed = ['ATTUNE_EXEC_ID', 'ATTUNE_ACTION', 'ATTUNE_PACK_REF'].flatMap((k) => (env[k] ? ['-e', `${k}=${env[k]}`] : []));
  const args = [
    ...e.global, 'run', '--rm', '-i', '--pull=never', '--name', name, '--label', `attune.execution=${env.ATTUNE_EXEC_ID ?? ''}`,
    '--network', 'none', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--read-only',
    '--memory', String(settings.memory ?? '256m'), '--cpus', String(settings.cpus ?? 1), '--pids-limit', '128',
    // Below the host's hard limits, which a container may not raise.
    '--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096',
    '-v', `${path.dirname(file)}:/attune/actions:ro`, '-w', '/attune/actions', ...passed,
    settings.image, '/bin/sh', `/attune/actions/${path.basename(file)}`,
  ];
  const cleanup = async () => {
    await exec(e.cli, [...e.global, 'rm', '-f', '--ignore', name]).catch(() => exec(e.cli, [...e.global, 'rm', '-f', name]).catch(() => undefined));
  };
  return { exe: e.cli, args, cleanup };
}
