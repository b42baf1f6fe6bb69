import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteCachePolicy } from '../config/snapshot.js';
import type { CanonicalRequest, CanonicalResponse } from '../spec/canonical.js';
import { HashedNgramEmbedder, type Embedder } from './embedder.js';
import { cacheHeaders, ResponseCache, type CacheInput, type CacheLookup } from './response-cache.js';
import { MemoryCacheStore } from './store.js';

const policy = (o: Partial<RouteCachePolicy> = {}): RouteCachePolicy => ({
  mode: 'semantic',
  ttlMs: 60_000,
  threshold: 0.75,
  scope: 'key',
  embed: 'last_user',
  maxTemperature: 1,
  allowN: false,
  allowLogprobs: false,
  audit: 0,
  ...o,
});

const request = (text: string, o: Partial<CanonicalRequest> = {}): CanonicalRequest => ({
  model: 'support',
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'You are a support bot.' }] },
    { role: 'user', content: [{ type: 'text', text }] },
  ],
  stream: false,
  ...o,
});

const response = (text: string): CanonicalResponse => ({ id: 'r1', model: 'm', created: 1, content: [{ type: 'text', text }], finishReason: 'stop', usage: { inputTokens: 20, outputTokens: 10 } });

function setup(o: { clock?: () => number; embedder?: Embedder } = {}): ResponseCache {
  const clock = o.clock ?? (() => 1_000_000);
  return new ResponseCache({ store: new MemoryCacheStore({ maxBytes: 1 << 20, clock }), embedder: o.embedder ?? new HashedNgramEmbedder(), clock });
}

const input = (text: string, o: Partial<CacheInput> = {}, r: Partial<CanonicalRequest> = {}): CacheInput => ({
  route: 'support',
  policy: policy(),
  request: request(text, r),
  caller: { kind: 'key', keyId: 'k1' },
  ...o,
});

async function fill(cache: ResponseCache, i: CacheInput, answer: string, costUsd?: number): Promise<void> {
  const l = await cache.lookup(i);
  assert.equal(l.kind, 'miss');
  if (l.kind === 'miss') l.pending.complete(response(answer), { costUsd });
  await Promise.resolve();
}

function hitText(l: CacheLookup): string | undefined {
  if (l.kind !== 'hit') return undefined;
  const p = l.answer.response.content[0];
  return p?.type === 'text' ? p.text : undefined;
}

test('exact hit after a miss, with headers, age and savings', async () => {
  let now = 1_000_000;
  const cache = setup({ clock: () => now });
  await fill(cache, input('How do I reset my password?'), 'Use the link.', 0.002);
  now += 5_000;
  const l = await cache.lookup(input('How do I reset my password?', {}, { stream: true, user: 'u', metadata: { x: '1' } }));
  assert.equal(hitText(l), 'Use the link.');
  assert.deepEqual(cacheHeaders(l), ['x-modelplane-cache', 'hit-exact', 'age', '5']);
  const row = cache.stats.rows(['route'])[0]!;
  assert.equal(row.hitExact, 1);
  assert.equal(row.miss, 1);
  assert.equal(row.tokensSaved, 30);
  assert.equal(row.usdSaved, 0.002);
  assert.equal(row.hitRate, 0.5);
});

test('a paraphrase is a semantic hit; a near-duplicate asking something else is rejected by the verifier', async () => {
  const cache = setup();
  await fill(cache, input('How do I convert a list to a set in Python?'), 'set(xs)');
  const para = await cache.lookup(input('How can I convert a list into a set in Python?'));
  assert.equal(hitText(para), 'set(xs)');
  assert.equal(para.kind === 'hit' && para.layer, 'semantic');
  assert.equal(cacheHeaders(para)[0 + 2 + 2], 'x-modelplane-cache-similarity');
  const other = await cache.lookup(input('How do I convert a set to a list in Python?'));
  assert.equal(other.kind, 'miss');
  if (other.kind === 'miss') other.pending.abandon();
  assert.equal(cache.stats.total().verifierRejected, 1);
});

