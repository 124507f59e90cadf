/**
 * A buffer of captured messages (STOMP frames, notifier messages) that can be waited on:
 * `waitFor` resolves the moment a matching message is (or already was) captured and otherwise fails
 * with what was seen.
 */
import { describe } from '../wait';

interface Waiter<T> {
  predicate: (m: T) => boolean;
  resolve: (m: T) => void;
}

export class CaptureBuffer<T> {
  private readonly items: T[] = [];
  private readonly waiters = new Set<Waiter<T>>();

  push(item: T): void {
    this.items.push(item);
    for (const w of [...this.waiters]) {
      if (w.predicate(item)) {
        this.waiters.delete(w);
        w.resolve(item);
      }
    }
  }

  all(): T[] {
    return [...this.items];
  }

  filter(predicate: (m: T) => boolean): T[] {
    return this.items.filter(predicate);
  }

  clear(): void {
    this.items.length = 0;
  }

  waitFor(predicate: (m: T) => boolean, opts: { within: number; what?: string }): Promise<T> {
    const seen = this.items.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        predicate,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const recent = this.items.slice(-5).map(describe).join('\n  ');
        reject(
          new Error(
            `${opts.what ?? 'a matching message'} was not captured within ${opts.within} ms; ` +
              `${this.items.length} captured${recent ? `, the last:\n  ${recent}` : ''}`,
          ),
        );
      }, opts.within);
      this.waiters.add(waiter);
    });
  }
}
