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

test('since: the counters of a window (from the five-minute bucket it falls in), up to 24 hours back', async () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const cache = new ResponseCache({ store: new MemoryCacheStore({ maxBytes: 1 << 20 }), embedder: new HashedNgramEmbedder(), clock: () => now });
  const ask = async (text: string) => {
    const l = await cache.lookup({ route: 'a', policy: { ...policy, ttlMs: 3 * 86_400_000 }, request: { model: 'a', messages: [{ role: 'user', content: [{ type: 'text', text }] }], stream: false }, caller: { kind: 'key', keyId: 'k', team: 'red' } });
    if (l.kind === 'miss') l.pending.complete({ id: 'x', model: 'm', created: 1, content: [{ type: 'text', text: 'hi' }], finishReason: 'stop' }, { costUsd: 0.01 });
    return l.kind;
  };
  assert.equal(await ask('first question'), 'miss');
  assert.equal(await ask('first question'), 'hit');
  now += 2 * 3_600_000; // two hours later
  assert.equal(await ask('first question'), 'hit');
  assert.equal(await ask('second question'), 'miss');
  const get = async (q: string) => (await handleCacheAdmin(cache, 'GET', url(q), now)).body as { since?: string; total: { hitExact: number; miss: number; usdSaved: number }; groups: Array<{ route: string; lookups: number }> };
  const all = await get('');
  assert.deepEqual([all.total.hitExact, all.total.miss, all.since], [2, 2, undefined]);
  const hour = await get('?since=1h&group_by=route');
  assert.deepEqual([hour.total.hitExact, hour.total.miss, hour.total.usdSaved], [1, 1, 0.01]);
  assert.equal(hour.since, '2026-01-01T01:00:00.000Z');
  assert.deepEqual(hour.groups.map((g) => [g.route, g.lookups]), [['a', 2]]);
  assert.equal((await get('?since=2026-01-01T00:00:00Z')).total.hitExact, 2);
  await assert.rejects(handleCacheAdmin(cache, 'GET', url('?since=2d'), now), (e: GatewayError) => e.param === 'since' && /24h/.test(e.message));
  await assert.rejects(handleCacheAdmin(cache, 'GET', url('?since=yesterday'), now), (e: GatewayError) => e.param === 'since');
  // A day on, the first hours have left the window; the totals since start still hold them.
  now += 23 * 3_600_000;
  assert.equal(await ask('first question'), 'hit');
  assert.deepEqual([(await get('?since=24h')).total.hitExact, (await get('')).total.hitExact], [2, 3]);
});
