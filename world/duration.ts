/** Durations as people write them in Gherkin: "5 seconds", "500 ms", "1.5 seconds", "2 minutes". */

const UNIT_MS: Record<string, number> = {
  ms: 1, millisecond: 1, milliseconds: 1,
  second: 1000, seconds: 1000,
  minute: 60_000, minutes: 60_000,
};

export const DURATION = /\d+(?:\.\d+)? ?(?:ms|milliseconds?|seconds?|minutes?)/;

/** Parse a duration into milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|milliseconds?|seconds?|minutes?)$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration (write e.g. "5 seconds" or "500 ms")`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2]]);
}
