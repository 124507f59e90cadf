// The timer sensor's alarm clock, on its own thread (upstream's sensor is its own service too).
// The emulator's main thread also runs PGlite (synchronous WebAssembly), spawns the worker's child
// processes and collects garbage; a clock sharing that thread fires late whenever it is busy. This
// thread only sleeps until an alarm is due, so it wakes on time and reports the moment it did.
import { Worker } from 'node:worker_threads';

const THREAD = `
const { parentPort } = require('node:worker_threads');
const timers = new Map();
parentPort.on('message', (m) => {
  clearTimeout(timers.get(m.id));
  timers.delete(m.id);
  if (m.at === undefined) return;
  const wait = () => {
    const left = m.at - Date.now();
    if (left > 0) return void timers.set(m.id, setTimeout(wait, Math.min(left, 2 ** 31 - 1)));
    timers.delete(m.id);
    parentPort.postMessage({ id: m.id, firedAt: Date.now() });
  };
  wait();
});`;

export class AlarmClock {
  private thread: Worker | null = null;
  private readonly alarms = new Map<number, (firedAt: number) => void>();
  private ids = 0;

  /** Call `ring(firedAt)` once the wall clock reaches `at` (ms since epoch); returns the cancel. */
  set(at: number, ring: (firedAt: number) => void): () => void {
    const id = ++this.ids;
    this.alarms.set(id, ring);
    this.start().postMessage({ id, at });
    return () => {
      if (this.alarms.delete(id)) this.thread?.postMessage({ id });
    };
  }

  async stop(): Promise<void> {
    this.alarms.clear();
    const thread = this.thread;
    this.thread = null;
    await thread?.terminate();
  }

  /** The thread starts with the first alarm (emulator startup does not pay for it). */
  private start(): Worker {
    if (this.thread) return this.thread;
    const thread = new Worker(THREAD, { eval: true, execArgv: [] }); // plain JS: no ts-node in the thread
    thread.on('message', (m: { id: number; firedAt: number }) => {
      const ring = this.alarms.get(m.id);
      this.alarms.delete(m.id);
      ring?.(m.firedAt);
    });
    thread.on('error', () => undefined);
    // Idle (no alarm pending), the thread must not keep the process alive.
    thread.unref();
    return (this.thread = thread);
  }
}
