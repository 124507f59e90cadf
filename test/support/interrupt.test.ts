// Ctrl-C in the middle of a run (support/interrupt.ts, cucumber.js): a real cucumber-js run with two
// workers gets SIGINT in its process group while both scenarios are mid-step.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';

const root = join(__dirname, '..', '..');

it('an interrupted run prints one line per worker of what it undid, exits 130 with no stack trace, and keeps the previous reports', { timeout: 150_000 }, async () => {
  const runId = `int${Date.now().toString(36)}`;
  const tmp = mkdtempSync(join(tmpdir(), 'e2e-interrupt-'));
  const events = join(tmp, 'events.ndjson'); // cucumber's messages as they happen, to see the run's progress
  // Both scenarios wait for several timer ticks (10 s and more): once each has finished its Before
  // hook and its Background step (the pack it registers), both workers are mid-scenario.
  const run = spawn(process.execPath, [join(root, 'node_modules/@cucumber/cucumber/bin/cucumber.js'), 'features/attune/tier1/T1.1-interval-timer.feature', '--parallel', '2', '--format', `message:${events}`], {
    cwd: root, env: { ...process.env, E2E_CONFIG: '', E2E_PARALLEL: '', E2E_RUN_ID: runId }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  let stdout = '';
  let stderr = '';
  run.stderr.on('data', (d) => (stderr += d));
  const done = new Promise<number | null>((resolve) => run.on('close', resolve)); // 'close': its workers' output read too
  run.stdout.on('data', (d) => (stdout += d));
  let exited = false;
  void done.then(() => (exited = true));
  const midScenario = () => {
    const lines = existsSync(events) ? readFileSync(events, 'utf8').split('\n').slice(0, -1).map((l) => JSON.parse(l)) : [];
    const started = lines.filter((e) => e.testCaseStarted).map((e) => e.testCaseStarted.id);
    const finished = (id: string) => lines.filter((e) => e.testStepFinished?.testCaseStartedId === id).length;
    return started.length === 2 && started.every((id) => finished(id) >= 2);
  };
  while (!exited && !midScenario()) await new Promise((r) => setTimeout(r, 200));
  assert.ok(!exited, `the run ended before both scenarios were under way:\n${stdout}\n${stderr}`);
  process.kill(-run.pid!, 'SIGINT'); // as a Ctrl-C does: the coordinator and its workers
  const code = await done;
  const output = `${stdout}\n${stderr}`;
  rmSync(tmp, { recursive: true, force: true });

  assert.equal(code, 130, output);
  assert.doesNotMatch(output, /TypeError|Error:/, 'no error in the output');
  assert.doesNotMatch(output, /^\s+at /m, 'no stack trace in the output');
  const workerLines = stderr.split('\n').filter((l) => /^e2e: worker \d+ /.test(l));
  assert.deepEqual(workerLines.map((l) => l.split(' ')[2]).sort(), ['0', '1'], `one line per worker:\n${stderr}`);
  for (const line of workerLines) assert.match(line, /undid [1-9]/, `each worker undid what its scenario created:\n${stderr}`);
  assert.deepEqual(stderr.split('\n').filter((l) => l && !l.startsWith('e2e: ')), [], 'nothing but the e2e lines on stderr');
  assert.equal(stdout.trim(), '', 'no report of the unfinished scenarios on stdout');
  assert.ok(!existsSync(join(root, 'reports', `.staged-${runId}`)), 'the staged reports are dropped');
  const meta = join(root, 'reports', 'cucumber.run.json');
  if (existsSync(meta)) assert.notEqual(JSON.parse(readFileSync(meta, 'utf8')).run_id, runId, 'the previous run\'s reports stay in place');
});
