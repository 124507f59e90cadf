/**
 * AcceptanceWorld: one per scenario. Holds the config and targets, lazily built wire clients and
 * captures, the created-entity registry, scenario memory (remember/recall) and unique names.
 */
import { IWorldOptions, World, setWorldConstructor } from '@cucumber/cucumber';
import { HttpLog } from './clients/http';
import { AttuneClient } from './clients/attune';
import { WaldurClient } from './clients/waldur';
import { BudClient } from './clients/bud';
import { Registry } from './registry';
import { AttuneTarget, BudTarget, Targets, WaldurTarget } from './targets';

export interface SuiteParameters {
  /** Filled by support/hooks.ts before each scenario with the targets its system tags need. */
  targets?: Targets;
}

interface Closable {
  close(): Promise<void> | void;
}

let counter = 0;

/** The run id shared by all workers of one run (set in cucumber.js), so a sweep can find leftovers. */
export const RUN_ID = process.env.E2E_RUN_ID ?? Date.now().toString(36);

export class AcceptanceWorld extends World<SuiteParameters> {
  readonly registry = new Registry();
  readonly httpLog = new HttpLog();
  targets: Targets = {};
  private readonly memory = new Map<string, unknown>();
  private readonly built = new Map<string, unknown>();

  constructor(options: IWorldOptions<SuiteParameters>) {
    super(options);
  }

  /** A name unique to this run, worker and scenario step: e2e-<run>-<worker>-<n>. */
  uniqueName(prefix = 'e2e'): string {
    counter += 1;
    return `${prefix}-${RUN_ID}-w${process.env.CUCUMBER_WORKER_ID ?? '0'}-${counter}`;
  }

  remember<T>(key: string, value: T): T {
    this.memory.set(key, value);
    return value;
  }

  recall<T>(key: string): T {
    if (!this.memory.has(key)) {
      throw new Error(`nothing remembered as "${key}" in this scenario (known: ${[...this.memory.keys()].join(', ') || 'none'})`);
    }
    return this.memory.get(key) as T;
  }

  recalled(key: string): boolean {
    return this.memory.has(key);
  }

  target<K extends keyof Targets>(system: K): NonNullable<Targets[K]> {
    const t = this.targets[system];
    if (!t) throw new Error(`${system} is not a target of this scenario; tag the feature @${system}`);
    return t as NonNullable<Targets[K]>;
  }

  /** Build a client or capture once per scenario; closed by the After hook if it has close(). */
  lazy<T>(key: string, build: () => T): T {
    if (!this.built.has(key)) this.built.set(key, build());
    return this.built.get(key) as T;
  }

  get attune(): AttuneClient {
    return this.lazy('attune', () => new AttuneClient(this.target('attune') as AttuneTarget, this.httpLog));
  }

  get waldur(): WaldurClient {
    return this.lazy('waldur', () => new WaldurClient(this.target('waldur') as WaldurTarget, this.httpLog));
  }

  get bud(): BudClient {
    return this.lazy('bud', () => new BudClient(this.target('bud') as BudTarget, this.httpLog));
  }

  /** Captured traffic other than HTTP (notifications, STOMP frames), rendered for a failure report. */
  capturedText(): string {
    const parts: string[] = [];
    for (const [key, value] of this.built) {
      const render = (value as { render?: () => string }).render;
      if (typeof render === 'function') {
        const text = render.call(value);
        if (text) parts.push(`--- ${key} ---\n${text}`);
      }
    }
    return parts.join('\n');
  }

  /** Close every client and capture this scenario built (sockets, STOMP connections). */
  async dispose(): Promise<void> {
    const closables = [...this.built.values()].reverse();
    this.built.clear();
    await Promise.allSettled(
      closables.map((c) => (typeof (c as Closable).close === 'function' ? (c as Closable).close() : undefined)),
    );
  }
}

setWorldConstructor(AcceptanceWorld);
