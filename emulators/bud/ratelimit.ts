import { DetailError } from './errors';

/**
 * budapp's `@rate_limit` (Redis fixed windows `rate_limit:*`). Each rule counts per key:
 * register, login and refresh per client IP (commons/rate_limiter.py `_get_identifier`: first X-Forwarded-For hop,
 * else the socket; refresh asks for `use_user_id` but the route has no `current_user`, so it falls back to the IP),
 * reset-password per email.
 * Overrides can target one key value so a scenario can lower a limit without touching others.
 */
export const RULES = ['register', 'login', 'refresh', 'reset_password'] as const;
export type Rule = (typeof RULES)[number];
export interface Limit { limit: number; window_seconds: number }

export const KEYED_BY: Record<Rule, string> = {
  register: 'client_ip',
  login: 'client_ip',
  refresh: 'client_ip',
  reset_password: 'email',
};

/** High enough that a whole suite (per worker) never trips them; upstream defaults in the README. */
export const DEFAULT_LIMITS: Record<Rule, Limit> = {
  register: { limit: 1000, window_seconds: 600 },
  login: { limit: 1000, window_seconds: 60 },
  refresh: { limit: 1000, window_seconds: 60 },
  reset_password: { limit: 1000, window_seconds: 3600 },
};

export class RateLimiter {
  private readonly startup: Record<Rule, Limit>;
  private limits: Record<Rule, Limit>;
  private overrides = new Map<string, Limit>();
  private windows = new Map<string, { start: number; count: number }>();

  constructor(initial: Partial<Record<Rule, Limit>> = {}) {
    this.startup = { ...DEFAULT_LIMITS, ...initial };
    this.limits = { ...this.startup };
  }

  private limitFor(rule: Rule, key: string): Limit {
    return this.overrides.get(`${rule}|${key}`) ?? this.limits[rule];
  }

  /** Count one attempt; 429 `{detail}` with Retry-After when over the limit. */
  hit(rule: Rule, key: string): void {
    const { limit, window_seconds } = this.limitFor(rule, key);
    const id = `${rule}|${key}`;
    const t = Date.now();
    let w = this.windows.get(id);
    if (!w || t - w.start >= window_seconds * 1000) {
      w = { start: t, count: 0 };
      this.windows.set(id, w);
    }
    w.count += 1;
    if (w.count > limit) {
      const retry = Math.max(1, Math.ceil((w.start + window_seconds * 1000 - t) / 1000));
      throw new DetailError(429, `Rate limit exceeded. Please try again in ${retry} seconds.`, { 'Retry-After': String(retry) });
    }
  }

  /** Set a rule's limit for everyone (key undefined) or for one key value; restarts the affected windows. */
  set(rule: Rule, limit: Limit, key?: string): void {
    if (key === undefined) this.limits[rule] = limit;
    else this.overrides.set(`${rule}|${key}`, limit);
    this.forget(rule, key);
  }

  /** Drop a key override, or (no key) restore the rule's startup limit. */
  reset(rule: Rule, key?: string): void {
    if (key === undefined) this.limits[rule] = { ...this.startup[rule] };
    else this.overrides.delete(`${rule}|${key}`);
    this.forget(rule, key);
  }

  private forget(rule: Rule, key?: string): void {
    for (const id of this.windows.keys()) {
      if (key === undefined ? id.startsWith(`${rule}|`) : id === `${rule}|${key}`) this.windows.delete(id);
    }
  }

  describe() {
    return {
      rules: RULES.map((rule) => ({ rule, keyed_by: KEYED_BY[rule], ...this.limits[rule] })),
      overrides: [...this.overrides].map(([id, l]) => {
        const i = id.indexOf('|');
        return { rule: id.slice(0, i), key: id.slice(i + 1), ...l };
      }),
    };
  }
}
