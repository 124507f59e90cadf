// Identities, passwords and JWTs (HS256 via jose), shaped as upstream's
// crates/common/src/auth/jwt.rs and crates/api/src/routes/auth.rs.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { jwtVerify, SignJWT } from 'jose';
import type { Database, Row } from './db';
import { AuthError } from './http';

export type TokenType = 'access' | 'refresh' | 'execution' | 'sensor';
const LIFETIME: Record<TokenType, number> = { access: 3600, refresh: 604800, execution: 300, sensor: 86400 };

/** Who is calling: the identity behind a verified token. `tenant` scopes every resource. */
export interface Caller {
  id: number;
  login: string;
  tenant: string;
  isAdmin: boolean;
  tokenType: TokenType;
  executionId?: number;
  expiresAt: number; // ms since epoch
  /** The identity's attributes, read with it on this request (the rate limit is among them). */
  attributes: Record<string, any> | null;
}

/**
 * scrypt on the libuv thread pool: a login never stalls the event loop (and so the timers). The cost
 * (N = 2^10, ~2 ms) is a throwaway deployment's, not a production one's (Node's default 2^14 costs
 * ~50 ms of CPU per login, which on a shared 2-core machine the suite's hundreds of logins feel).
 */
const SCRYPT = { N: 1024, r: 8, p: 1 };
const derive = (password: string, salt: Buffer) =>
  new Promise<Buffer>((resolve, reject) => scrypt(password, salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))));

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  return `scrypt$${salt.toString('hex')}$${(await derive(password, salt)).toString('hex')}`;
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const [scheme, salt, hash] = (stored ?? '').split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  return timingSafeEqual(await derive(password, Buffer.from(salt, 'hex')), Buffer.from(hash, 'hex'));
}

export class Tokens {
  private readonly key = randomBytes(32);
  /** Tokens whose signature checked out, with their claims: the HMAC is checked once per token. */
  private readonly verified = new Map<string, Record<string, any>>();
  constructor(private readonly db: Database) {}

  private async claims(token: string): Promise<Record<string, any>> {
    const known = this.verified.get(token);
    if (known && Number(known.exp) * 1000 > Date.now()) return known;
    const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'] }); // throws when expired
    if (this.verified.size >= 10_000) this.verified.clear();
    this.verified.set(token, payload);
    return payload;
  }

  async issue(identity: Row, type: TokenType, metadata?: Record<string, unknown>): Promise<string> {
    const jwt = new SignJWT({ login: identity.login, token_type: type, ...(metadata ? { scope: type, metadata } : {}) })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(String(identity.id))
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + LIFETIME[type]);
    return jwt.sign(this.key);
  }

  /** TokenResponse as upstream returns it from login/register (refresh omits `user`). */
  async tokenResponse(identity: Row, withUser = true) {
    return {
      access_token: await this.issue(identity, 'access'),
      refresh_token: await this.issue(identity, 'refresh'),
      token_type: 'Bearer',
      expires_in: LIFETIME.access,
      ...(withUser ? { user: { id: Number(identity.id), login: identity.login, display_name: identity.display_name } } : {}),
    };
  }

  /** Verify a token and load its identity; throws AuthError with upstream's messages. */
  async verify(token: string, allowed: TokenType[]): Promise<Caller> {
    let payload: Record<string, any>;
    try {
      payload = await this.claims(token);
    } catch (e: any) {
      throw new AuthError(e?.code === 'ERR_JWT_EXPIRED' ? 'Authentication token expired' : 'Invalid authentication token');
    }
    if (!allowed.includes(payload.token_type)) throw new AuthError('Invalid authentication token');
    const identity = /^\d+$/.test(String(payload.sub))
      ? await this.db.one('SELECT * FROM identity WHERE id = $1', [Number(payload.sub)])
      : undefined;
    if (!identity || identity.frozen) throw new AuthError('Invalid authentication token');
    return {
      id: Number(identity.id),
      login: identity.login,
      tenant: identity.tenant,
      isAdmin: identity.is_admin,
      tokenType: payload.token_type,
      executionId: payload.metadata?.execution_id,
      expiresAt: Number(payload.exp) * 1000,
      attributes: identity.attributes ?? null,
    };
  }

  /** Express middleware: requires `Authorization: Bearer <access|execution token>`. */
  middleware() {
    return (req: Request, _res: Response, next: NextFunction) => {
      const header = req.headers.authorization ?? '';
      const m = /^Bearer\s+(\S+)$/i.exec(header);
      if (!m) return next(new AuthError('Missing authentication token'));
      this.verify(m[1], ['access', 'execution', 'sensor']).then(
        (caller) => {
          res(req).caller = caller;
          next();
        },
        next,
      );
    };
  }
}

const res = (req: Request) => req as Request & { caller: Caller };
export const callerOf = (req: Request): Caller => res(req).caller;
