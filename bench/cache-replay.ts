// Replay benchmark: a repetitive support-style workload through the response cache (in process,
// no HTTP), scored against ground truth. Questions come from the labelled pairs (both sets): each
// paraphrase pair is one intent with two wordings, each side of a hard-negative pair is its own
// intent (so near-duplicates that ask otherwise keep arriving), and 15% of queries are unique.
// Popularity is Zipf-like, and four tenants ask independently (key scope: no sharing).
// Reports the hit rate by layer, the wrong-hit rate, the USD saved at a catalog price, and the
// lookup cost by outcome.
// Usage: npx tsc -p tsconfig.json && node dist/bench/cache-replay.js [--n 10000] [--threshold 0.75]

import { loadCatalog } from '../src/catalog/index.js';
import { HashedNgramEmbedder } from '../src/cache/embedder.js';
import { loadPairs } from '../src/cache/evaluate.js';
import { ResponseCache } from '../src/cache/response-cache.js';
import { MemoryCacheStore } from '../src/cache/store.js';
import { CACHE_DEFAULTS } from '../src/config/compile-cache.js';
import type { RouteCachePolicy } from '../src/config/snapshot.js';
import { mulberry32 as seededRng } from '../testkit/prng.js';
import { summariseLatencies } from './stats.js';

const arg = (name: string, d: number): number => {
  const i = process.argv.indexOf(name);
  return i < 0 ? d : Number(process.argv[i + 1]);
};
const N = arg('--n', 10_000);
const threshold = arg('--threshold', CACHE_DEFAULTS.threshold);
const rnd = seededRng(42);

const pairs = [...loadPairs(new URL('../../test/data/cache-pairs.jsonl', import.meta.url)), ...loadPairs(new URL('../../test/data/cache-pairs-holdout.jsonl', import.meta.url))];
const intents: string[][] = [];
const seen = new Map<string, number>();
const intentOf = (text: string): number => {
  let i = seen.get(text);
  if (i === undefined) {
    i = intents.length;
    intents.push([text]);
    seen.set(text, i);
  }
  return i;
};
for (const p of pairs) {
  if (p.label === 'paraphrase') {
    const i = intentOf(p.a);
    if (!seen.has(p.b)) {
      intents[i]!.push(p.b);
      seen.set(p.b, i);
    }
  } else if (p.label === 'hard-negative') {
    intentOf(p.a);
    intentOf(p.b);
  }
}
// Zipf-like weights over a shuffled intent order.
const order = intents.map((_, i) => i).sort(() => rnd() - 0.5);
const weights = order.map((_, r) => 1 / (r + 1) ** 0.8);
const total = weights.reduce((a, b) => a + b, 0);
function pickIntent(): number {
  let x = rnd() * total;
  for (let r = 0; r < order.length; r++) if ((x -= weights[r]!) <= 0) return order[r]!;
  return order[order.length - 1]!;
}

// A mid-priced chat model of the catalog (names are data, read at run time).
const priced = [...loadCatalog().values()].flatMap((e) => Object.entries(e.models ?? {}).filter(([, m]) => m.price && !m.embeddings).map(([id, m]) => ({ id: `${e.name}/${id}`, price: m.price! })));
priced.sort((a, b) => a.price.input - b.price.input);
const model = priced[Math.floor(priced.length / 2)]!;
const OUTPUT_TOKENS = 150;

const policy: RouteCachePolicy = { mode: 'semantic', ttlMs: 86_400_000, threshold, scope: 'key', embed: 'last_user', maxTemperature: 1, allowN: false, allowLogprobs: false, audit: 0 };
const cache = new ResponseCache({ store: new MemoryCacheStore({ maxBytes: 256 << 20 }), embedder: new HashedNgramEmbedder() });
const tenants = ['k1', 'k2', 'k3', 'k4'];
const counts = { exact: 0, semantic: 0, miss: 0, rejected: 0, wrong: 0, wrongSemantic: 0, unique: 0, possible: 0 };
const lat: Record<string, number[]> = { 'hit-exact': [], 'hit-semantic': [], miss: [] };
const askedBy = new Map<string, Set<number>>();
let saved = 0;

