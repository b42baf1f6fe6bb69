import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RouteCachePolicy } from '../config/snapshot.js';
import type { CanonicalResponse } from '../spec/canonical.js';
import { answerBytes, type CachedAnswer } from './answer.js';
import { HashedNgramEmbedder } from './embedder.js';
import { ResponseCache, type CacheInput } from './response-cache.js';
import { SqliteCacheStore } from './sqlite-cache-store.js';

const dirs: string[] = [];
function dbPath(): string {
  const d = mkdtempSync(join(tmpdir(), 'mp-cache-'));
  dirs.push(d);
  return join(d, 'cache.sqlite');
}
process.on('exit', () => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const response = (text: string): CanonicalResponse => ({ id: 'r', model: 'm', created: 1, content: [{ type: 'text', text }], finishReason: 'stop' });
const answer = (text: string, storedAt: number, route = 'r', scope = 's'): CachedAnswer => ({ response: response(text), storedAt, route, scope, bytes: answerBytes(response(text)) });
const policy: RouteCachePolicy = { mode: 'semantic', ttlMs: 60_000, threshold: 0.75, scope: 'key', embed: 'last_user', maxTemperature: 1, allowN: false, allowLogprobs: false, audit: 0 };
const input = (text: string): CacheInput => ({ route: 'support', policy, request: { model: 'support', messages: [{ role: 'user', content: [{ type: 'text', text }] }], stream: false }, caller: { kind: 'key', keyId: 'k' } });

test('answers survive a restart, semantic ones re-indexed; the hot path never waits for the disk', async () => {
  const path = dbPath();
  const s1 = new SqliteCacheStore({ path, maxBytes: 1 << 20, flushIntervalMs: 60_000 });
  const c1 = new ResponseCache({ store: s1, embedder: new HashedNgramEmbedder() });
  const l = await c1.lookup(input('How do I reset my password?'));
  assert.equal(l.kind, 'miss');
  if (l.kind === 'miss') l.pending.complete(response('Use the link.'));
  await Promise.resolve();
  assert.equal((await c1.lookup(input('How do I reset my password?'))).kind, 'hit', 'served from memory before any flush');
  s1.close(); // flushes
  const s2 = new SqliteCacheStore({ path, maxBytes: 1 << 20 });
  const c2 = new ResponseCache({ store: s2, embedder: new HashedNgramEmbedder() });
  assert.equal(c2.reindex(s2.entries()), 1);
  const exact = await c2.lookup(input('How do I reset my password?'));
  assert.equal(exact.kind === 'hit' && exact.layer, 'exact');
  const para = await c2.lookup(input('How can I reset my password?'));
  assert.equal(para.kind === 'hit' && para.layer, 'semantic');
  s2.close();
});

test('expired rows are not loaded; remaining TTL is kept', async () => {
  const path = dbPath();
  let now = 1_000;
  const s1 = new SqliteCacheStore({ path, maxBytes: 1 << 20, clock: () => now });
  await s1.set('short', answer('a', now), 100);
  await s1.set('long', answer('b', now), 1_000);
  s1.close();
  now = 1_500;
  const s2 = new SqliteCacheStore({ path, maxBytes: 1 << 20, clock: () => now });
  assert.equal(await s2.get('short'), undefined);
  assert.ok(await s2.get('long'));
  now = 2_000;
  assert.equal(await s2.get('long'), undefined, 'expires when it would have without the restart');
  s2.close();
});

test('purges and evictions are written through', async () => {
  const path = dbPath();
  const s1 = new SqliteCacheStore({ path, maxBytes: 1 << 20 });
  await s1.set('a', answer('a', 1, 'r1'), 60_000);
  await s1.set('b', answer('b', 2, 'r2'), 60_000);
  s1.flush();
  assert.equal(await s1.purge({ route: 'r1' }), 1);
  s1.close();
  const s2 = new SqliteCacheStore({ path, maxBytes: 1 << 20 });
  assert.equal(await s2.get('a'), undefined);
  assert.ok(await s2.get('b'));
  s2.close();
});

test('a load larger than memory keeps the newest entries', async () => {
  const path = dbPath();
  const s1 = new SqliteCacheStore({ path, maxBytes: 1 << 20 });
  for (let i = 0; i < 10; i++) await s1.set(`k${i}`, answer(`answer ${i}`, 100 + i), 60_000);
  s1.close();
  const one = answerBytes(response('answer 0'));
  const s2 = new SqliteCacheStore({ path, maxBytes: one * 3, maxEntryBytes: one * 3 });
  assert.equal(s2.stats().entries, 3);
  assert.ok(await s2.get('k9'));
  assert.equal(await s2.get('k0'), undefined);
  s2.close();
  const s3 = new SqliteCacheStore({ path, maxBytes: 1 << 20 });
  assert.equal(s3.stats().entries, 3, 'rows that did not fit were deleted, so the file stays bounded');
  s3.close();
});
