import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteCachePolicy } from '../config/snapshot.js';
import { GatewayError } from '../spec/errors.js';
import { handleCacheAdmin } from './admin.js';
import { HashedNgramEmbedder } from './embedder.js';
import { ResponseCache } from './response-cache.js';
import { MemoryCacheStore } from './store.js';

const policy: RouteCachePolicy = { mode: 'semantic', ttlMs: 60_000, threshold: 0.75, scope: 'team', embed: 'last_user', maxTemperature: 1, allowN: false, allowLogprobs: false, audit: 0 };

async function filled(): Promise<ResponseCache> {
  const cache = new ResponseCache({ store: new MemoryCacheStore({ maxBytes: 1 << 20 }), embedder: new HashedNgramEmbedder() });
  for (const [route, team] of [['a', 'red'], ['a', 'blue'], ['b', 'red']] as const) {
    for (let i = 0; i < 2; i++) {
      const l = await cache.lookup({ route, policy, request: { model: route, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello there' }] }], stream: false }, caller: { kind: 'key', keyId: 'k', team } });
      if (l.kind === 'miss') l.pending.complete({ id: 'x', model: 'm', created: 1, content: [{ type: 'text', text: 'hi' }], finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 1 } }, { costUsd: 0.001 });
    }
  }
  return cache;
}

const url = (q: string): URL => new URL(`http://x/admin/cache${q}`);

test('GET groups the KPI by route, tenant or both', async () => {
  const cache = await filled();
  const r = (await handleCacheAdmin(cache, 'GET', url('?group_by=route'))).body as { total: { hitExact: number; usdSaved: number }; groups: Array<{ route: string; hitRate: number }>; store: { entries: number } };
  assert.equal(r.total.hitExact, 3);
  assert.equal(r.total.usdSaved, 0.003);
  assert.equal(r.store.entries, 3);
  assert.deepEqual(r.groups.map((g) => [g.route, g.hitRate]), [['a', 0.5], ['b', 0.5]]);
  const t = (await handleCacheAdmin(cache, 'GET', url('?group_by=tenant&team=red'))).body as { groups: Array<{ tenant: string; lookups: number }> };
  assert.deepEqual(t.groups.map((g) => [g.tenant, g.lookups]), [['team:red', 4]]);
});

test('the KPI groups by who asked: key, agent, workflow', async () => {
  const cache = await filled();
  for (const agent of ['triage', 'triage', 'billing']) {
    const l = await cache.lookup({ route: 'a', policy, request: { model: 'a', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello there' }] }], stream: false }, caller: { kind: 'key', keyId: 'k', team: 'red', agent, workflow: 'onboarding' } });
    assert.equal(l.kind, 'hit');
  }
  const r = (await handleCacheAdmin(cache, 'GET', url('?group_by=agent,workflow&route=a'))).body as { groups: Array<{ agent?: string; workflow?: string; hitExact: number }> };
  assert.deepEqual(r.groups.map((g) => [g.agent, g.workflow, g.hitExact]), [[undefined, undefined, 2], ['triage', 'onboarding', 2], ['billing', 'onboarding', 1]]);
});

test('DELETE purges by route and tenant', async () => {
  const cache = await filled();
  assert.deepEqual((await handleCacheAdmin(cache, 'DELETE', url('?route=a&team=red'))).body, { object: 'cache.purge', purged: 1, filter: { route: 'a', scope: 'team:red' } });
  assert.equal(((await handleCacheAdmin(cache, 'DELETE', url('?team=red'))).body as { purged: number }).purged, 1);
  assert.equal(((await handleCacheAdmin(cache, 'DELETE', url(''))).body as { purged: number }).purged, 1);
  assert.equal(cache.store.stats().entries, 0);
  assert.equal(cache.index.size, 0);
});

test('bad input is a GatewayError naming the parameter', async () => {
  const cache = await filled();
  await assert.rejects(handleCacheAdmin(cache, 'GET', url('?group_by=day')), (e: GatewayError) => e.code === 'invalid_request' && e.param === 'group_by');
  await assert.rejects(handleCacheAdmin(cache, 'GET', url('?group_by=route,day')), (e: GatewayError) => e.param === 'group_by');
  await assert.rejects(handleCacheAdmin(cache, 'DELETE', url('?team=a&key=b')), (e: GatewayError) => e.code === 'invalid_request');
  await assert.rejects(handleCacheAdmin(cache, 'DELETE', url('?rout=a')), (e: GatewayError) => e.param === 'rout');
  await assert.rejects(handleCacheAdmin(cache, 'POST', url('')), (e: GatewayError) => e.code === 'method_not_allowed');
});