for (let q = 0; q < N; q++) {
  const tenant = tenants[Math.floor(rnd() * tenants.length)]!;
  const unique = rnd() < 0.15;
  const intent = unique ? -1 - q : pickIntent();
  const text = unique ? `My order ${100000 + q} has a problem with item ${q % 97}, what now?` : intents[intent]![Math.floor(rnd() * intents[intent]!.length)]!;
  const asked = askedBy.get(tenant) ?? new Set<number>();
  askedBy.set(tenant, asked);
  if (asked.has(intent)) counts.possible++;
  asked.add(intent);
  if (unique) counts.unique++;
  const request = { model: 'support', messages: [{ role: 'system' as const, content: [{ type: 'text' as const, text: 'Support bot for an online shop.' }] }, { role: 'user' as const, content: [{ type: 'text' as const, text }] }], stream: false };
  const t0 = process.hrtime.bigint();
  const l = await cache.lookup({ route: 'support', policy, request, caller: { kind: 'key', keyId: tenant } });
  const us = Number(process.hrtime.bigint() - t0) / 1e3;
  const inputTokens = Math.ceil((text.length + 31) / 4) + 8;
  if (l.kind === 'hit') {
    const served = Number((l.answer.response.content[0] as { text: string }).text);
    if (l.layer === 'exact') counts.exact++;
    else counts.semantic++;
    if (served !== intent) {
      counts.wrong++;
      if (l.layer === 'semantic') counts.wrongSemantic++;
      if (process.argv.includes('--wrong')) console.log(`wrong ${l.layer} hit: "${text}" served the answer to "${intents[served]?.[0] ?? served}"`);
    }
    saved += (inputTokens * model.price.input + OUTPUT_TOKENS * model.price.output) / 1e6;
    lat[`hit-${l.layer}`]!.push(us);
  } else if (l.kind === 'miss') {
    counts.miss++;
    lat.miss!.push(us);
    l.pending.complete({ id: `r${q}`, model: 'm', created: 0, content: [{ type: 'text', text: String(intent) }], finishReason: 'stop', usage: { inputTokens, outputTokens: OUTPUT_TOKENS } });
  }
}
counts.rejected = cache.stats.total().verifierRejected;
const pct = (x: number, of = N): string => `${((100 * x) / of).toFixed(1)}%`;
console.log(`queries: ${N}, tenants: ${tenants.length}, intents: ${intents.length}, unique questions: ${pct(counts.unique)}, threshold ${threshold}`);
console.log(`repeats of an intent the same tenant asked before (the most any cache could serve): ${pct(counts.possible)}`);
console.log(`hits: ${pct(counts.exact + counts.semantic)} (exact ${pct(counts.exact)}, semantic ${pct(counts.semantic)}); served of the possible: ${pct(counts.exact + counts.semantic, counts.possible)}`);
console.log(`wrong hits: ${counts.wrong} (${pct(counts.wrong, counts.exact + counts.semantic)} of hits; semantic ${counts.wrongSemantic}); verifier rejections: ${counts.rejected}`);
console.log(`USD saved at ${model.id} prices (${model.price.input}/${model.price.output} per MTok, ${OUTPUT_TOKENS} output tokens per answer): ${saved.toFixed(4)} of ${(saved / ((counts.exact + counts.semantic) / N)).toFixed(4)}`);
console.log('| lookup outcome | n | p50 µs | p99 µs |');
console.log('|---|---|---|---|');
for (const [k, v] of Object.entries(lat)) {
  const s = summariseLatencies(v);
  console.log(`| ${k} | ${s.n} | ${s.p50.toFixed(1)} | ${s.p99.toFixed(1)} |`);
}
