// `target: embedded` means one out-of-process emulator deployment per run, shared by every worker:
// a real cucumber-js run with three workers is watched from outside through /proc.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';

const root = join(__dirname, '..', '..');

function childrenOf(pid: number): { pid: number; cmd: string; config?: string }[] {
  const out: { pid: number; cmd: string; config?: string }[] = [];
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) continue;
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const config = readFileSync(`/proc/${d}/environ`, 'utf8').split('\0').find((e) => e.startsWith('E2E_CONFIG='))?.slice(11);
      out.push({ pid: Number(d), cmd, config });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

it('a run with three workers starts exactly one emulator deployment, every worker uses it, and none outlives the run', { skip: !existsSync('/proc/self/stat') && 'needs /proc' }, async () => {
  const run = spawn(process.execPath, [join(root, 'node_modules/@cucumber/cucumber/bin/cucumber.js'), '--tags', '@bud-login and @p0', '--parallel', '3', '--format', 'summary'], {
    cwd: root, env: { ...process.env, E2E_CONFIG: '', E2E_PARALLEL: '' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  run.stderr.on('data', (d) => (stderr += d));
  // A child is classified by the last command line seen for it: between fork and exec a child still
  // shows its parent's command line, so the deployment can look like a node worker for a moment.
  const seen = new Map<number, { cmd: string; config?: string }>();
  const done = new Promise<number | null>((resolve) => run.on('exit', resolve));
  let exited = false;
  void done.then(() => (exited = true));
  while (!exited) {
    for (const c of childrenOf(run.pid!)) seen.set(c.pid, c);
    await new Promise((r) => setTimeout(r, 100));
  }
  const deployments = new Set([...seen].filter(([, c]) => c.cmd.includes('scripts/emulators.ts')).map(([pid]) => pid));
  const workerConfigs = new Map([...seen].filter(([pid, c]) => !deployments.has(pid) && c.cmd.includes('node')).map(([pid, c]) => [pid, c.config]));
  assert.equal(await done, 0, stderr);
  assert.equal(deployments.size, 1, `emulator deployments seen: ${[...deployments].join(', ')}`);
  assert.equal(workerConfigs.size, 3, `workers seen: ${[...workerConfigs.keys()].join(', ')}`);
  const configs = new Set(workerConfigs.values());
  assert.equal(configs.size, 1, `workers saw different targets: ${[...configs].join(', ')}`);
  assert.match([...configs][0] ?? '', /e2e-deployment-.*config\.yaml$/, 'workers read the deployment\'s remote config');
  assert.match(stderr, /emulator deployment answering after \d+ ms \(pid \d+, one for every worker\)/);
  const [pid] = deployments;
  assert.ok(!existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '), 'the deployment is gone after the run');
});
