import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { ADMIN, PASSWORD, useBud } from './helpers';

const bud = useBud();

describe('register', () => {
  it('accepts a valid user, answers without user data, and refuses the same email again with 400', async () => {
    const email = `reg-${Date.now()}@Example.com`;
    const ok = await bud.call('POST', '/auth/register', { name: "Mary O'Neil-Smith", email, password: PASSWORD, role: 'developer' });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { object: 'info', message: 'User registered successfully' });
    const dup = await bud.call('POST', '/auth/register', { name: 'Mary', email: email.toLowerCase(), password: PASSWORD, role: 'developer' });
    assert.equal(dup.status, 400);
    assert.deepEqual(dup.body, { object: 'error', message: 'Email already registered', type: 'BadRequesterror', param: null, code: 400 });
  });

  it('answers 422 in FastAPI shape for missing fields, bad email, weak passwords, bad names and roles', async () => {
    const empty = await bud.call('POST', '/auth/register', {});
    assert.equal(empty.status, 422);
    assert.deepEqual(empty.body.detail.map((d: any) => d.loc.join('.')), ['body.name', 'body.email', 'body.password', 'body.role']);
    assert.equal(empty.body.detail[0].type, 'missing');
    assert.equal(empty.body.detail[0].msg, 'Field required');
    const base = { name: 'Valid Name', email: 'x@example.com', password: PASSWORD, role: 'developer' };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ email: 'not-an-email' }, 'email', 'value_error'],
      [{ email: 'spaces in@email.com' }, 'email', 'value_error'],
      [{ email: `${'a'.repeat(300)}@example.com` }, 'email', 'string_too_long'],
      [{ password: 'short' }, 'password', 'string_too_short'],
      [{ password: '12345678' }, 'password', 'value_error'],
      [{ password: 'Password1' }, 'password', 'value_error'],
      [{ password: 'Pass word1!' }, 'password', 'value_error'],
      [{ name: "Test-O'Brien Jr." }, 'name', 'string_pattern_mismatch'],
      [{ role: 'super_admin' }, 'role', 'value_error'],
      [{ role: 'owner' }, 'role', 'enum'],
    ];
    for (const [patch, field, type] of cases) {
      const r = await bud.call('POST', '/auth/register', { ...base, ...patch });
      assert.equal(r.status, 422, JSON.stringify(patch));
      assert.deepEqual(r.body.detail[0].loc, ['body', field]);
      assert.equal(r.body.detail[0].type, type);
    }
    const notJson = await fetch(`${bud.url}/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    assert.equal(notJson.status, 422);
    assert.equal(((await notJson.json()) as any).detail[0].type, 'json_invalid');
  });

  it('forces self-registered users to be clients with client permissions only', async () => {
    const u = await bud.newUser('Wanna Be', 'admin');
    const me = await bud.call('GET', '/users/me', undefined, u.access);
    assert.equal(me.body.user.user_type, 'client');
    const perms = await bud.call('GET', '/users/me/permissions', undefined, u.access);
    assert.deepEqual(perms.body.global_scopes, ['client:access', 'project:view', 'project:manage']);
    const models = await bud.call('GET', '/models/', undefined, u.access);
    assert.equal(models.status, 403);
    assert.deepEqual(models.body, { detail: 'Insufficient permissions for this operation' });
    const asAdmin = await bud.login(u.email, PASSWORD, { user_type: 'admin' });
    assert.equal(asAdmin.status, 400);
  });
});

describe('login', () => {
  it('returns Keycloak tokens nested under token, first_login until onboarding, remember_me adds offline_access', async () => {
    const u = await bud.newUser();
    const b = u.login.body;
    assert.equal(b.object, 'auth_token');
    assert.equal(b.message, 'User logged in successfully');
    assert.equal(b.first_login, true);
    assert.equal(b.is_reset_password, false);
    for (const k of ['access_token', 'refresh_token', 'expires_in', 'refresh_expires_in', 'token_type', 'not-before-policy', 'session_state', 'scope']) {
      assert.ok(k in b.token, k);
    }
    assert.equal(b.token.token_type, 'Bearer');
    assert.equal(decodeJwt(b.token.access_token).email, u.email);
    assert.equal((await bud.login(u.email, PASSWORD)).body.first_login, true, 'login alone does not clear first_login');
    assert.equal((await bud.call('PATCH', '/users/onboard', undefined, u.access)).status, 200);
    assert.equal((await bud.call('PATCH', '/users/onboard', undefined, u.access)).body.message, 'User already completed onboarding');
    const again = await bud.login(u.email, PASSWORD, { remember_me: true });
    assert.equal(again.body.first_login, false);
    assert.match(again.body.token.scope, /offline_access/);
  });

  it('answers 400 with the contract messages for wrong password and unknown user, 422 for bad input', async () => {
    const u = await bud.newUser();
    const wrong = await bud.login(u.email, 'Wr0ng!Password');
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.message, 'Incorrect email or password');
    const unknown = await bud.login('nobody-here@example.com', PASSWORD);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.message, 'This email is not registered');
    for (const body of [{}, { email: '', password: PASSWORD }, { email: 'not-an-email', password: PASSWORD }, { email: u.email, password: '' }]) {
      assert.equal((await bud.call('POST', '/auth/login', body)).status, 422, JSON.stringify(body));
    }
  });
});

describe('refresh and logout', () => {
  it('refresh gives a working new access token and the old one keeps working', async () => {
    const u = await bud.newUser();
    const r = await bud.call('POST', '/auth/refresh-token', { refresh_token: u.refresh });
    assert.equal(r.status, 200);
    assert.equal(r.body.message, 'Token refreshed successfully');
    assert.notEqual(r.body.token.access_token, u.access);
    assert.equal((await bud.call('GET', '/users/me', undefined, r.body.token.access_token)).body.user.email, u.email);
    assert.equal((await bud.call('GET', '/users/me', undefined, u.access)).status, 200);
  });

  it('refuses invalid, malformed and access tokens with 401 and missing/empty/null with 422', async () => {
    const u = await bud.newUser();
    for (const t of ['random-garbage', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.bad', u.access]) {
      const r = await bud.call('POST', '/auth/refresh-token', { refresh_token: t });
      assert.equal(r.status, 401);
      assert.equal(r.body.message, 'Token Expired or Invalid');
      assert.equal(r.body.type, 'Unauthorizederror');
    }
    for (const body of [{}, { refresh_token: '' }, { refresh_token: null }]) {
      assert.equal((await bud.call('POST', '/auth/refresh-token', body)).status, 422, JSON.stringify(body));
    }
  });

  it('logout revokes the refresh token and blacklists the presented access token', async () => {
    const u = await bud.newUser();
    const out = await bud.call('POST', '/auth/logout', { refresh_token: u.refresh }, u.access);
    assert.equal(out.status, 200);
    assert.deepEqual(out.body, { object: 'info', message: 'User logged out successfully' });
    const me = await bud.call('GET', '/users/me', undefined, u.access);
    assert.equal(me.status, 401);
    assert.deepEqual(me.body, { detail: 'Invalid authentication credentials' });
    assert.equal(me.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await bud.call('POST', '/auth/refresh-token', { refresh_token: u.refresh })).status, 401);
    // Keycloak's logout succeeds for a refresh token it issued even once the session has ended.
    const twice = await bud.call('POST', '/auth/logout', { refresh_token: u.refresh });
    assert.equal(twice.status, 200);
    assert.equal(twice.body.message, 'User logged out successfully');
    for (const garbage of ['not-a-token', `${u.refresh.slice(0, -4)}AAAA`]) {
      const bad = await bud.call('POST', '/auth/logout', { refresh_token: garbage });
      assert.equal(bad.status, 400, garbage);
      assert.equal(bad.body.message, 'Failed to logout user');
    }
    assert.equal((await bud.call('POST', '/auth/logout', { refresh_token: u.access })).status, 400, 'an access token is not a refresh token');
    const again = await bud.login(u.email, PASSWORD);
    assert.notEqual(again.body.token.access_token, u.access);
    assert.notEqual(again.body.token.refresh_token, u.refresh);
  });

  it('logout without a bearer revokes only the session; the access token stays valid until it expires', async () => {
    const u = await bud.newUser();
    assert.equal((await bud.call('POST', '/auth/logout', { refresh_token: u.refresh })).status, 200);
    assert.equal((await bud.call('POST', '/auth/refresh-token', { refresh_token: u.refresh })).status, 401);
    assert.equal((await bud.call('GET', '/users/me', undefined, u.access)).status, 200);
    for (const body of [{}, { refresh_token: '' }]) assert.equal((await bud.call('POST', '/auth/logout', body)).status, 422);
  });
});

describe('protected endpoint /users/me', () => {
  it('returns the profile under user', async () => {
    const u = await bud.newUser('Profile Match Test', 'devops');
    const me = await bud.call('GET', '/users/me', undefined, u.access);
    assert.equal(me.body.object, 'user.me');
    assert.match(me.body.user.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(
      { name: me.body.user.name, email: me.body.user.email, role: me.body.user.role, status: me.body.user.status },
      { name: 'Profile Match Test', email: u.email, role: 'devops', status: 'active' },
    );
    for (const k of ['color', 'company', 'purpose', 'user_type']) assert.ok(k in me.body.user);
  });

  it('answers 401 {detail} for missing, wrong-scheme, empty, random and double-spaced credentials', async () => {
    const u = await bud.newUser();
    const none = await bud.call('GET', '/users/me');
    assert.equal(none.status, 401);
    assert.deepEqual(none.body, { detail: 'Not authenticated' });
    const cases: [string, string][] = [
      [`Basic ${u.access}`, 'Invalid authentication credentials'],
      ['Bearer ', 'Not authenticated'],
      ['Bearer random-token', 'Invalid authentication credentials'],
      [`Bearer  ${u.access}`, 'Invalid authentication credentials'],
    ];
    for (const [authorization, detail] of cases) {
      const r = await bud.call('GET', '/users/me', undefined, undefined, { authorization });
      assert.equal(r.status, 401, authorization.slice(0, 12));
      assert.deepEqual(r.body, { detail });
    }
    const lower = await bud.call('GET', '/users/me', undefined, undefined, { authorization: `bearer ${u.access}` });
    assert.equal(lower.status, 200);
  });

  it('the admin from the start options logs in as an admin user', async () => {
    const r = await bud.login(ADMIN.email, ADMIN.password, { user_type: 'admin' });
    assert.equal(r.status, 200);
    assert.equal((await bud.call('GET', '/users/me', undefined, r.body.token.access_token)).body.user.user_type, 'admin');
  });
});

describe('admin user management', () => {
  it('an admin creates a model manager who may list models, and deletes users', async () => {
    const email = `mm-${Date.now()}@example.com`;
    const created = await bud.call('POST', '/users/', {
      name: 'Model Manager', email, password: PASSWORD, role: 'developer',
      permissions: [{ name: 'model:view', has_permission: true }, { name: 'model:manage', has_permission: true }],
    }, bud.adminToken);
    assert.equal(created.status, 200);
    assert.equal(created.body.user.user_type, 'client');
    assert.equal(created.body.user.status, 'invited');
    const login = await bud.login(email, PASSWORD);
    assert.equal(login.body.is_reset_password, true);
    assert.equal(login.body.first_login, true);
    const token = login.body.token.access_token;
    // INVITED: only /users/me answers until the user changes the password given to them.
    const inactive = await bud.call('GET', '/models/', undefined, token);
    assert.equal(inactive.status, 400);
    assert.deepEqual(inactive.body, { detail: 'Inactive user' });
    assert.equal((await bud.call('GET', '/users/me', undefined, token)).body.user.status, 'invited');
    const id = created.body.user.id;
    const renamed = await bud.call('PATCH', `/users/${id}`, { name: 'Other Name' }, token);
    assert.deepEqual([renamed.status, renamed.body], [400, { detail: 'Invited user can only update password' }]);
    assert.equal((await bud.call('PATCH', `/users/${id}`, { password: 'weak' }, token)).status, 422);
    const changed = await bud.call('PATCH', `/users/${id}`, { password: 'N3w!Passw0rd' }, token);
    assert.equal(changed.status, 200);
    assert.equal(changed.body.user.status, 'active');
    assert.equal((await bud.call('GET', '/models/', undefined, token)).status, 200);
    assert.equal((await bud.login(email, 'N3w!Passw0rd')).body.is_reset_password, false);
    assert.equal((await bud.call('GET', '/clusters/clusters', undefined, token)).status, 403);
    const client = await bud.newUser();
    assert.equal((await bud.call('POST', '/users/', { name: 'X', email: 'x@example.com', password: PASSWORD, role: 'tester' }, client.access)).status, 403);
    const bad = await bud.call('POST', '/users/', { name: 'X', email: 'y@example.com', password: PASSWORD, role: 'tester', permissions: [{ name: 'root' }] }, bud.adminToken);
    assert.deepEqual(bad.body.detail[0].loc, ['body', 'permissions', 0, 'name']);
    const del = await bud.call('DELETE', `/users/${created.body.user.id}`, undefined, bud.adminToken);
    assert.equal(del.body.object, 'user.delete');
    assert.equal((await bud.call('GET', '/users/me', undefined, token)).status, 401);
    assert.equal((await bud.login(email, 'N3w!Passw0rd')).body.message, 'User account is not active');
  });
});
