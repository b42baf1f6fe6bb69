// Replays every captured Bedrock response in ../shared/fixtures/upstream/bedrock and asserts the
// exact canonical output. Raw .eventstream bytes are also split at odd boundaries; the decoded
// .chunks.txt events are re-encoded into real frames to exercise the decoder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { SKIP_NO_FIXTURES, fixturePath, readChunks, readFixture, readFixtureJson, readFixtureText } from '../../../testkit/fixtures.js';
import { bedrockConverse } from './index.js';
import { chunksOf, collect, concatBytes, eventFrame, normalize, randomChunks, summarize } from '../../../testkit/format-helpers/bedrock-converse.js';

const skip = { skip: SKIP_NO_FIXTURES };
const ctx = { model: 'ctx-model' };

async function replay(bytes: Uint8Array): Promise<unknown[]> {
  const whole = normalize(await collect(bedrockConverse.parseStream(chunksOf(bytes), ctx)), 'bedrock-');
  for (const [seed, max] of [[1, 3], [2, 17], [3, 64], [4, 997]] as const) {
    const split = normalize(await collect(bedrockConverse.parseStream(randomChunks(bytes, seed, max), ctx)), 'bedrock-');
    assert.deepEqual(split, whole, `split seed ${seed}`);
  }
  // Odd boundaries: one byte, then everything but the last byte, then the last byte.
  const odd = normalize(await collect(bedrockConverse.parseStream(chunksOf(bytes.slice(0, 1), bytes.slice(1, -1), bytes.slice(-1)), ctx)), 'bedrock-');
  assert.deepEqual(odd, whole);
  return whole;
}

const COVERED = new Set([
  'converse-stream-reasoning.chunks.txt',
  'converse-stream-text.eventstream',
  'converse-stream-thinking.eventstream',
  'converse-text.json',
  'error-400-invalid-model.json',
]);

test('every Bedrock capture is covered by a conformance test', skip, () => {
  const dir = fixturePath('bedrock');
  const files = readdirSync(dir).filter((f) => statSync(`${dir}/${f}`).isFile());
  assert.deepEqual(files.filter((f) => !COVERED.has(f)), [], 'new capture without a conformance test');
});

test('converse-stream-text.eventstream', skip, async () => {
  const events = await replay(new Uint8Array(readFixture('bedrock/converse-stream-text.eventstream')));
  assert.deepEqual(summarize(events), [
    { type: 'message-start', id: '<generated>', model: 'ctx-model' },
    {
      type: 'text-delta',
      merged: 29,
      text:
        'The capital of France is Paris. Paris is not only the capital city but also the most populous city in France, and it is a major center for culture, commerce, fashion, and international diplomacy. Known for its historical landmarks, such as the Eiffel Tower, the Louvre Museum, and Notre-Dame Cathedral, Paris is often referred to as "The City of Light" or "The City of Love."',
    },
    { type: 'finish', reason: 'stop', raw: 'end_turn' },
    { type: 'usage', usage: { inputTokens: 13, outputTokens: 82, totalTokens: 95 } },
  ]);
});

test('converse-stream-thinking.eventstream: reasoning text + signature, then text', skip, async () => {
  const events = await replay(new Uint8Array(readFixture('bedrock/converse-stream-thinking.eventstream')));
  const sig = /"signature":"([^"]+)"/.exec(new TextDecoder().decode(readFixture('bedrock/converse-stream-thinking.eventstream')))?.[1];
  assert.ok(sig?.startsWith('Eu0CCkgIBxABGAIqQJDc'));
  assert.deepEqual(summarize(events), [
    { type: 'message-start', id: '<generated>', model: 'ctx-model' },
    {
      type: 'reasoning-delta',
      merged: 14,
      text: 'The user has greeted me with a simple "Hello". I should respond in a friendly and welcoming manner. This is a straightforward greeting, so I\'ll respond warmly and ask how I can help them today.',
    },
    { type: 'reasoning-delta', text: '', signature: sig },
    { type: 'text-delta', merged: 5, text: "Hello! It's nice to meet you. How can I help you today?" },
    { type: 'finish', reason: 'stop', raw: 'end_turn' },
    { type: 'usage', usage: { inputTokens: 36, outputTokens: 73, totalTokens: 109 } },
  ]);
});