test('semantic candidates are only those with the same context (system prompt, earlier turns, options)', async () => {
  const cache = setup();
  await fill(cache, input('How do I reset my password?'), 'A');
  const r = request('How can I reset my password?');
  r.messages[0] = { role: 'system', content: [{ type: 'text', text: 'You are a pirate.' }] };
  const l1 = await cache.lookup(input('', { request: r }));
  assert.equal(l1.kind, 'miss');
  if (l1.kind === 'miss') l1.pending.abandon();
  const l2 = await cache.lookup(input('How can I reset my password?', {}, { temperature: 0.3 }));
  assert.equal(l2.kind, 'miss');
});

test('exact mode never serves a paraphrase', async () => {
  const cache = setup();
  const exact = { policy: policy({ mode: 'exact' }) };
  await fill(cache, input('How do I reset my password?', exact), 'A');
  const l = await cache.lookup(input('How can I reset my password?', exact));
  assert.equal(l.kind, 'miss');
});

test('no-store bypasses both ways; no-cache skips the lookup but stores', async () => {
  const cache = setup();
  await fill(cache, input('Q?'), 'old');
  assert.equal((await cache.lookup(input('Q?', { cacheControl: 'no-store' }))).kind, 'bypass');
  assert.equal((await cache.lookup(input('Q?', {}, { metadata: { cache_control: 'no-store' } }))).kind, 'bypass');
  const fresh = await cache.lookup(input('Q?', { cacheControl: 'no-cache' }));
  assert.equal(fresh.kind === 'miss' && fresh.header, 'bypass');
  if (fresh.kind === 'miss') fresh.pending.complete(response('new'));
  assert.equal(hitText(await cache.lookup(input('Q?'))), 'new');
});

test('n > 1, logprobs and hot temperatures bypass unless the route allows them', async () => {
  const cache = setup();
  assert.equal((await cache.lookup(input('Q?', {}, { n: 2 }))).kind, 'bypass');
  assert.equal((await cache.lookup(input('Q?', {}, { logprobs: true }))).kind, 'bypass');
  assert.equal((await cache.lookup(input('Q?', {}, { temperature: 1.5 }))).kind, 'bypass');
  assert.equal((await cache.lookup(input('Q?', { policy: policy({ allowN: true }) }, { n: 2 }))).kind, 'miss');
  assert.equal(cache.stats.total().bypass, 3);
});

test('entries expire with the route TTL', async () => {
  let now = 0;
  const cache = setup({ clock: () => now });
  await fill(cache, input('Q?', { policy: policy({ ttlMs: 1000 }) }), 'A');
  now = 999;
  assert.equal((await cache.lookup(input('Q?'))).kind, 'hit');
  now = 1000;
  const l = await cache.lookup(input('Q?'));
  assert.equal(l.kind, 'miss');
});

test('a failing embedder degrades to exact-only, never to an error', async () => {
  const broken: Embedder = { name: 'broken', embed: () => Promise.reject(new Error('down')) };
  const warnings: string[] = [];
  const store = new MemoryCacheStore({ maxBytes: 1 << 20 });
  const cache = new ResponseCache({ store, embedder: broken, warn: (m) => warnings.push(m) });
  await fill(cache, input('How do I reset my password?'), 'A');
  assert.equal((await cache.lookup(input('How do I reset my password?'))).kind, 'hit');
  const l = await cache.lookup(input('How can I reset my password?'));
  assert.equal(l.kind, 'miss');
  assert.equal(cache.stats.total().embedderErrors, 2, 'the exact hit never embeds');
  assert.ok(warnings.length > 0);
});

test('purge by route or scope removes the answers and their vectors', async () => {
  const cache = setup();
  await fill(cache, input('How do I reset my password?'), 'A');
  await fill(cache, input('How do I reset my password?', { caller: { kind: 'key', keyId: 'k2' } }), 'B');
  await fill(cache, input('How do I reset my password?', { route: 'other' }), 'C');
  assert.equal(cache.index.size, 3);
  assert.equal(await cache.purge({ scope: 'key:k2' }), 1);
  assert.equal(await cache.purge({ route: 'other' }), 1);
  assert.equal(cache.index.size, 1);
  assert.equal(hitText(await cache.lookup(input('How can I reset my password?'))), 'A');
  assert.equal((await cache.lookup(input('How do I reset my password?', { caller: { kind: 'key', keyId: 'k2' } }))).kind, 'miss');
});
