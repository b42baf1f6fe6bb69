import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HashedNgramEmbedder } from './embedder.js';
import { loadPairs } from './evaluate.js';
import { VectorIndex } from './vector-index.js';
import { indexKey, textFeatures, verify } from './verifier.js';

const pairs = [...loadPairs(new URL('../../../test/data/cache-pairs.jsonl', import.meta.url)), ...loadPairs(new URL('../../../test/data/cache-pairs-holdout.jsonl', import.meta.url))];
const e = new HashedNgramEmbedder();

test('every pair the verifier accepts has one index key (what makes the bucketed index lossless)', () => {
  let accepted = 0;
  for (const p of pairs) {
    const a = textFeatures(p.a);
    const b = textFeatures(p.b);
    if (!verify(a, b).ok) continue;
    accepted++;
    assert.equal(indexKey(a), indexKey(b), `${p.a} | ${p.b}`);
  }
  assert.ok(accepted > 100, `exercised on ${accepted} accepted pairs`);
});

test('a bucketed partition finds every neighbour the verifier accepts that brute force finds, and scores far fewer', () => {
  const texts = pairs.flatMap((p) => [p.a, p.b]);
  // Many near-duplicates per question, as in a big FAQ partition: numbered and reworded copies.
  const stored: string[] = [];
  for (let i = 0; stored.length < 6000; i++) {
    const t = texts[i % texts.length]!;
    stored.push(i < texts.length ? t : i % 3 === 0 ? t.replace(/\?$/, ' please?') : i % 3 === 1 ? t.replace(/\bmy\b/, 'the') : `${t} (case ${i})`);
  }
  const bucketed = new VectorIndex({ bucketMin: 1000 });
  const brute = new VectorIndex({ bucketMin: Infinity });
  stored.forEach((t, i) => {
    const v = e.embedSync(t);
    bucketed.add('p', { key: `k${i}`, text: t, vector: v });
    brute.add('p', { key: `k${i}`, text: t, vector: v });
  });
  assert.equal(bucketed.bucketed('p'), true);
  assert.equal(brute.bucketed('p'), false);
  let verified = 0;
  for (const [i, p] of pairs.entries()) {
    if (i % 2 !== 0) continue;
    const q = textFeatures(p.b);
    const v = e.embedSync(p.b);
    const want = brute.nearest('p', v, 4, 0.6).filter((n) => verify(q, n.entry.features).ok).map((n) => n.entry.key);
    const got = new Set(bucketed.nearest('p', v, 4, 0.6, () => indexKey(q)).map((n) => n.entry.key));
    for (const k of want) assert.ok(got.has(k), `${p.b}: missed ${k}`);
    verified += want.length;
  }
  assert.ok(verified > 100, `checked ${verified} verified neighbours`);
});

test('a bucketed partition still evicts its oldest entry and forgets removed ones', () => {
  const idx = new VectorIndex({ bucketMin: 2, maxPerPartition: 3 });
  const add = (k: string, t: string) => idx.add('p', { key: k, text: t, vector: e.embedSync(t) });
  add('a', 'How do I reset my password?');
  add('b', 'How can I reset my password?');
  add('c', 'How would I reset my password?');
  const q = textFeatures('How should I reset my password?');
  const near = () => idx.nearest('p', e.embedSync('How should I reset my password?'), 10, 0.5, () => indexKey(q)).map((n) => n.entry.key).sort();
  assert.deepEqual(near(), ['a', 'b', 'c']);
  add('d', 'How do I reset the password?');
  assert.deepEqual(near(), ['b', 'c', 'd'], 'a, the oldest, is out');
  idx.remove('c');
  assert.deepEqual(near(), ['b', 'd']);
  assert.equal(idx.size, 2);
  idx.remove('b');
  idx.remove('d');
  assert.equal(idx.partitionCount, 0);
});
