import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dot, HashedNgramEmbedder, RouteEmbedder } from './embedder.js';
import { VectorIndex } from './vector-index.js';

const e = new HashedNgramEmbedder();
const sim = (a: string, b: string): number => dot(e.embedSync(a), e.embedSync(b));

test('vectors are deterministic unit vectors', () => {
  const v = e.embedSync('How do I reset my password?');
  assert.equal(v.length, 512);
  assert.ok(Math.abs(dot(v, v) - 1) < 1e-5);
  assert.deepEqual([...v], [...new HashedNgramEmbedder().embedSync('How do I reset my password?')]);
  assert.equal(dot(e.embedSync(''), e.embedSync('')), 0, 'an empty text is the zero vector, similar to nothing');
});

test('paraphrases are closer than unrelated questions', () => {
  const p = sim('How do I reset my password?', 'How can I reset my password');
  const u = sim('How do I reset my password?', 'What is the capital of France?');
  assert.ok(p > 0.9, `paraphrase ${p}`);
  assert.ok(u < 0.3, `unrelated ${u}`);
  assert.ok(sim('resetting passwords', 'reset password') > 0.7, 'inflections fold');
});

test('the route embedder normalises, checks the count, and passes a timeout signal', async () => {
  let signal: AbortSignal | undefined;
  const r = new RouteEmbedder('emb', async (texts, s) => {
    signal = s;
    return texts.map(() => [3, 4]);
  });
  const [v] = await r.embed(['x']);
  assert.deepEqual([...v!], [0.6000000238418579, 0.800000011920929]);
  assert.ok(signal instanceof AbortSignal);
  const bad = new RouteEmbedder('emb', async () => []);
  await assert.rejects(bad.embed(['x']), /expected 1 vectors/);
});

test('vector index: nearest within a partition, bounded, forgets removed keys', () => {
  const idx = new VectorIndex({ maxPerPartition: 3, maxPartitions: 2 });
  const add = (p: string, key: string, text: string): void => idx.add(p, { key, text, vector: e.embedSync(text) });
  add('p1', 'a', 'reset my password');
  add('p1', 'b', 'cancel my subscription');
  add('p2', 'c', 'reset my password');
  const n = idx.nearest('p1', e.embedSync('how to reset password'), 4, 0.5);
  assert.deepEqual(n.map((x) => x.entry.key), ['a']);
  assert.deepEqual(idx.nearest('p3', e.embedSync('reset my password'), 4, 0), []);
  add('p1', 'd', 'one');
  add('p1', 'e', 'two');
  assert.equal(idx.size, 4, 'the oldest entry of a full partition goes');
  assert.deepEqual(idx.nearest('p1', e.embedSync('reset my password'), 4, 0.9), []);
  add('p3', 'f', 'three');
  assert.equal(idx.partitionCount, 2, 'the oldest partition goes');
  idx.remove('f');
  assert.equal(idx.partitionCount, 1);
});
