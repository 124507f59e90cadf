/**
 * The container engine on the worker's host, seen as its operator sees it (`podman ps`, `podman
 * image inspect`): for an embedded target that host is this machine. Answers facts, never asserts.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 60_000 }, (err, stdout, stderr) => (err ? reject(new Error(String(stderr || err.message).trim())) : resolve(String(stdout))));
  });
}

const onPath = (cmd: string) => (process.env.PATH ?? '').split(':').some((dir) => dir && fs.existsSync(path.join(dir, cmd)));

export class ContainerHost {
  private constructor(readonly cli: string, private readonly global: string[]) {}

  /** The engine that answers here (podman, else docker), or the reason none does. */
  static async find(): Promise<ContainerHost | string> {
    const why: string[] = [];
    for (const cli of ['podman', 'docker']) {
      if (!onPath(cli)) {
        why.push(`${cli} is not installed`);
        continue;
      }
      try {
        await run(cli, ['info']);
        return new ContainerHost(cli, cli === 'podman' && onPath('runc') ? ['--runtime', 'runc'] : []);
      } catch (e) {
        why.push(`${cli} does not answer (${(e as Error).message.split('\n').pop()})`);
      }
    }
    return why.join('; ');
  }

  /** The image's id, or null when the engine does not have it. */
  async imageId(image: string): Promise<string | null> {
    try {
      return (await run(this.cli, [...this.global, 'image', 'inspect', '--format', '{{.Id}}', image])).trim() || null;
    } catch {
      return null;
    }
  }

  async removeImage(image: string): Promise<void> {
    if (await this.imageId(image)) await run(this.cli, [...this.global, 'rmi', '-f', image]);
  }

  /** Names of the containers (running or not) that carry `label=value`. */
  async containersLabelled(label: string, value: string): Promise<string[]> {
    const out = await run(this.cli, [...this.global, 'ps', '-a', '--filter', `label=${label}=${value}`, '--format', '{{.Names}}']);
    return out.split('\n').map((l) => l.trim()).filter(Boolean);
  }
}
