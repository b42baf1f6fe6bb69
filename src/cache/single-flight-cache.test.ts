// Single-flight through the response cache: identical concurrent misses make one upstream call;
// a leader that fails does not fail its followers.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteCachePolicy } from '../config/snapshot.js';
import type { CanonicalResponse } from '../spec/canonical.js';
import { HashedNgramEmbedder } from './embedder.js';
import { ResponseCache, type CacheInput, type CacheLookup } from './response-cache.js';
import { MemoryCacheStore } from './store.js';

const policy: RouteCachePolicy = { mode: 'exact', ttlMs: 60_000, threshold: 0.75, scope: 'team', embed: 'last_user', maxTemperature: 1, allowN: false, allowLogprobs: false, audit: 0 };
let seq = 0;
const input = (team: string): CacheInput => ({
  route: 'r',
  policy,
  request: { model: 'r', messages: [{ role: 'user', content: [{ type: 'text', text: 'Same question' }] }], stream: false },
  caller: { kind: 'key', keyId: `key-${seq++}`, team },
});
const response: CanonicalResponse = { id: 'x', model: 'm', created: 1, content: [{ type: 'text', text: 'answer' }], finishReason: 'stop' };

/** Simulates the stage: a miss calls "upstream", then completes or abandons. */
async function serve(cache: ResponseCache, i: CacheInput, upstream: () => Promise<CanonicalResponse | undefined>): Promise<CacheLookup> {
  const l = await cache.lookup(i);
  if (l.kind !== 'miss') return l;
  const r = await upstream();
  if (r) l.pending.complete(r);
  else l.pending.abandon();
  return l;
}

test('100 identical concurrent requests make 1 upstream call', async () => {
  const cache = new ResponseCache({ store: new MemoryCacheStore({ maxBytes: 1 << 20 }), embedder: new HashedNgramEmbedder() });
  let calls = 0;
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  const upstream = async (): Promise<CanonicalResponse> => {
    calls++;
    await gate;
    return response;
  };
  const all = Array.from({ length: 100 }, () => serve(cache, input('red'), upstream));
  // Another team's identical request is not a follower of red's flight.
  const blue = serve(cache, input('blue'), upstream);
  while (calls < 2) await new Promise((r) => setImmediate(r));
  open();
  const results = await Promise.all(all);
  await blue;
  assert.equal(calls, 2, 'one call for red, one for blue');
  assert.equal(results.filter((l) => l.kind === 'hit').length, 99);
  assert.equal(cache.stats.rows(['tenant']).find((r) => r.tenant === 'team:red')!.sharedInFlight, 99);
});

test('when the leader fails, a follower leads the retry and the others share its answer', async () => {
  const cache = new ResponseCache({ store: new MemoryCacheStore({ maxBytes: 1 << 20 }), embedder: new HashedNgramEmbedder() });
  let calls = 0;
  let fail!: () => void;
  const failed = new Promise<void>((r) => (fail = r));
  const upstream = async (): Promise<CanonicalResponse | undefined> => {
    calls++;
    if (calls === 1) {
      await failed;
      return undefined;
    }
    return response;
  };
  const leader = serve(cache, input('red'), upstream);
  const followers = Array.from({ length: 20 }, () => serve(cache, input('red'), upstream));
  while (calls < 1) await new Promise((r) => setImmediate(r));
  fail();
  assert.equal((await leader).kind, 'miss');
  const results = await Promise.all(followers);
  assert.equal(calls, 2);
  assert.equal(results.filter((l) => l.kind === 'miss').length, 1, 'one follower became the leader');
  assert.equal(results.filter((l) => l.kind === 'hit').length, 19);
});
