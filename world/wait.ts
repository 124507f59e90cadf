/**
 * Waiting without sleeping blindly: `eventually` polls a probe and returns the moment it holds;
 * `holdsFor` proves that a condition stays true for a whole window (the one legitimate pause).
 */

export interface WaitOptions {
  /** Give up after this many milliseconds. */
  within: number;
  /**
   * Pause between probes. Default: 50 ms, growing by a quarter after each probe up to 250 ms, so a
   * quick condition is seen at once and a long wait does not flood a shared target with polls.
   */
  every?: number;
  /** What is being waited for, for the failure message. */
  what?: string;
}

export class WaitTimeout extends Error {}

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function describe(value: unknown): string {
  if (value instanceof Error) return value.message;
  if (typeof value === 'string') return value;
  try {
    const s = JSON.stringify(value);
    return s === undefined ? String(value) : s.length > 600 ? `${s.slice(0, 600)}...` : s;
  } catch {
    return String(value);
  }
}

/**
 * Call `probe` until `accept(result)` is true and return that result. A probe that throws counts as
 * "not yet"; the last result or error is reported when time runs out.
 */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  accept: (value: T) => boolean,
  opts: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + opts.within;
  let every = opts.every ?? 50;
  let last: unknown = '(nothing yet)';
  for (;;) {
    try {
      const value = await probe();
      if (accept(value)) return value;
      last = value;
    } catch (e) {
      last = e;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new WaitTimeout(`${opts.what ?? 'condition'} did not hold within ${opts.within} ms; last seen: ${describe(last)}`);
    }
    await pause(Math.min(every, left));
    if (opts.every === undefined) every = Math.min(250, Math.round(every * 1.25));
  }
}

/**
 * Check `probe` repeatedly for `windowMs` and fail as soon as `ok(result)` is false.
 * Used to prove that something does NOT happen (no second execution, no extra event).
 */
export async function holdsFor<T>(
  probe: () => Promise<T> | T,
  ok: (value: T) => boolean,
  windowMs: number,
  opts: { every?: number; what?: string } = {},
): Promise<T> {
  const end = Date.now() + windowMs;
  const every = opts.every ?? 250;
  for (;;) {
    const value = await probe();
    if (!ok(value)) throw new Error(`${opts.what ?? 'condition'} stopped holding: ${describe(value)}`);
    const left = end - Date.now();
    if (left <= 0) return value;
    await pause(Math.min(every, left));
  }
}
