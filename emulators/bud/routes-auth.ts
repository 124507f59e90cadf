import { randomBytes } from 'node:crypto';
import { Router, type Request } from 'express';
import { authenticate, authorize, bearerOf, permit, checkPassword, currentUser, hashPassword, Tokens } from './auth';
import { ClientError, DetailError } from './errors';
import { KEYED_BY, RULES, type Rule, type RateLimiter } from './ratelimit';
import { ALL_PERMISSIONS, BudState, CLIENT_PERMISSIONS, DEFAULT_TIMINGS, now, User, type Timings } from './state';
import { paginate, pageParams, quoteList, Validator } from './validate';

export interface Ctx { state: BudState; tokens: Tokens; limiter: RateLimiter }

const NAME_RE = /^[a-zA-Z\s\-']+$/;

/** budapp's password policy (register and reset): null when acceptable, else why not. */
export function passwordProblem(p: string): string | null {
  if (/\s/.test(p)) return 'Password must not contain whitespace';
  if (!/\d/.test(p)) return 'Password must contain at least one digit';
  if (!/[A-Z]/.test(p)) return 'Password must contain at least one uppercase letter';
  if (!/[a-z]/.test(p)) return 'Password must contain at least one lowercase letter';
  if (!/[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/.test(p)) return 'Password must contain at least one special character';
  return null;
}

/** Client address as a proxy-aware limiter sees it (first X-Forwarded-For hop, else the socket). */
export function clientIp(req: Request): string {
  const xff = req.get('x-forwarded-for');
  return (xff ? xff.split(',')[0].trim() : '') || req.socket.remoteAddress || 'unknown';
}

export function publicUser(u: User) {
  const { id, name, email, color, role, status, company, purpose, user_type } = u;
  return { id, name, email, color, role, status, company, purpose, user_type };
}

export function authRoutes({ state, tokens, limiter }: Ctx): Router {
  const r = Router();

  r.post('/auth/register', async (req, res) => {
    const v = new Validator(req.body, 'body');
    const fields = readUserCreate(v);
    v.done();
    limiter.hit('register', clientIp(req));
    if (state.userByEmail(fields.email)) throw new ClientError(400, 'Email already registered');
    // user_type and permissions are forced: a self-registered user is always a client.
    state.addUser({ ...fields, user_type: 'client', permissions: [...CLIENT_PERMISSIONS] });
    res.json({ object: 'info', message: 'User registered successfully' });
  });

  r.post('/auth/login', async (req, res) => {
    const v = new Validator(req.body, 'body');
    const email = v.email('email', { required: true });
    const password = v.str('password', { required: true, min: 8, max: 100 });
    v.uuid('tenant_id');
    const userType = v.oneOf('user_type', ['admin', 'client']) ?? 'client';
    const rememberMe = v.bool('remember_me');
    v.done();
    limiter.hit('login', clientIp(req));
    const user = state.userByEmail(email!);
    if (!user) throw new ClientError(400, 'This email is not registered');
    // auth/services.py login_user refuses only DELETED users: INVITED ones log in and must change their password.
    if (user.status === 'deleted') throw new ClientError(400, 'User account is not active');
    if (!checkPassword(password!, user.password)) throw new ClientError(400, 'Incorrect email or password');
    if (userType === 'admin' && user.user_type !== 'admin') throw new ClientError(400, 'Incorrect email or password');
    const token = await tokens.issue(user, tokens.startSession(user), rememberMe);
    // login_user only reports first_login; it is cleared by onboarding or the user's own password change.
    const firstLogin = user.first_login;
    res.json({
      object: 'auth_token', message: 'User logged in successfully', token,
      first_login: firstLogin, is_reset_password: user.is_reset_password,
    });
  });

  r.post('/auth/refresh-token', async (req, res) => {
    const v = new Validator(req.body, 'body');
    const raw = v.str('refresh_token', { required: true, min: 1 });
    v.done();
    limiter.hit('refresh', clientIp(req));
    const p = await tokens.verifyRefresh(raw!);
    const user = p && state.users.get(String(p.sub));
    if (!p || !user || user.status === 'deleted') throw new ClientError(401, 'Token Expired or Invalid');
    res.json({
      object: 'info', message: 'Token refreshed successfully',
      token: await tokens.issue(user, String(p.sid), p.typ === 'Offline'),
    });
  });

  r.post('/auth/logout', async (req, res) => {
    const v = new Validator(req.body, 'body');
    const raw = v.str('refresh_token', { required: true, min: 1 });
    v.uuid('tenant_id');
    v.done();
    const access = bearerOf(req, true);
    if (access) {
      const a = await tokens.verifyAccess(access).catch(() => null);
      if (a) state.blacklist.add(String(a.jti));
    }
    // Keycloak's logout succeeds for any refresh token it issued, live or already ended; only a token it
    // cannot read fails (auth/services.py logout_user -> ClientException "Failed to logout user" -> 400).
    const p = await tokens.readRefresh(raw!);
    if (!p) throw new ClientError(400, 'Failed to logout user');
    if (state.sessions.get(String(p.sid)) === p.sub) state.sessions.delete(String(p.sid));
    res.json({ object: 'info', message: 'User logged out successfully' });
  });

  r.get('/users/me', async (req, res) => {
    const { user } = await currentUser(req, state, tokens, true);
    res.json({ object: 'user.me', message: 'Successfully get current user', user: publicUser(user) });
  });

  r.get('/users/me/permissions', async (req, res) => {
    const { user } = await currentUser(req, state, tokens);
    res.json({
      object: 'user.permissions', message: 'Successfully get user permissions',
      global_scopes: [...user.permissions], project_scopes: [],
    });
  });

  // user_ops/services.py complete_user_onboarding: clears first_login once, for active users only.
  r.patch('/users/onboard', async (req, res) => {
    const { user } = await currentUser(req, state, tokens);
    if (!user.first_login) throw new ClientError(400, 'User already completed onboarding');
    user.first_login = false;
    res.json({ object: 'user.get', message: 'User onboarding completed successfully', user: publicUser(user) });
  });

  r.post('/users/reset-password', async (req, res) => {
    const v = new Validator(req.body, 'body');
    const email = v.email('email', { required: true });
    v.uuid('tenant_id');
    v.done();
    limiter.hit('reset_password', email!.toLowerCase());
    const user = state.userByEmail(email!);
    if (user && user.status !== 'deleted') sendResetMail(state, user);
    // Same answer whether or not the email is registered (no enumeration).
    res.json({
      object: 'user.reset-password',
      message: 'If an account exists for this email, a password reset link has been sent',
      acknowledged: true, status: 'success', transaction_id: randomBytes(16).toString('hex'),
    });
  });

  r.post('/users/validate-reset-token', async (req, res) => {
    const v = new Validator(req.body, 'body');
    const token = v.str('token', { required: true, min: 1, max: 255 });
    v.done();
    const found = liveResetToken(state, token!);
    res.json({
      object: 'user.validate-reset-token',
      message: found ? 'Reset token is valid' : 'Invalid or expired reset token',
      is_valid: !!found,
      email: found ? found.user.email : null,
      expires_at: found ? new Date(found.rec.expiresAt).toISOString() : null,
    });
  });

  r.post('/users/reset-password-with-token', async (req, res) => {
    const v = new Validator(req.body, 'body');
    const token = v.str('token', { required: true, min: 1, max: 255 });
    const pw = v.str('new_password', { required: true, min: 8, max: 128 });
    const confirm = v.str('confirm_password', { required: true, min: 8, max: 128 });
    if (pw !== undefined && confirm !== undefined && pw !== confirm) v.valueError(null, 'Passwords do not match', req.body);
    v.done();
    const rec = state.resetTokens.get(token!);
    if (!rec || rec.used || rec.expiresAt <= Date.now()) throw new ClientError(400, 'Invalid or expired reset token');
    const problem = passwordProblem(pw!);
    if (problem) throw new ClientError(400, `Password validation failed: ${problem}`);
    const user = state.users.get(rec.userId);
    if (!user || user.status === 'deleted') throw new ClientError(404, 'User not found');
    user.password = hashPassword(pw!);
    user.is_reset_password = false;
    rec.used = true;
    res.json({ object: 'user.reset-password-with-token', message: 'Password has been reset successfully' });
  });

  return r;
}

/** `UserCreate` fields shared by self-registration and admin user creation. */
function readUserCreate(v: Validator) {
  const name = v.str('name', { required: true, min: 1, max: 100, pattern: NAME_RE });
  const email = v.email('email', { required: true, max: 100 });
  const password = v.str('password', { required: true, min: 8, max: 100 });
  const problem = password === undefined ? null : passwordProblem(password);
  if (problem) v.valueError('password', problem, password);
  const role = v.oneOf('role', ['admin', 'super_admin', 'developer', 'devops', 'tester'], { required: true });
  if (role === 'super_admin') v.valueError('role', 'super_admin role cannot be assigned', role);
  const company = v.str('company', { max: 100 });
  const purpose = v.str('purpose', { max: 255 });
  return {
    name: name!, email: email!, password: hashPassword(password ?? ''), role: role!, company: company ?? null, purpose: purpose ?? null,
  };
}

/** Admin user management (`user:manage`): create users with chosen permissions, read, soft-delete. */
export function userAdminRoutes({ state, tokens }: Ctx): Router {
  const r = Router();
  const target = (req: Request) => {
    const v = new Validator(req.params, 'path');
    const id = v.uuid('user_id', { required: true });
    v.done();
    const user = state.users.get(id!);
    if (!user || user.status === 'deleted') throw new ClientError(404, 'User not found');
    return user;
  };

  r.post('/users', async (req, res) => {
    const caller = await authenticate(req, state, tokens);
    const v = new Validator(req.body, 'body');
    const fields = readUserCreate(v);
    const userType = v.oneOf('user_type', ['admin', 'client'] as const) ?? 'client';
    const granted = v.list('permissions', (p, i) => {
      const name = (p as { name?: unknown } | null)?.name;
      if (typeof name === 'string' && (ALL_PERMISSIONS as readonly string[]).includes(name)) {
        return (p as { has_permission?: unknown }).has_permission === false ? undefined : name;
      }
      v.issues.push({ type: 'enum', loc: ['body', 'permissions', i, 'name'], msg: `Input should be ${quoteList(ALL_PERMISSIONS)}`, input: name });
      return undefined;
    });
    v.done();
    permit(caller, 'user:manage');
    if (state.userByEmail(fields.email)) throw new ClientError(400, 'Email already registered');
    const permissions = userType === 'admin' ? [...ALL_PERMISSIONS] : [...new Set([...CLIENT_PERMISSIONS, ...(granted ?? [])])];
    const user = state.addUser({ ...fields, user_type: userType, permissions });
    // auth/services.py register_user(is_self_registration=False): INVITED, is_reset_password, first_login.
    user.status = 'invited';
    user.is_reset_password = true;
    res.json({ object: 'user.create', message: 'User created successfully', user: publicUser(user) });
  });

  // user_ops/services.py update_active_user: an INVITED user may change only the password, and doing
  // so on the first login makes the account ACTIVE; changing another user's fields needs user:manage.
  r.patch('/users/:user_id', async (req, res) => {
    const { user: caller } = await currentUser(req, state, tokens, true);
    const subject = target(req);
    const v = new Validator(req.body, 'body');
    const name = v.str('name', { min: 1, max: 100, pattern: NAME_RE });
    const role = v.oneOf('role', ['admin', 'super_admin', 'developer', 'devops', 'tester']);
    const password = v.str('password', { min: 8, max: 100 });
    const problem = password === undefined ? null : passwordProblem(password);
    if (problem) v.valueError('password', problem, password);
    v.done();
    if (subject.id !== caller.id) permit(caller, 'user:manage');
    else if (caller.status === 'invited' && (name !== undefined || role !== undefined)) {
      throw new DetailError(400, 'Invited user can only update password');
    }
    if (name !== undefined) subject.name = name;
    if (role !== undefined) subject.role = role;
    if (password !== undefined) {
      subject.password = hashPassword(password);
      if (subject.id === caller.id) {
        if (subject.first_login && subject.status === 'invited') subject.status = 'active';
        subject.is_reset_password = false;
        subject.first_login = false;
      } else subject.is_reset_password = true;
    }
    res.json({ object: 'user.update', message: 'Updated user successfully', user: publicUser(subject) });
  });

  // user_ops/user_routes.py get_all_users: page/limit, UserListFilter (name, email), `search` for a
  // case-insensitive substring match; deleted users are not listed; `user:view` is required.
  r.get('/users', async (req, res) => {
    const caller = await authenticate(req, state, tokens);
    const v = new Validator(req.query, 'query', true);
    const { page, limit } = pageParams(v);
    const f = { name: v.str('name'), email: v.str('email'), search: v.bool('search') };
    v.done();
    permit(caller, 'user:view');
    const text = (s: string, q: string) => (f.search ? s.toLowerCase().includes(q.toLowerCase()) : s === q);
    const rows = [...state.users.values()].reverse().filter((u) => u.status !== 'deleted' &&
      (!f.name || text(u.name, f.name)) && (!f.email || text(u.email, f.email)));
    const { items, ...pg } = paginate(rows.map(publicUser), page, limit);
    res.json({ object: 'users.list', message: 'Successfully listed users', users: items, ...pg });
  });

  r.get('/users/:user_id', async (req, res) => {
    const caller = await authenticate(req, state, tokens);
    const subject = target(req);
    permit(caller, 'user:view');
    res.json({ object: 'user.get', message: 'Successfully get user', user: publicUser(subject) });
  });

  r.get('/users/:user_id/permissions', async (req, res) => {
    const caller = await authenticate(req, state, tokens);
    const subject = target(req);
    permit(caller, 'user:view');
    res.json({ object: 'user.permissions', message: 'Successfully get user permissions', global_scopes: [...subject.permissions], project_scopes: [] });
  });

  r.delete('/users/:user_id', async (req, res) => {
    const admin = await authenticate(req, state, tokens);
    const subject = target(req);
    permit(admin, 'user:manage');
    const user = subject;
    if (user.id === admin.id) throw new ClientError(400, 'You cannot delete yourself');
    user.status = 'deleted';
    for (const [sid, uid] of state.sessions) if (uid === user.id) state.sessions.delete(sid);
    res.json({ object: 'user.delete', message: 'User deleted successfully' });
  });

  return r;
}

function sendResetMail(state: BudState, user: User): void {
  for (const rec of state.resetTokens.values()) if (rec.userId === user.id) rec.used = true; // a new request supersedes old links
  const token = randomBytes(32).toString('base64url');
  state.resetTokens.set(token, { token, userId: user.id, expiresAt: Date.now() + state.timings.reset_token_ttl_seconds * 1000, used: false });
  const resetUrl = `/auth/reset-password?token=${token}`;
  state.mailbox.push({
    id: randomBytes(8).toString('hex'), to: user.email, subject: 'Reset your Bud password',
    body: `Hello ${user.name}, use this link to reset your password: ${resetUrl}`, token, reset_url: resetUrl, sent_at: now(),
  });
}

function liveResetToken(state: BudState, token: string) {
  const rec = state.resetTokens.get(token);
  const user = rec && state.users.get(rec.userId);
  if (!rec || !user || rec.used || rec.expiresAt <= Date.now() || user.status !== 'active') return null;
  return { rec, user };
}

/** Operator back door (what the real system does by email, Redis config and realm settings). Admin token only. */
export function operatorRoutes({ state, tokens, limiter }: Ctx): Router {
  const r = Router();
  r.use('/__operator__', async (req, _res, next) => {
    const { user } = await currentUser(req, state, tokens);
    if (user.user_type !== 'admin') throw new DetailError(403, 'Insufficient permissions for this operation');
    next();
  });

  r.get('/__operator__/mailbox', (req, res) => {
    const v = new Validator(req.query, 'query', true);
    const email = v.str('email');
    v.done();
    const messages = state.mailbox.filter((m) => !email || m.to.toLowerCase() === email.toLowerCase());
    res.json({ object: 'operator.mailbox', message: 'Mailbox retrieved', messages });
  });

  const ruleOf = (req: Request): Rule => {
    const rule = req.params.rule as Rule;
    if (!RULES.includes(rule)) throw new ClientError(404, `Rate-limit rule not found: ${rule}`);
    return rule;
  };
  const describe = () => ({ object: 'operator.rate-limits', message: 'Rate limits', ...limiter.describe() });

  r.get('/__operator__/rate-limits', (_req, res) => {
    res.json(describe());
  });
  r.put('/__operator__/rate-limits/:rule', (req, res) => {
    const rule = ruleOf(req);
    const v = new Validator(req.body, 'body');
    const limit = v.int('limit', { required: true, ge: 0 });
    const windowSeconds = v.int('window_seconds', { required: true, gt: 0 });
    const key = v.str('key', { min: 1 });
    v.done();
    limiter.set(rule, { limit: limit!, window_seconds: windowSeconds! }, key === undefined ? undefined : normaliseKey(rule, key));
    res.json(describe());
  });
  r.delete('/__operator__/rate-limits/:rule', (req, res) => {
    const rule = ruleOf(req);
    const v = new Validator(req.query, 'query', true);
    const key = v.str('key', { min: 1 });
    v.done();
    limiter.reset(rule, key === undefined ? undefined : normaliseKey(rule, key));
    res.json(describe());
  });

  r.get('/__operator__/config', (_req, res) => {
    res.json({ object: 'operator.config', message: 'Configuration', timings: state.timings });
  });
  r.patch('/__operator__/config', (req, res) => {
    const v = new Validator(req.body, 'body');
    const patch: Partial<Timings> = {};
    for (const k of Object.keys(DEFAULT_TIMINGS) as (keyof Timings)[]) {
      const n = v.int(k, { gt: 0 });
      if (n !== undefined) patch[k] = n;
    }
    for (const k of Object.keys(req.body ?? {})) if (!(k in DEFAULT_TIMINGS)) v.issue(k, 'extra_forbidden', 'Extra inputs are not permitted', req.body[k]);
    v.done();
    Object.assign(state.timings, patch);
    res.json({ object: 'operator.config', message: 'Configuration updated', timings: state.timings });
  });

  return r;
}

/** Emails are matched case-insensitively, so email-keyed overrides are too. */
function normaliseKey(rule: Rule, key: string): string {
  return KEYED_BY[rule] === 'email' ? key.toLowerCase() : key;
}
