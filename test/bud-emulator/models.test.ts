import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { cloudModel, useBud } from './helpers';

const bud = useBud();

function form(fields: Record<string, string>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(fields)) f.append(k, v);
  return f;
}

describe('providers and list', () => {
  it('lists providers for any active user, filtered by capability', async () => {
    const u = await bud.newUser();
    const all = await bud.call('GET', '/models/providers', undefined, u.access);
    assert.equal(all.status, 200);
    assert.equal(all.body.object, 'providers.list');
    for (const p of all.body.providers) for (const k of ['id', 'name', 'type', 'description', 'icon', 'capabilities']) assert.ok(k in p);
    const mod = await bud.call('GET', '/models/providers?capabilities=moderation', undefined, u.access);
    assert.deepEqual(mod.body.providers.map((p: any) => p.type), ['openai']);
    assert.equal((await bud.call('GET', '/models/providers')).status, 401);
  });

  it('lists models wrapped in {model, endpoints_count} with page/limit pagination and boolean search', async () => {
    const tag = randomUUID().slice(0, 6);
    for (let i = 0; i < 3; i++) await cloudModel(bud, `page-${tag}-${i}`);
    const p1 = await bud.call('GET', `/models/?name=page-${tag}&search=true&page=1&limit=2`, undefined, bud.adminToken);
    const p2 = await bud.call('GET', `/models/?name=page-${tag}&search=true&page=2&limit=2`, undefined, bud.adminToken);
    assert.equal(p1.body.object, 'models.list');
    assert.deepEqual([p1.body.total_record, p1.body.total_pages, p1.body.models.length, p2.body.models.length], [3, 2, 2, 1]);
    assert.equal(p1.body.models[0].endpoints_count, 0);
    const ids = [...p1.body.models, ...p2.body.models].map((m: any) => m.model.id);
    assert.equal(new Set(ids).size, 3);
    const exact = await bud.call('GET', `/models/?name=page-${tag}-1`, undefined, bud.adminToken);
    assert.deepEqual(exact.body.models.map((m: any) => m.model.name), [`page-${tag}-1`]);
    const bad = await bud.call('GET', `/models/?search=page-${tag}`, undefined, bud.adminToken);
    assert.equal(bad.status, 422);
    assert.deepEqual(bad.body.detail[0].loc, ['query', 'search']);
    assert.equal((await bud.call('GET', '/models/?page=0', undefined, bud.adminToken)).status, 422);
    assert.equal((await bud.call('GET', '/models/')).status, 401);
  });
});

