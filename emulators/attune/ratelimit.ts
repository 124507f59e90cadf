// Per-user API rate limiting (the plan's T3.29; upstream HEAD has none, only per-trigger webhook
// limits without Retry-After, REPORT §1.7). A limit is configured per identity by the operator, in
// the identity's attributes: {"rate_limit": {"requests": 10, "window_seconds": 1}}. Fixed windows
// per identity; over the limit -> 429 with Retry-After (seconds until the window resets). Admins
// (is_admin, or holding core.admin) are exempt.
import type { NextFunction, Request, Response } from 'express';
import { callerOf } from './auth';
import type { Rbac } from './rbac';

export class RateLimiter {
  private readonly windows = new Map<number, { start: number; count: number }>();
  constructor(private readonly rbac: Rbac) {}

  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const caller = callerOf(req);
      if (caller.isAdmin) return next();
      const limit = limitOf(caller.attributes);
      if (!limit) return next();
      this.rbac.setsOf(caller.id).then((sets) => {
        if (sets.includes('core.admin')) return next();
        const now = Date.now();
        const w = this.windows.get(caller.id);
        const win = w && now - w.start < limit.windowMs ? w : { start: now, count: 0 };
        this.windows.set(caller.id, win);
        win.count += 1;
        if (win.count <= limit.requests) return next();
        const retryAfter = Math.max(1, Math.ceil((win.start + limit.windowMs - now) / 1000));
        res.setHeader('Retry-After', String(retryAfter));
        res.status(429).json({ error: `Rate limit exceeded. Maximum ${limit.requests} requests per ${limit.windowMs / 1000} seconds`, code: 'TOO_MANY_REQUESTS' });
      }, next);
    };
  }

}

/** The identity's configured limit (its attributes' rate_limit), if any. */
function limitOf(attributes: Record<string, any> | null): { requests: number; windowMs: number } | null {
  const rl = attributes?.rate_limit;
  if (!rl || !Number.isInteger(rl.requests) || rl.requests <= 0) return null;
  const seconds = Number.isFinite(rl.window_seconds) && rl.window_seconds > 0 ? rl.window_seconds : 1;
  return { requests: rl.requests, windowMs: seconds * 1000 };
}
