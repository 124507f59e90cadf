/**
 * Created-entity registry: every step that creates something registers how to undo it at the moment
 * of creation. After each scenario the hook undoes everything, newest first, pass or fail, and
 * reports what it could not undo.
 */

export interface Undo {
  description: string;
  undo: () => Promise<unknown> | unknown;
}

export interface UndoFailure {
  description: string;
  error: string;
}

export class Registry {
  private readonly entries: Undo[] = [];

  /** Register `undo` for an entity the scenario just created; returns `value` for chaining. */
  track<T>(description: string, undo: () => Promise<unknown> | unknown, value?: T): T | undefined {
    this.entries.push({ description, undo });
    return value;
  }

  get size(): number {
    return this.entries.length;
  }

  descriptions(): string[] {
    return this.entries.map((e) => e.description);
  }

  /** Undo everything, newest first. Never throws: failures are returned. */
  async undoAll(): Promise<UndoFailure[]> {
    const failures: UndoFailure[] = [];
    while (this.entries.length) {
      const entry = this.entries.pop()!;
      try {
        await entry.undo();
      } catch (e) {
        failures.push({ description: entry.description, error: e instanceof Error ? e.message : String(e) });
      }
    }
    return failures;
  }
}
