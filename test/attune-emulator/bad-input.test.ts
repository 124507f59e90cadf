// Bad input the emulator must refuse as upstream Attune does, one test per case, and a small
// bounded fuzz run: a few hundred malformed requests, no 5xx, the emulator still healthy after.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { describe, it } from 'node:test';
import { unique, useAttune } from './helpers';

const ctx = useAttune();

describe('bad input is refused as upstream refuses it', () => {
  it('refuses to delete the built-in core pack and keeps its timer triggers', async () => {
    const r = await ctx.api.call('DELETE', '/api/v1/packs/core');
    assert.equal(r.status, 403, JSON.stringify(r.body));
    const timer = await ctx.api.call('GET', '/api/v1/triggers/core.intervaltimer');
    assert.equal(timer.status, 200, 'the interval timer trigger is still there');
  });

  it('refuses an action whose runtime is not a runtime id (422) or names no runtime (404)', async () => {
    const pack = unique();
    await ctx.api.create('/api/v1/packs', { ref: pack, label: 'p', version: '1.0.0' });
    const base = { pack_ref: pack, label: 'a', entrypoint: 'echo hi' };
    const byId = await ctx.api.call('POST', '/api/v1/actions', { ...base, ref: `${pack}.a`, runtime: 'nope' });
    assert.equal(byId.status, 422, JSON.stringify(byId.body));
    const byRef = await ctx.api.call('POST', '/api/v1/actions', { ...base, ref: `${pack}.b`, runtime_ref: 'nope' });
    assert.equal(byRef.status, 404, JSON.stringify(byRef.body));
    const listed = await ctx.api.call('GET', `/api/v1/packs/${pack}/actions`);
    assert.deepEqual(listed.body.items, [], 'no action was created');
    await ctx.api.call('DELETE', `/api/v1/packs/${pack}`);
  });

  for (const [what, path] of [
    ['a negative page', '/api/v1/packs?page=-1'],
    ['a page size in exponent notation', '/api/v1/actions?page_size=1e9'],
    ['a page size that is not a number', '/api/v1/executions?per_page=abc'],
    ['a page size beyond u32', '/api/v1/events?per_page=99999999999'],
    ['an unknown execution status', '/api/v1/executions?status=bogus'],
    ['an unknown enforcement status', '/api/v1/enforcements?status=bogus'],
    ['an unknown inquiry status', '/api/v1/inquiries?status=bogus'],
  ] as const) {
    it(`answers ${what} with axum's query rejection (400)`, async () => {
      const r = await ctx.api.call('GET', path);
      assert.equal(r.status, 400, `${path} -> ${r.status} ${JSON.stringify(r.body)}`);
      assert.match(String(r.body), /^Failed to deserialize query string: /);
    });
  }

  it('still accepts a page size above the maximum, capped at 100 as upstream caps it', async () => {
    const r = await ctx.api.call('GET', '/api/v1/packs?page_size=1000000000');
    assert.equal(r.status, 200);
    assert.equal(r.body.pagination.page_size, 100);
  });
});

/** A raw HTTP exchange, so malformed paths and bodies reach the server unaltered. */
function raw(port: number, method: string, path: string, headers: Record<string, string>, body?: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(-1));
    req.on('timeout', () => req.destroy());
    if (body !== undefined) req.write(body);
    req.end();
  });
}

describe('fuzz', () => {
  it('answers a few hundred malformed requests without a 5xx and stays healthy', async () => {
    const port = Number(new URL(ctx.attune.apiUrl).port);
    const auth = { authorization: `Bearer ${ctx.api.token}`, 'content-type': 'application/json' };
    // A deterministic generator (no seed drift between runs).
    let seed = 20261202;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    const pick = <T>(xs: readonly T[]) => xs[rnd(xs.length)];
    const paths = ['/api/v1/packs', '/api/v1/actions', '/api/v1/triggers', '/api/v1/rules', '/api/v1/executions', '/api/v1/events',
      '/api/v1/enforcements', '/api/v1/keys', '/api/v1/workflows', '/api/v1/inquiries', '/api/v1/executions/execute', '/auth/login'];
    const suffixes = ['', '/core', '/%00', '/..%2F..', '/' + 'x'.repeat(3000), '/-1', '/1e9', "/'%20OR%201=1--", '/%E0%A4%A'];
    const queries = ['', '?page=-1', '?page_size=1e9', '?per_page=abc', '?status=bogus', '?page=%00', '?rule=abc', '?page=1&page=2', '?pack_ref[]=x'];
    const bodies = ['', '{', 'null', '[]', '"x"', '{"ref":null}', '{"ref":"a.b","pack_ref":1}', '{"ref":"x".repeat}', '{"runtime":"nope"}',
      JSON.stringify({ ref: `${unique()}.a`, pack_ref: 'core', label: 'x', entrypoint: 'x', runtime: 'nope' }), '{"action_ref":{"$gt":""}}',
      JSON.stringify({ login: "' OR 1=1 --", password: 'x' }), JSON.stringify({ parameters: 'not-an-object', action_ref: 'core.echo' })];
    const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];
    const seen: Record<number, number> = {};
    const fivexx: string[] = [];
    for (let i = 0; i < 300; i++) {
      const method = pick(methods);
      const path = pick(paths) + pick(suffixes) + pick(queries);
      const body = method === 'GET' || method === 'DELETE' ? undefined : pick(bodies);
      const status = await raw(port, method, path, rnd(4) === 0 ? {} : auth, body);
      seen[status] = (seen[status] ?? 0) + 1;
      if (status >= 500 || status < 0) fivexx.push(`${method} ${path.slice(0, 80)} ${body ?? ''} -> ${status}`);
    }
    assert.deepEqual(fivexx, [], `statuses seen: ${JSON.stringify(seen)}`);
    const health = await ctx.api.call('GET', '/health');
    assert.equal(health.status, 200, 'healthy after the fuzz run');
    const core = await ctx.api.call('GET', '/api/v1/packs/core');
    assert.equal(core.status, 200, 'the core pack survived the fuzz run');
  });
});
