import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { DetailError, unauthorized } from './errors';
import type { BudState, User } from './state';

/** Keycloak-like token service: HS256 JWTs minted with jose, sessions ended by logout. */

const ISSUER = 'bud-emulator/realms/bud';

export function hashPassword(password: string): string {
  const salt = randomBytes(16).toString('hex');
  return `${salt}$${createHash('sha256').update(salt + password).digest('hex')}`;
}

export function checkPassword(password: string, stored: string): boolean {
  const [salt, digest] = stored.split('$');
  const got = createHash('sha256').update(salt + password).digest();
  return timingSafeEqual(got, Buffer.from(digest, 'hex'));
}

export class Tokens {
  private readonly key = new Uint8Array(randomBytes(32));

  constructor(private readonly state: BudState) {}

  private sign(claims: JWTPayload, ttlSeconds: number): Promise<string> {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...claims, jti: randomUUID() })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setIssuedAt(iat)
      .setExpirationTime(iat + ttlSeconds)
      .sign(this.key);
  }

  /** Keycloak token response for a (new or existing) session. */
  async issue(user: User, session: string, offline: boolean) {
    const t = this.state.timings;
    const scope = offline ? 'openid email profile offline_access' : 'openid email profile';
    const refreshTtl = offline ? t.offline_token_ttl_seconds : t.refresh_token_ttl_seconds;
    const common = { sub: user.id, sid: session, azp: 'bud-client', scope };
    return {
      access_token: await this.sign({ ...common, typ: 'Bearer', email: user.email, name: user.name }, t.access_token_ttl_seconds),
      expires_in: t.access_token_ttl_seconds,
      refresh_expires_in: refreshTtl,
      refresh_token: await this.sign({ ...common, typ: offline ? 'Offline' : 'Refresh' }, refreshTtl),
      token_type: 'Bearer',
      'not-before-policy': 0,
      session_state: session,
      scope,
    };
  }

  startSession(user: User): string {
    const sid = randomUUID();
    this.state.sessions.set(sid, user.id);
    return sid;
  }

  private async verify(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER });
    return payload;
  }

  /** Bearer access token -> payload, or 401 `{detail}` the way budapp's dependency answers. */
  async verifyAccess(token: string): Promise<JWTPayload> {
    let p: JWTPayload;
    try {
      p = await this.verify(token);
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw unauthorized('Token has expired');
      throw unauthorized();
    }
    if (p.typ !== 'Bearer' || typeof p.jti !== 'string' || this.state.blacklist.has(p.jti)) throw unauthorized();
    return p;
  }

  /** Refresh token of a live session -> payload; any failure 401 "Token Expired or Invalid". */
  async verifyRefresh(token: string): Promise<JWTPayload | null> {
    try {
      const p = await this.verify(token);
      const live = typeof p.sid === 'string' && this.state.sessions.get(p.sid) === p.sub;
      return (p.typ === 'Refresh' || p.typ === 'Offline') && live ? p : null;
    } catch {
      return null;
    }
  }

  /** A refresh token this realm issued (signature, issuer, type), live or not; null for anything else. */
  async readRefresh(token: string): Promise<JWTPayload | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, clockTolerance: Number.MAX_SAFE_INTEGER });
      return payload.typ === 'Refresh' || payload.typ === 'Offline' ? payload : null;
    } catch {
      return null;
    }
  }

  /** Subject of a token without verifying it (for rate-limit keys only). */
  static subjectOf(token: string): string | undefined {
    try {
      const body = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
      return typeof body.sub === 'string' ? body.sub : undefined;
    } catch {
      return undefined;
    }
  }
}

/** FastAPI HTTPBearer: scheme matched case-insensitively, credentials = everything after the first space. */
export function bearerOf(req: Request, optional = false): string | undefined {
  const header = req.get('authorization');
  const sp = header ? header.indexOf(' ') : -1;
  const scheme = header ? (sp < 0 ? header : header.slice(0, sp)) : '';
  const credentials = header && sp >= 0 ? header.slice(sp + 1) : '';
  if (!header || !scheme || !credentials) {
    if (optional) return undefined;
    throw unauthorized('Not authenticated');
  }
  if (scheme.toLowerCase() !== 'bearer') {
    if (optional) return undefined;
    throw unauthorized();
  }
  return credentials;
}

export interface Authed { user: User; token: JWTPayload }

/** `get_current_active_user`: valid, unrevoked access token of an ACTIVE user. */
export async function currentUser(req: Request, state: BudState, tokens: Tokens, allowInvited = false): Promise<Authed> {
  const token = await tokens.verifyAccess(bearerOf(req)!);
  const user = state.users.get(String(token.sub));
  if (!user || user.status === 'deleted') throw unauthorized();
  if (user.status !== 'active' && !(allowInvited && user.status === 'invited')) throw new DetailError(400, 'Inactive user');
  return { user, token };
}

/**
 * budapp's `@require_permissions` runs inside the endpoint (routes/permission_handler.py wraps the
 * handler), so FastAPI answers 401/400 from `get_current_active_user`, then 422 for the request, and only
 * then 403. Routes call `authenticate` first, validate, then `permit`.
 */
export async function authenticate(req: Request, state: BudState, tokens: Tokens): Promise<User> {
  return (await currentUser(req, state, tokens)).user;
}

/** The permission check, once the request has validated: 403 `{detail}` unless `user` holds every one of `perms`. */
export function permit(user: User, ...perms: string[]): User {
  if (!perms.every((p) => user.permissions.includes(p))) {
    throw new DetailError(403, 'Insufficient permissions for this operation');
  }
  return user;
}

/** Authenticate and check permissions at once: only for routes that take no input to validate. */
export async function authorize(req: Request, state: BudState, tokens: Tokens, ...perms: string[]): Promise<User> {
  return permit(await authenticate(req, state, tokens), ...perms);
}
