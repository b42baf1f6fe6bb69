import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Call } from '../gateway/call.js';
import { callEmbedding } from './call-embedding.js';
import type { Embedder } from './embedder.js';

function countingEmbedder(name: string, fail = false): Embedder & { calls: number } {
  const e = {
    name,
    calls: 0,
    embed(texts: readonly string[]): Promise<Float32Array[]> {
      e.calls++;
      if (fail) return Promise.reject(new Error('down'));
      return Promise.resolve(texts.map((t) => Float32Array.of(t.length, 1)));
    },
  };
  return e;
}

test('callEmbedding: one embedding per call and text, shared by every asker; another call embeds anew', async () => {
  const e = countingEmbedder('e');
  const call = {} as Call;
  const [a, b] = await Promise.all([callEmbedding(call, e, 'hello'), callEmbedding(call, e, 'hello')]);
  assert.equal(a, b, 'the same vector object');
  assert.equal(e.calls, 1);
  await callEmbedding(call, e, 'other text');
  assert.equal(e.calls, 2, 'a different text is embedded');
  await callEmbedding(call, countingEmbedder('f'), 'hello');
  await callEmbedding({} as Call, e, 'hello');
  assert.equal(e.calls, 3, 'a new call does not see the old one');
});

test('callEmbedding: a failing embedder resolves to undefined, never rejects', async () => {
  assert.equal(await callEmbedding({} as Call, countingEmbedder('bad', true), 'x'), undefined);
});
