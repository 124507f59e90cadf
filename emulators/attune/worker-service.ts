// The worker service as its own OS process (upstream's attune-worker): started by workers.ts with
// an IPC channel, it runs each action it is handed as a child process (worker.ts `run`), reports
// the outcome, and sends a heartbeat every second (upstream: crates/worker/src/heartbeat.rs). On
// SIGTERM it drains, as upstream's worker service shuts down: it refuses new work, lets the
// executions in flight finish and report, then exits 0. SIGKILL ends it at once; the executor then
// sees its heartbeats stop.
import { pythonInterpreter, run, RunOutcome, RunSpec } from './worker';

type FromExecutor =
  | { type: 'run'; id: number; spec: Omit<RunSpec, 'signal'> }
  | { type: 'cancel'; id: number; reason?: string };

export type FromWorker =
  | { type: 'ready'; pid: number }
  | { type: 'heartbeat'; at: number; running: number[]; draining: boolean }
  | { type: 'done'; id: number; outcome: RunOutcome }
  | { type: 'refused'; id: number }
  | { type: 'draining' };

export const HEARTBEAT_MS = 1000;

const running = new Map<number, AbortController>();
let draining = false;

const send = (m: FromWorker) =>
  new Promise<void>((resolve) => (process.send && process.connected ? process.send(m, undefined, {}, () => resolve()) : resolve()));
const beat = () => void send({ type: 'heartbeat', at: Date.now(), running: [...running.keys()], draining });
const heartbeat = setInterval(beat, HEARTBEAT_MS);

async function exitWhenIdle(): Promise<void> {
  if (!draining || running.size) return;
  clearInterval(heartbeat);
  process.exit(0);
}

process.on('message', (m: FromExecutor) => {
  if (m.type === 'cancel') return void running.get(m.id)?.abort(m.reason);
  if (m.type !== 'run') return;
  if (draining) return void send({ type: 'refused', id: m.id });
  const controller = new AbortController();
  running.set(m.id, controller);
  void run({ ...m.spec, signal: controller.signal }).then(async (outcome) => {
    await send({ type: 'done', id: m.id, outcome });
    running.delete(m.id);
    await exitWhenIdle();
  });
});

process.on('SIGTERM', () => {
  draining = true;
  void send({ type: 'draining' }).then(exitWhenIdle);
});

// The executor went away (the emulator stopped): stop what runs and leave.
process.on('disconnect', () => {
  for (const c of running.values()) c.abort();
  setTimeout(() => process.exit(0), 200).unref();
});

// Ask for the python interpreter once at startup, not on the first python action.
void pythonInterpreter().then(() => send({ type: 'ready', pid: process.pid })).then(beat);
