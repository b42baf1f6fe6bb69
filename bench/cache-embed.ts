// Micro-costs of the cache's hot path, on this machine: the exact key of a typical request, the
// local embedder, the verifier, and a brute-force semantic lookup over partitions of growing size.
// Usage: npx tsc -p tsconfig.json && node dist/bench/cache-embed.js
// Loop timings flatter a cold server path (docs/architecture.md, "Cost on the hot path"); the
// gateway-level figures are in bench/cache-gateway.ts.

import { HashedNgramEmbedder } from '../src/cache/embedder.js';
import { exactKey } from '../src/cache/exact-key.js';
import { loadPairs } from '../src/cache/evaluate.js';
import { indexEntryBytes, VectorIndex } from '../src/cache/vector-index.js';
import { textFeatures, verify } from '../src/cache/verifier.js';
import type { CanonicalRequest } from '../src/spec/canonical.js';
import { summariseLatencies } from './stats.js';

const pairs = loadPairs(new URL('../../test/data/cache-pairs.jsonl', import.meta.url));
const texts = pairs.flatMap((p) => [p.a, p.b]);
const e = new HashedNgramEmbedder();

/** Per-call latencies in µs, each sample timing `batch` calls (the timer's own cost amortised). */
function measure(label: string, rounds: number, batch: number, fn: (i: number) => void): void {
  for (let i = 0; i < batch * 20; i++) fn(i); // warm-up
  const samples: number[] = [];
  let k = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn(k++);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e3 / batch);
  }
  const s = summariseLatencies(samples);
  console.log(`| ${label} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} |`);
}

const request = (text: string): CanonicalRequest => ({
  model: 'support',
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'You are the support assistant of an online shop. Answer in two sentences, politely, in the language of the question.' }] },
    { role: 'user', content: [{ type: 'text', text }] },
  ],
  temperature: 0,
  maxTokens: 256,
  stream: false,
});
const requests = texts.map(request);

console.log(`texts: ${texts.length}, mean length ${Math.round(texts.reduce((n, t) => n + t.length, 0) / texts.length)} chars`);
console.log('| operation | p50 µs | p99 µs (of batch means) |');
console.log('|---|---|---|');
measure('exact key (stable JSON + SHA-256) of a 2-message request', 200, 100, (i) => void exactKey('key:k1', 'support', requests[i % requests.length]!));
measure('local embedding (512 dims) of one question', 200, 100, (i) => void e.embedSync(texts[i % texts.length]!));
measure('verifier on one candidate, both texts prepared on the spot', 200, 100, (i) => void verify(texts[i % texts.length]!, texts[(i + 1) % texts.length]!));
const prepared = texts.map((t) => textFeatures(t));
measure('verifier on one candidate, features prepared (as in a lookup)', 200, 100, (i) => void verify(prepared[i % prepared.length]!, prepared[(i + 1) % prepared.length]!));
for (const n of [100, 1000]) {
  const idx = new VectorIndex({ maxPerPartition: n, maxPartitions: 10, bucketMin: Infinity });
  for (let i = 0; i < n; i++) {
    const t = `${texts[i % texts.length]} variant ${i}`;
    idx.add('p', { key: `k${i}`, text: t, vector: e.embedSync(t) });
  }
  const queries = texts.map((t) => e.embedSync(t));
  measure(`nearest 4 in a partition of ${n} (brute force)`, 100, 10, (i) => void idx.nearest('p', queries[i % queries.length]!, 4, 0.75));
}
const nnz = texts.reduce((n, t) => n + e.embedSync(t).filter((x) => x !== 0).length, 0) / texts.length;
// What the byte bound counts per index entry (sparse vector, text, the verifier's features, headers).
const perEntry = Math.round(texts.reduce((n, t) => n + indexEntryBytes(e.embedSync(t), t), 0) / texts.length);
console.log(`non-zero dimensions per question: ${nnz.toFixed(1)} of 512; memory per indexed entry ~${perEntry} bytes, ~${Math.round((perEntry * 1e6) / 2 ** 20)} MiB per million (the cached answers themselves are counted by the store)`);

// A whole exact-hit lookup (plan, scope, KPI cell, exact key, store, trends), as the stage calls it.
const { ResponseCache } = await import('../src/cache/response-cache.js');
const { MemoryCacheStore } = await import('../src/cache/store.js');
const cache = new ResponseCache({ store: new MemoryCacheStore({ maxBytes: 64 << 20 }), embedder: e });
const exactPolicy = { mode: 'exact' as const, ttlMs: 3_600_000, threshold: 0.75, scope: 'key' as const, embed: 'last_user' as const, maxTemperature: 1, allowN: false, allowLogprobs: false, audit: 0 };
const caller = { kind: 'key' as const, keyId: 'k1', team: 't', agent: 'a' };
for (const r of requests) {
  const l = await cache.lookup({ route: 'support', policy: exactPolicy, request: r, caller });
  if (l.kind === 'miss') l.pending.complete({ id: 'x', model: 'm', created: 1, content: [{ type: 'text', text: 'An answer of about the usual length for a support question.' }], finishReason: 'stop' });
}
const samples: number[] = [];
for (let round = 0; round < 200; round++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 100; i++) await cache.lookup({ route: 'support', policy: exactPolicy, request: requests[(round * 100 + i) % requests.length]!, caller });
  samples.push(Number(process.hrtime.bigint() - t0) / 1e3 / 100);
}
const hs = summariseLatencies(samples);
console.log(`| exact-hit lookup, whole (ResponseCache.lookup) | ${hs.p50.toFixed(2)} | ${hs.p99.toFixed(2)} |`);