describe('get, edit, delete', () => {
  it('gets details; 404 for unknown ids, 422 for malformed ones, 401 without a token', async () => {
    const m = await cloudModel(bud);
    const got = await bud.call('GET', `/models/${m.id}`, undefined, bud.adminToken);
    assert.equal(got.body.object, 'model.get');
    assert.deepEqual([got.body.model.name, got.body.model.provider_type, got.body.model.source, got.body.model.status], [m.name, 'cloud_model', 'openai', 'active']);
    const missing = await bud.call('GET', `/models/${randomUUID()}`, undefined, bud.adminToken);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { object: 'error', message: 'Model not found', type: 'NotFounderror', param: null, code: 404 });
    assert.equal((await bud.call('GET', '/models/not-a-uuid', undefined, bud.adminToken)).status, 422);
    assert.equal((await bud.call('GET', `/models/${m.id}`)).status, 401);
  });

  it('PATCH takes multipart form fields (tags as JSON) and a JSON body changes nothing', async () => {
    const m = await cloudModel(bud);
    const newName = `${m.name}-renamed`;
    const ok = await bud.call('PATCH', `/models/${m.id}`, form({
      name: newName, description: 'A described model', github_url: 'https://github.com/acme/model',
      website_url: 'https://acme.example', tags: JSON.stringify([{ name: 'updated-tag', color: '#00FF00' }]),
    }), bud.adminToken);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.object, 'model.edit');
    const got = (await bud.call('GET', `/models/${m.id}`, undefined, bud.adminToken)).body.model;
    assert.deepEqual([got.name, got.description, got.github_url, got.website_url, got.tags[0].name], [newName, 'A described model', 'https://github.com/acme/model', 'https://acme.example', 'updated-tag']);
    const json = await bud.call('PATCH', `/models/${m.id}`, { name: 'json-name' }, bud.adminToken);
    assert.equal(json.status, 200);
    assert.equal((await bud.call('GET', `/models/${m.id}`, undefined, bud.adminToken)).body.model.name, newName);
    const license = new FormData();
    license.append('license_file', new Blob(['MIT']), 'LICENSE.txt');
    assert.equal((await bud.call('PATCH', `/models/${m.id}`, license, bud.adminToken)).status, 200);
    assert.equal((await bud.call('GET', `/models/${m.id}`, undefined, bud.adminToken)).body.model.model_licenses.name, 'LICENSE.txt');
  });

  it('PATCH validation: 422 for empty/blank/long name, long description, bad URL, bad tags; 400 for a taken name', async () => {
    const m = await cloudModel(bud);
    const other = await cloudModel(bud);
    const bad: Record<string, string>[] = [{ name: '' }, { name: '   ' }, { name: 'x'.repeat(150) }, { description: 'd'.repeat(500) }, { github_url: 'not-a-valid-url' }, { tags: 'not json' }, { tags: '[{"name":"x"}]' }];
    for (const f of bad) {
      const r = await bud.call('PATCH', `/models/${m.id}`, form(f), bud.adminToken);
      assert.equal(r.status, 422, JSON.stringify(f));
      assert.ok(Array.isArray(r.body.detail));
    }
    const taken = await bud.call('PATCH', `/models/${m.id}`, form({ name: other.name.toUpperCase() }), bud.adminToken);
    assert.equal(taken.status, 400);
    assert.equal(taken.body.message, 'Model name already exists');
    assert.equal((await bud.call('PATCH', `/models/${randomUUID()}`, form({ name: 'x' }), bud.adminToken)).status, 404);
    const results = await Promise.all([1, 2, 3].map((i) => bud.call('PATCH', `/models/${m.id}`, form({ name: `${m.name}-c${i}` }), bud.adminToken)));
    assert.deepEqual(results.map((r) => r.status), [200, 200, 200]);
  });

  it('clients get 403, anonymous 401', async () => {
    const u = await bud.newUser();
    const id = randomUUID();
    assert.equal((await bud.call('PATCH', `/models/${id}`, form({ name: 'x' }), u.access)).status, 403);
    assert.equal((await bud.call('DELETE', `/models/${id}`, undefined, u.access)).status, 403);
    assert.equal((await bud.call('DELETE', `/models/${id}`)).status, 401);
    assert.equal((await bud.call('DELETE', `/models/${id}`, undefined, 'invalid_token')).status, 401);
  });

  it('delete is a soft delete: gone from get and list, second delete 404, name reusable', async () => {
    const m = await cloudModel(bud);
    const del = await bud.call('DELETE', `/models/${m.id}`, undefined, bud.adminToken);
    assert.deepEqual([del.status, del.body], [200, { object: 'model.delete', message: 'Model deleted successfully' }]);
    assert.equal((await bud.call('GET', `/models/${m.id}`, undefined, bud.adminToken)).status, 404);
    const list = await bud.call('GET', `/models/?name=${m.name}`, undefined, bud.adminToken);
    assert.equal(list.body.models.length, 0);
    assert.equal((await bud.call('DELETE', `/models/${m.id}`, undefined, bud.adminToken)).status, 404);
    assert.equal((await bud.call('DELETE', '/models/not-a-valid-uuid', undefined, bud.adminToken)).status, 422);
    await cloudModel(bud, m.name);
  });

  it('metadata lists: tags, tasks, authors, catalog', async () => {
    await cloudModel(bud);
    for (const [path, key] of [['tags', 'tags'], ['tasks', 'tasks'], ['authors', 'authors'], ['catalog', 'models']]) {
      const r = await bud.call('GET', `/models/${path}?limit=20`, undefined, bud.adminToken);
      assert.equal(r.status, 200, path);
      assert.ok(Array.isArray(r.body[key]), path);
    }
  });
});
