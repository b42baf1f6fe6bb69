// `threshold: auto` through the response cache: near misses are observed for free once their
// fresh answer is in, and the route's threshold moves with the evidence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import type { RouteCachePolicy } from '../config/snapshot.js';
import type { CanonicalResponse } from '../spec/canonical.js';
import type { SyncEmbedder } from './embedder.js';
import { ResponseCache, type CacheLookup } from './response-cache.js';
import { MemoryCacheStore } from './store.js';

const policy: RouteCachePolicy = { mode: 'semantic', ttlMs: 60_000, threshold: 0.75, scope: 'key', embed: 'last_user', maxTemperature: 1, allowN: false, allowLogprobs: false, audit: 0, maxError: 0.01 };

// Three paraphrases the verifier accepts, placed so that A·B = 0.7 and A·C = 0.705 (under the start of
// 0.75, within the near-miss window) and B·C ≈ 0.24.
const A = 'How do I reset my password?';
const B = 'How can I reset my password?';
const C = 'How would I reset my password?';
const vectors: Record<string, number[]> = { [A]: [1, 0, 0], [B]: [0.7, 0.71414, 0], [C]: [0.705, -0.35707, 0.61276] };
const embedder: SyncEmbedder = {
  name: 'fixed',
  embedSync: (t) => Float32Array.from(vectors[t] ?? [0, 0, 1]),
  embed: (ts) => Promise.resolve(ts.map((t) => Float32Array.from(vectors[t] ?? [0, 0, 1]))),
};
const answer = (text: string): CanonicalResponse => ({ id: 'r', model: 'm', created: 1, content: [{ type: 'text', text }], finishReason: 'stop' });

function ask(cache: ResponseCache, text: string): Promise<CacheLookup> {
  return cache.lookup({ route: 'faq', policy, request: { model: 'faq', messages: [{ role: 'user', content: [{ type: 'text', text }] }], stream: false }, caller: { kind: 'key', keyId: 'k' } });
}

test('a near miss is observed once its fresh answer is in; enough agreeing evidence lowers the threshold so the next paraphrase hits', async () => {
  const cache = new ResponseCache({ store: new MemoryCacheStore({ maxBytes: 1 << 20 }), embedder });
  const a = await ask(cache, A);
  assert.equal(a.kind, 'miss');
  if (a.kind === 'miss') a.pending.complete(answer('Open Settings, then Security, then Reset password.'));
  await tick();
  const b = await ask(cache, B);
  assert.equal(b.kind, 'miss', '0.7 is under the start of 0.75');
  if (b.kind === 'miss') b.pending.complete(answer('Open Settings, then Security, then Reset password.'));
  await tick();
  await tick();
  const [row] = cache.thresholds.calibrator.report();
  assert.deepEqual([row!.route, row!.nearMisses, row!.observations, row!.wrong], ['faq', 1, 1, 0]);
  assert.equal(cache.thresholds.threshold('faq', policy), 0.75, 'one observation proves nothing');
  // What many more such near misses would teach (fed directly: each needs its own partition otherwise).
  for (let i = 0; i < 400; i++) cache.thresholds.calibrator.observe('faq', 0.75, 0.01, { similarity: 0.7, wrong: false }, 'near-miss');
  assert.equal(cache.thresholds.threshold('faq', policy), 0.7);
  const c = await ask(cache, C);
  assert.equal(c.kind, 'hit');
  assert.equal(c.kind === 'hit' && c.layer, 'semantic');
});

test('a near miss whose answer disagrees counts as wrong; wrong evidence at the start raises the threshold', async () => {
  const cache = new ResponseCache({ store: new MemoryCacheStore({ maxBytes: 1 << 20 }), embedder });
  const a = await ask(cache, A);
  if (a.kind === 'miss') a.pending.complete(answer('Open Settings, then Security, then Reset password.'));
  await tick();
  const b = await ask(cache, B);
  if (b.kind === 'miss') b.pending.complete(answer('Refunds take five to seven business days to arrive.'));
  await tick();
  await tick();
  assert.equal(cache.thresholds.calibrator.report()[0]!.wrong, 1);
  for (let i = 0; i < 200; i++) cache.thresholds.observeAudit('faq', policy, 0.8, i % 4 !== 0);
  assert.equal(cache.thresholds.threshold('faq', policy), 1, 'a quarter wrong at 0.8: nothing below 1 is proven');
});
