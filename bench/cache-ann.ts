// The semantic index at scale: one partition (a global-scope route with one context, the worst
// case) filled with N synthetic support questions, queried with paraphrase-like rewrites of
// stored ones. Reports memory per entry, lookup p50/p99 of the bucketed index and of brute
// force, and the bucketed index's recall against brute force (the neighbours with similarity
// >= --min, top 4).
// Usage: npx tsc -p tsconfig.json && node --expose-gc --max-old-space-size=6144 dist/bench/cache-ann.js [--n 1000000] [--queries 300] [--min 0.7]
// The questions: the labelled sets' texts with one or two content words replaced by words drawn
// Zipf-like from their vocabulary, and a number in a third of them, so that common words make
// long buckets as in real traffic.

import { parseArgs } from 'node:util';
import { HashedNgramEmbedder } from '../src/cache/embedder.js';
import { loadPairs } from '../src/cache/evaluate.js';
import { VectorIndex, type Neighbour } from '../src/cache/vector-index.js';
import { indexKey, textFeatures, verify } from '../src/cache/verifier.js';
import { summariseLatencies } from './stats.js';

const { values: a } = parseArgs({ options: { n: { type: 'string' }, queries: { type: 'string' }, min: { type: 'string' }, seed: { type: 'string' } } });
const N = Number(a.n ?? 1_000_000);
const Q = Number(a.queries ?? 300);
const MIN = Number(a.min ?? 0.7);

let seed = Number(a.seed ?? 42);
const rand = (): number => {
  // mulberry32: a deterministic run, so figures can be reproduced.
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
/** Zipf-like: index i with weight 1/(i+1). */
const zipf = <T>(xs: readonly T[]): T => xs[Math.min(xs.length - 1, Math.floor(Math.exp(rand() * Math.log(xs.length + 1)) - 1))]!;

const base = [...loadPairs(new URL('../../test/data/cache-pairs.jsonl', import.meta.url)), ...loadPairs(new URL('../../test/data/cache-pairs-holdout.jsonl', import.meta.url))].flatMap((p) => [p.a, p.b]);
const vocab = [...new Set(base.flatMap((t) => t.toLowerCase().match(/[a-z]{4,}/g) ?? []))];
vocab.sort(() => rand() - 0.5);

function question(): string {
  let t = pick(base);
  const words = t.match(/[A-Za-z]{4,}/g) ?? [];
  for (let r = 0; r < 1 + Math.floor(rand() * 2) && words.length > 0; r++) t = t.replace(pick(words), zipf(vocab));
  if (rand() < 0.33) t += ` (ref ${Math.floor(rand() * 100_000)})`;
  return t;
}

function paraphrase(t: string): string {
  const swaps: Array<[RegExp, string]> = [[/\bHow do I\b/, 'How can I'], [/\bHow can I\b/, 'How do I'], [/\bmy\b/, 'the'], [/\?$/, ', please?'], [/\bWhat is\b/, "What's"]];
  for (const [re, to] of swaps) if (re.test(t)) return t.replace(re, to);
  return `${t} please`;
}

const e = new HashedNgramEmbedder();
const gc = (globalThis as { gc?: () => void }).gc;
const heap = (): number => {
  gc?.();
  return process.memoryUsage().heapUsed;
};

const texts: string[] = [];
for (let i = 0; i < N; i++) texts.push(question());
const bucketed = new VectorIndex({ maxPerPartition: N });
const before = heap();
let t0 = performance.now();
for (let i = 0; i < N; i++) bucketed.add('p', { key: `k${i}`, text: texts[i]!, vector: e.embedSync(texts[i]!) });
const addMs = performance.now() - t0;
const bytes = heap() - before;
console.log(`entries: ${bucketed.size} in one partition; built in ${(addMs / 1000).toFixed(1)} s (embedding included), ${(addMs * 1000 / N).toFixed(1)} µs per add`);
console.log(`heap: ${(bytes / 2 ** 20).toFixed(0)} MiB, ${Math.round(bytes / N)} bytes per entry (vector, text, verifier features, buckets)`);

// Brute force over the same entries: a second index that never buckets. It shares nothing with
// the first, so memory doubles: figures above are measured before it exists.
const brute = new VectorIndex({ maxPerPartition: N, bucketMin: Infinity });
for (let i = 0; i < N; i++) brute.add('p', { key: `k${i}`, text: texts[i]!, vector: e.embedSync(texts[i]!) });

const queryTexts = Array.from({ length: Q }, () => paraphrase(pick(texts)));
const queries = queryTexts.map((t) => e.embedSync(t));
// The words are computed inside the timed call, as the semantic layer does (once per lookup).
const time = (idx: VectorIndex): { micros: number[]; results: Neighbour[][] } => {
  const micros: number[] = [];
  const results: Neighbour[][] = [];
  for (let i = 0; i < Q; i++) {
    t0 = performance.now();
    results.push(idx.nearest('p', queries[i]!, 4, MIN, () => indexKey(textFeatures(queryTexts[i]!))));
    micros.push((performance.now() - t0) * 1000);
  }
  return { micros, results };
};
time(bucketed); // warm-up
const b = time(bucketed);
const f = time(brute);
let truth = 0;
let found = 0;
let bestTruth = 0;
let bestFound = 0;
// What matters in the end: the neighbours the verifier accepts (the ones that could be served).
let verifiedTruth = 0;
let verifiedFound = 0;
for (let i = 0; i < Q; i++) {
  const qf = textFeatures(queryTexts[i]!);
  const ok = (n: Neighbour): boolean => verify(qf, n.entry.features).ok;
  const wantVerified = f.results[i]!.filter(ok).map((n) => n.entry.key);
  const gotVerified = new Set(b.results[i]!.filter(ok).map((n) => n.entry.key));
  verifiedTruth += wantVerified.length;
  verifiedFound += wantVerified.filter((k) => gotVerified.has(k)).length;
  const want = f.results[i]!.map((n) => n.entry.key);
  const got = new Set(b.results[i]!.map((n) => n.entry.key));
  truth += want.length;
  found += want.filter((k) => got.has(k)).length;
  if (want.length > 0) {
    bestTruth++;
    if (got.has(want[0]!)) bestFound++;
  }
}
const sb = summariseLatencies(b.micros);
const sf = summariseLatencies(f.micros);
console.log(`queries: ${Q}, neighbours with similarity >= ${MIN} (top 4) per query: ${(truth / Q).toFixed(2)}`);
const pc = (k: number, n: number): string => `${((k / Math.max(1, n)) * 100).toFixed(1)}%`;
console.log(`verified neighbours per query (what could be served): ${(verifiedTruth / Q).toFixed(2)}`);
console.log('| index | lookup p50 µs | p99 µs | recall@4 (vs brute force) | best neighbour found | verified neighbours found |');
console.log('|---|---|---|---|---|---|');
console.log(`| by index key | ${sb.p50.toFixed(0)} | ${sb.p99.toFixed(0)} | ${pc(found, truth)} | ${pc(bestFound, bestTruth)} | ${pc(verifiedFound, verifiedTruth)} |`);
console.log(`| brute force | ${sf.p50.toFixed(0)} | ${sf.p99.toFixed(0)} | 100% | 100% | 100% |`);