test('converse-stream-reasoning.chunks.txt, re-encoded as eventstream frames', skip, async () => {
  const lines = readChunks('bedrock/converse-stream-reasoning.chunks.txt') as Array<Record<string, unknown>>;
  const frames = lines.map((line) => {
    const [type, payload] = Object.entries(line)[0] ?? ['', {}];
    return eventFrame(type, payload);
  });
  const events = await replay(concatBytes(frames));
  const sig = /"signature":"([^"]+)"/.exec(readFixtureText('bedrock/converse-stream-reasoning.chunks.txt'))?.[1];
  assert.ok(sig?.startsWith('Ep0CCkgICxABGAIq'));
  assert.deepEqual(summarize(events), [
    { type: 'message-start', id: '<generated>', model: 'ctx-model' },
    // 11 reasoning deltas on the wire; the empty one carries nothing and is not emitted.
    { type: 'reasoning-delta', merged: 10, text: 'Let me count the r\'s in "strawberry":\n\ns-t-r-a-w-b-e-r-r-y\n\nr appears at positions 3, 8, and 9.\n\nSo there are 3 r\'s.' },
    { type: 'reasoning-delta', text: '', signature: sig },
    { type: 'text-delta', merged: 9, text: 'There are **3** r\'s in "strawberry":\n\n1. st**r**awbe**r****r**y' },
    { type: 'finish', reason: 'stop', raw: 'end_turn' },
    { type: 'usage', usage: { inputTokens: 51, outputTokens: 94, totalTokens: 145 } },
  ]);
});

test('converse-text.json', skip, () => {
  const r = bedrockConverse.parseResponse(readFixtureJson('bedrock/converse-text.json'), { status: 200, headers: { 'x-amzn-requestid': 'rid' } });
  assert.equal(r.id, 'rid');
  assert.deepEqual(r.content, [{ type: 'text', text: 'Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** "r"s in "strawberry."' }]);
  assert.equal(r.finishReason, 'stop');
  assert.equal(r.rawFinishReason, 'end_turn');
  // Bedrock's inputTokens excludes cache reads/writes (both 0 here): 22 + 0 + 0.
  assert.deepEqual(r.usage, { inputTokens: 22, outputTokens: 57, totalTokens: 79, cacheReadTokens: 0, cacheWriteTokens: 0 });
  assert.deepEqual(r.providerMetadata, { 'bedrock-converse': { metrics: { latencyMs: 1864 } } });
});

test('error-400-invalid-model.json (no x-amzn-errortype in the capture, and with one)', skip, () => {
  const text = readFixtureText('bedrock/error-400-invalid-model.json');
  const bare = bedrockConverse.parseError(text, { status: 400, headers: { 'content-type': 'application/json' } });
  assert.equal(bare.code, 'upstream_bad_request');
  assert.equal(bare.message, 'The provided model identifier is invalid.');
  assert.equal(bare.retryable, false);
  assert.deepEqual(bare.upstream?.body, { message: 'The provided model identifier is invalid.' });
  const typed = bedrockConverse.parseError(text, { status: 400, headers: { 'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/' } });
  assert.equal(typed.code, 'upstream_bad_request');
  assert.equal(typed.upstream?.type, 'ValidationException');
});

test('a corrupted byte in a captured stream yields an error event, not a crash', skip, async () => {
  const bytes = new Uint8Array(readFixture('bedrock/converse-stream-thinking.eventstream'));
  for (const pos of [0, 5, 9, 40, 200, 1000, bytes.length - 1]) {
    const bad = bytes.slice();
    bad[pos] = (bad[pos] ?? 0) ^ 0xff;
    const events = await collect(bedrockConverse.parseStream(randomChunks(bad, pos, 50), ctx));
    const last = events[events.length - 1];
    assert.ok(last?.type === 'error' && last.error.code === 'upstream_protocol', `byte ${pos}`);
    assert.equal(events.filter((e) => e.type === 'finish').length, pos === bytes.length - 1 ? 1 : 0, `byte ${pos}`);
  }
});
