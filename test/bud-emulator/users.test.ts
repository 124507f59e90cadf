import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PASSWORD, useBud, type Bud } from './helpers';

const bud = useBud();
const NEW_PASSWORD = 'N3w!Passw0rd';

async function resetMail(b: Bud, email: string) {
  const r = await b.call('GET', `/__operator__/mailbox?email=${encodeURIComponent(email)}`, undefined, b.adminToken);
  assert.equal(r.status, 200);
  return r.body.messages as { to: string; token: string; reset_url: string }[];
}

describe('password reset', () => {
  it('answers the same for known and unknown emails and mails a token only to the known one', async () => {
    const u = await bud.newUser();
    const known = await bud.call('POST', '/users/reset-password', { email: u.email });
    const unknown = await bud.call('POST', '/users/reset-password', { email: 'ghost-user@example.com' });
    for (const r of [known, unknown]) {
      assert.equal(r.status, 200);
      assert.equal(r.body.object, 'user.reset-password');
      assert.equal(r.body.acknowledged, true);
      assert.equal(r.body.status, 'success');
      assert.match(r.body.transaction_id, /^[0-9a-f]{32}$/);
      assert.ok(!JSON.stringify(r.body).includes('token"'), 'no token in the public answer');
    }
    assert.equal(known.body.message, unknown.body.message);
    assert.equal((await resetMail(bud, u.email)).length, 1);
    assert.equal((await resetMail(bud, 'ghost-user@example.com')).length, 0);
  });

  it('validates, resets once, and the new password works', async () => {
    const u = await bud.newUser();
    await bud.call('POST', '/users/reset-password', { email: u.email });
    const [mail] = await resetMail(bud, u.email);
    const valid = await bud.call('POST', '/users/validate-reset-token', { token: mail.token });
    assert.equal(valid.body.is_valid, true);
    assert.equal(valid.body.email, u.email);
    assert.ok(Date.parse(valid.body.expires_at) > Date.now());
    const mismatch = await bud.call('POST', '/users/reset-password-with-token', { token: mail.token, new_password: NEW_PASSWORD, confirm_password: 'Other!Passw0rd' });
    assert.equal(mismatch.status, 422);
    const weak = await bud.call('POST', '/users/reset-password-with-token', { token: mail.token, new_password: 'abcdefgh', confirm_password: 'abcdefgh' });
    assert.equal(weak.status, 400);
    assert.match(weak.body.message, /^Password validation failed: /);
    const done = await bud.call('POST', '/users/reset-password-with-token', { token: mail.token, new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD });
    assert.equal(done.status, 200);
    assert.equal(done.body.object, 'user.reset-password-with-token');
    assert.equal((await bud.login(u.email, PASSWORD)).status, 400);
    assert.equal((await bud.login(u.email, NEW_PASSWORD)).status, 200);
    const reuse = await bud.call('POST', '/users/reset-password-with-token', { token: mail.token, new_password: PASSWORD, confirm_password: PASSWORD });
    assert.equal(reuse.status, 400);
    assert.equal(reuse.body.message, 'Invalid or expired reset token');
    assert.equal((await bud.call('POST', '/users/validate-reset-token', { token: mail.token })).body.is_valid, false);
  });

  it('a new request supersedes the previous token; fake tokens are simply invalid', async () => {
    const u = await bud.newUser();
    await bud.call('POST', '/users/reset-password', { email: u.email });
    await bud.call('POST', '/users/reset-password', { email: u.email });
    const [first, second] = await resetMail(bud, u.email);
    assert.equal((await bud.call('POST', '/users/validate-reset-token', { token: first.token })).body.is_valid, false);
    assert.equal((await bud.call('POST', '/users/validate-reset-token', { token: second.token })).body.is_valid, true);
    const fake = await bud.call('POST', '/users/validate-reset-token', { token: '<script>alert(1)</script>' });
    assert.deepEqual([fake.status, fake.body.is_valid, fake.body.email, fake.body.expires_at], [200, false, null, null]);
  });

  it('rejects malformed input with 422', async () => {
    const cases: [string, unknown][] = [
      ['/users/reset-password', {}], ['/users/reset-password', { email: '' }], ['/users/reset-password', { email: 'not-an-email' }],
      ['/users/validate-reset-token', { token: '' }], ['/users/validate-reset-token', { token: 'x'.repeat(256) }],
      ['/users/reset-password-with-token', { new_password: NEW_PASSWORD, confirm_password: NEW_PASSWORD }],
      ['/users/reset-password-with-token', { token: 'abc', confirm_password: NEW_PASSWORD }],
      ['/users/reset-password-with-token', { token: 'abc', new_password: 'short', confirm_password: 'short' }],
    ];
    for (const [path, body] of cases) assert.equal((await bud.call('POST', path, body)).status, 422, `${path} ${JSON.stringify(body)}`);
    const sqli = await bud.call('POST', '/users/reset-password', { email: "'; DROP TABLE users; --@example.com" });
    assert.equal(sqli.status, 422);
  });

  it('reset tokens expire after the configured lifetime', async () => {
    const u = await bud.newUser();
    const cfg = await bud.call('PATCH', '/__operator__/config', { reset_token_ttl_seconds: 1 }, bud.adminToken);
    assert.equal(cfg.body.timings.reset_token_ttl_seconds, 1);
    try {
      await bud.call('POST', '/users/reset-password', { email: u.email });
      const [mail] = await resetMail(bud, u.email);
      await bud.until('/__operator__/config', () => Date.now() > Date.parse((mail as any).sent_at) + 1000, bud.adminToken);
      assert.equal((await bud.call('POST', '/users/validate-reset-token', { token: mail.token })).body.is_valid, false);
    } finally {
      await bud.call('PATCH', '/__operator__/config', { reset_token_ttl_seconds: 3600 }, bud.adminToken);
    }
  });
});

describe('operator endpoints', () => {
  it('need the admin token', async () => {
    const u = await bud.newUser();
    assert.equal((await bud.call('GET', '/__operator__/mailbox')).status, 401);
    assert.equal((await bud.call('GET', '/__operator__/mailbox', undefined, u.access)).status, 403);
    assert.equal((await bud.call('GET', '/__operator__/rate-limits', undefined, u.access)).status, 403);
    assert.equal((await bud.call('PATCH', '/__operator__/config', { nope: 1 }, bud.adminToken)).status, 422);
  });

  it('expired access tokens answer 401 "Token has expired"', async () => {
    await bud.call('PATCH', '/__operator__/config', { access_token_ttl_seconds: 1 }, bud.adminToken);
    try {
      const u = await bud.newUser();
      const r = await bud.until('/users/me', (x) => x.status === 401, u.access, 4000);
      assert.deepEqual(r.body, { detail: 'Token has expired' });
    } finally {
      await bud.call('PATCH', '/__operator__/config', { access_token_ttl_seconds: 1800 }, bud.adminToken);
    }
  });
});
