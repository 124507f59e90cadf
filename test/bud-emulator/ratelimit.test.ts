import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PASSWORD, useBud } from './helpers';

const bud = useBud({ rateLimits: { register: { limit: 50, window_seconds: 600 } } });
const limits = (rule: string, body: unknown) => bud.call('PUT', `/__operator__/rate-limits/${rule}`, body, bud.adminToken);

describe('rate limits', () => {
  it('start from the options and the high defaults', async () => {
    const r = await bud.call('GET', '/__operator__/rate-limits', undefined, bud.adminToken);
    const byRule = Object.fromEntries(r.body.rules.map((x: any) => [x.rule, x]));
    assert.deepEqual(byRule.register, { rule: 'register', keyed_by: 'client_ip', limit: 50, window_seconds: 600 });
    assert.equal(byRule.login.keyed_by, 'client_ip');
    assert.ok(byRule.login.limit >= 1000);
    assert.equal(byRule.refresh.keyed_by, 'client_ip');
  });

  it('login limit scoped to one client address answers 429 for that address only', async () => {
    const u = await bud.newUser();
    const from = (addr: string, password: string) =>
      bud.call('POST', '/auth/login', { email: u.email, password }, undefined, { 'X-Forwarded-For': `${addr}, 10.0.0.1` });
    assert.equal((await limits('login', { limit: 3, window_seconds: 60, key: '198.18.0.7' })).status, 200);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await from('198.18.0.7', 'Wr0ng!Password')).status);
    assert.deepEqual(statuses, [400, 400, 400, 429]);
    const limited = await from('198.18.0.7', PASSWORD);
    assert.equal(limited.status, 429);
    assert.match(limited.body.detail, /Rate limit exceeded/);
    assert.ok(Number(limited.headers.get('retry-after')) > 0);
    assert.equal((await from('198.18.0.8', PASSWORD)).status, 200);
    await bud.call('DELETE', '/__operator__/rate-limits/login?key=198.18.0.7', undefined, bud.adminToken);
    assert.equal((await from('198.18.0.7', PASSWORD)).status, 200);
  });

  it('refresh is limited per client IP, not per user, and the window reopens after it elapses', async () => {
    const u = await bud.newUser();
    const other = await bud.newUser();
    const ip = '198.18.1.9';
    await limits('refresh', { limit: 2, window_seconds: 1, key: ip });
    const refresh = (token: string, from = ip) =>
      bud.call('POST', '/auth/refresh-token', { refresh_token: token }, undefined, { 'x-forwarded-for': from });
    const s: number[] = [];
    for (let i = 0; i < 2; i++) s.push((await refresh(u.refresh)).status);
    const limited = await refresh(other.refresh);
    assert.deepEqual([...s, limited.status], [200, 200, 429], 'a second user from the same address shares the window');
    assert.match(limited.body.detail, /^Rate limit exceeded\. Please try again in \d+ seconds\.$/);
    assert.equal((await refresh(u.refresh, '198.18.1.10')).status, 200, 'another address has its own window');
    const start = Date.now();
    await bud.until('/health', () => Date.now() - start > 1000);
    assert.equal((await refresh(u.refresh)).status, 200);
  });

  it('register is limited per client IP (X-Forwarded-For first hop)', async () => {
    const ip = '203.0.113.7';
    await limits('register', { limit: 3, window_seconds: 600, key: ip });
    const s: number[] = [];
    for (let i = 0; i < 4; i++) {
      const email = `rl-${i}-${Date.now()}@example.com`;
      s.push((await bud.call('POST', '/auth/register', { name: 'Rate Test', email, password: PASSWORD, role: 'tester' }, undefined, { 'x-forwarded-for': ip })).status);
    }
    assert.deepEqual(s, [200, 200, 200, 429]);
    const elsewhere = await bud.call('POST', '/auth/register', { name: 'Rate Test', email: `rl-x-${Date.now()}@example.com`, password: PASSWORD, role: 'tester' });
    assert.equal(elsewhere.status, 200);
  });

  it('rejects unknown rules and bad limits', async () => {
    assert.equal((await limits('nope', { limit: 1, window_seconds: 1 })).status, 404);
    assert.equal((await limits('login', { limit: -1, window_seconds: 0 })).status, 422);
  });
});
