// Exact cache entries in a real redis-server: stored through one instance's store, read through
// another's, kept for their TTL, purged by route across instances.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, type ManagedServer } from '../../../testkit/cluster-servers.js';
import type { CachedAnswer } from '../../cache/answer.js';
import { RedisCacheStore } from './cache-store.js';
import { createRedis, ready } from './client.js';
import { noRedis } from './governors.suite.js';

let server: ManagedServer;
before(async () => {
  if (!noRedis) server = await startRedis();
});
after(async () => {
  await server?.close();
});

const answer = (route: string, text: string): CachedAnswer => ({
  response: { id: 'r1', model: 'm', created: 1, content: [{ type: 'text', text }], finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 2 } },
  storedAt: 1,
  route,
  scope: 'global',
  costUsd: 0.001,
  bytes: 500,
});

test('an answer stored through A is a hit through B, for its TTL; purge by route reaches every instance’s entries', { skip: noRedis }, async () => {
  const ra = createRedis(server.url);
  const rb = createRedis(server.url);
  await Promise.all([ready(ra), ready(rb)]);
  try {
    const a = new RedisCacheStore({ redis: ra, prefix: 'ct:', maxEntryBytes: 10_000 });
    const b = new RedisCacheStore({ redis: rb, prefix: 'ct:', maxEntryBytes: 10_000 });
    assert.equal(await b.get('k1'), undefined);
    assert.equal(await a.set('k1', answer('chat', 'hello'), 60_000), true);
    assert.deepEqual(await b.get('k1'), answer('chat', 'hello'));
    const ttl = await rb.pttl('ct:cache:k1');
    assert.ok(ttl > 0 && ttl <= 60_000, `ttl ${ttl}`);
    assert.equal(await a.set('big', { ...answer('chat', 'x'), bytes: 20_000 }, 1000), false, 'over max_entry_bytes is refused');
    await b.set('k2', answer('other', 'bye'), 60_000);
    await a.set('k3', answer('chat', 'again'), 60_000);
    const removed: string[] = [];
    b.onRemoved((k) => removed.push(k));
    assert.equal(await b.purge({ route: 'chat' }), 2);
    assert.deepEqual(removed.sort(), ['k1', 'k3']);
    assert.equal(await a.get('k1'), undefined);
    assert.equal((await a.get('k2'))?.route, 'other');
  } finally {
    ra.disconnect();
    rb.disconnect();
  }
});

test('Redis away: a lookup is a miss and a store is refused, never an error', { skip: noRedis }, async () => {
  const r = createRedis(server.url);
  await ready(r);
  r.disconnect();
  const s = new RedisCacheStore({ redis: r, prefix: 'ct:' });
  assert.equal(await s.get('k1'), undefined);
  assert.equal(await s.set('k1', answer('chat', 'x'), 1000), false);
});
