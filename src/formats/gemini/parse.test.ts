// Parsing on hand-written data (coverage that does not depend on the captured fixtures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gemini } from './index.js';
import { chunksOf, collect, normalize, stableCallIds } from '../../../testkit/format-helpers/gemini.js';

const meta = { status: 200, headers: { date: 'Tue, 01 Jul 2025 10:00:00 GMT' } };
const ctx = { model: 'model-a' };
const frame = (o: unknown) => `data: ${JSON.stringify(o)}\r\n\r\n`;

test('response: thoughts, signed text, function calls, usage, ids', () => {
  const r = gemini.parseResponse(
    {
      responseId: 'r1',
      modelVersion: 'model-v',
      candidates: [
        {
          finishReason: 'STOP',
          content: {
            role: 'model',
            parts: [
              { text: 'thinking', thought: true },
              { text: 'Hello', thoughtSignature: 'TS' },
              { text: ' world' },
              { functionCall: { name: 'f', args: { a: 1 } }, thoughtSignature: 'FS' },
              { functionCall: { name: 'g' } },
            ],
          },
        },
      ],
      usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, thoughtsTokenCount: 3, cachedContentTokenCount: 4, totalTokenCount: 18 },
    },
    meta,
  );
  assert.equal(r.id, 'r1');
  assert.equal(r.model, 'model-v');
  assert.equal(r.created, Date.parse('Tue, 01 Jul 2025 10:00:00 GMT') / 1000);
  assert.deepEqual(stableCallIds(r.content), [
    { type: 'reasoning', text: 'thinking' },
    { type: 'reasoning', text: '', signature: 'TS' },
    { type: 'text', text: 'Hello world' },
    { type: 'tool-call', id: 'call_0', name: 'f', arguments: '{"a":1}', signature: 'FS' },
    { type: 'tool-call', id: 'call_1', name: 'g', arguments: '{}' },
  ]);
  assert.equal(r.finishReason, 'tool-calls');
  assert.equal(r.rawFinishReason, 'STOP');
  assert.deepEqual(r.usage, { inputTokens: 10, outputTokens: 8, totalTokens: 18, cacheReadTokens: 4, reasoningTokens: 3 });
});

test('finish reason mapping', () => {
  const cases: Array<[string, string]> = [
    ['STOP', 'stop'], ['MAX_TOKENS', 'length'], ['SAFETY', 'content-filter'], ['RECITATION', 'content-filter'],
    ['BLOCKLIST', 'content-filter'], ['PROHIBITED_CONTENT', 'content-filter'], ['SPII', 'content-filter'],
    ['MALFORMED_FUNCTION_CALL', 'error'], ['OTHER', 'other'], ['LANGUAGE', 'other'],
  ];
  for (const [raw, reason] of cases) {
    const r = gemini.parseResponse({ candidates: [{ finishReason: raw, content: { parts: [{ text: 'x' }] } }] }, meta);
    assert.equal(r.finishReason, reason, raw);
    assert.equal(r.rawFinishReason, raw);
  }
});

test('response: blocked prompt has no content and finishes content-filter', () => {
  const r = gemini.parseResponse({ promptFeedback: { blockReason: 'PROHIBITED_CONTENT' }, usageMetadata: { promptTokenCount: 4, totalTokenCount: 4 } }, meta);
  assert.deepEqual(r.content, []);
  assert.equal(r.finishReason, 'content-filter');
  assert.equal(r.rawFinishReason, 'PROHIBITED_CONTENT');
  assert.deepEqual(r.usage, { inputTokens: 4, outputTokens: 0, totalTokens: 4 });
});

test('stream: text, reasoning, tool calls with signatures, usage only when it changes, finish', async () => {
  const u1 = { promptTokenCount: 5, totalTokenCount: 5 };
  const u2 = { promptTokenCount: 5, candidatesTokenCount: 4, thoughtsTokenCount: 2, totalTokenCount: 11 };
  const events = await collect(
    gemini.parseStream(
      chunksOf(
        frame({ responseId: 'id1', candidates: [{ content: { parts: [{ text: 'hmm', thought: true }] } }], usageMetadata: u1 }),
        frame({ candidates: [{ content: { parts: [{ text: 'Hi', thoughtSignature: 'T' }] } }], usageMetadata: u1 }),
        frame({ candidates: [{ content: { parts: [{ functionCall: { name: 'f', args: { x: 'é' } }, thoughtSignature: 'F' }] } }], usageMetadata: u2 }),
        frame({ candidates: [{ content: { parts: [{ text: '', thoughtSignature: 'END' }] }, finishReason: 'STOP' }], usageMetadata: u2 }),
      ),
      ctx,
    ),
  );
  assert.deepEqual(stableCallIds(normalize(events, 'gemini-')), [
    { type: 'message-start', id: 'id1', model: 'model-a' },
    { type: 'reasoning-delta', text: 'hmm' },
    { type: 'usage', usage: { inputTokens: 5, outputTokens: 0, totalTokens: 5 } },
    { type: 'reasoning-delta', text: '', signature: 'T' },
    { type: 'text-delta', text: 'Hi' },
    { type: 'tool-call-start', index: 0, id: 'call_0', name: 'f', signature: 'F' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{"x":"é"}' },
    { type: 'usage', usage: { inputTokens: 5, outputTokens: 6, totalTokens: 11, reasoningTokens: 2 } },
    { type: 'reasoning-delta', text: '', signature: 'END' },
    { type: 'finish', reason: 'tool-calls', raw: 'STOP' },
  ]);
});

test('stream: malformed JSON, an in-stream error object, and a missing finish all yield error events', async () => {
  const bad = await collect(gemini.parseStream(chunksOf('data: {"candidates": [\r\n\r\n'), ctx));
  assert.equal(bad.length, 1);
  assert.equal(bad[0]?.type === 'error' && bad[0].error.code, 'upstream_protocol');

  const inStream = await collect(
    gemini.parseStream(
      chunksOf(frame({ candidates: [{ content: { parts: [{ text: 'a' }] } }] }), frame({ error: { code: 503, message: 'overloaded', status: 'UNAVAILABLE' } })),
      ctx,
    ),
  );
  const last = inStream[inStream.length - 1];
  assert.equal(last?.type, 'error');
  assert.equal(last?.type === 'error' && last.error.code, 'upstream_unavailable');

  const truncated = await collect(gemini.parseStream(chunksOf(frame({ candidates: [{ content: { parts: [{ text: 'a' }] } }] })), ctx));
  assert.deepEqual(normalize(truncated, 'gemini-').slice(1), [
    { type: 'text-delta', text: 'a' },
    { type: 'error', code: 'upstream_protocol', message: 'Gemini stream ended without a finish reason' },
  ]);

  const empty = await collect(gemini.parseStream(chunksOf(), ctx));
  assert.equal(empty[0]?.type === 'error' && empty[0].error.code, 'upstream_protocol');
});

test('stream: a body that throws becomes an upstream_connection error event', async () => {
  async function* broken(): AsyncGenerator<Uint8Array> {
    yield new TextEncoder().encode(frame({ candidates: [{ content: { parts: [{ text: 'a' }] } }] }));
    throw new Error('socket reset');
  }
  const events = await collect(gemini.parseStream(broken(), ctx));
  const last = events[events.length - 1];
  assert.equal(last?.type === 'error' && last.error.code, 'upstream_connection');
});

test('errors: status strings, reasons, context length, retry delay', () => {
  const err = (status: number, body: unknown, headers: Record<string, string> = {}) => gemini.parseError(JSON.stringify(body), { status, headers });
  const ctxLen = err(400, { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).' } });
  assert.equal(ctxLen.code, 'context_length_exceeded');
  assert.equal(err(400, { error: { code: 400, status: 'INVALID_ARGUMENT', message: 'bad field' } }).code, 'upstream_bad_request');
  assert.equal(err(403, { error: { code: 403, status: 'PERMISSION_DENIED', message: 'no' } }).code, 'upstream_auth');
  assert.equal(err(500, { error: { code: 500, status: 'INTERNAL', message: 'x' } }).code, 'upstream_error');
  assert.equal(err(503, { error: { code: 503, status: 'UNAVAILABLE', message: 'x' } }).code, 'upstream_unavailable');
  assert.equal(err(504, { error: { code: 504, status: 'DEADLINE_EXCEEDED', message: 'x' } }).code, 'upstream_timeout');
  const limited = err(429, {
    error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'slow down', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '38s' }] },
  });
  assert.equal(limited.code, 'rate_limited');
  assert.equal(limited.retryable, true);
  assert.equal(limited.retryAfterMs, 38000);
  assert.equal(limited.upstream?.type, 'RESOURCE_EXHAUSTED');
  assert.equal(err(429, { error: { code: 429, status: 'RESOURCE_EXHAUSTED', message: 'x' } }, { 'retry-after': '3' }).retryAfterMs, 3000);
  const arrayWrapped = gemini.parseError(JSON.stringify([{ error: { code: 404, status: 'NOT_FOUND', message: 'gone' } }]), { status: 404, headers: {} });
  assert.equal(arrayWrapped.code, 'upstream_not_found');
  assert.equal(arrayWrapped.message, 'gone');
  const html = gemini.parseError('<html>bad gateway</html>', { status: 502, headers: {} });
  assert.equal(html.code, 'upstream_error');
  assert.equal(html.upstream?.body, '<html>bad gateway</html>');
});

test('embeddings: Google AI batchEmbedContents and Vertex predict', async () => {
  const t = { deploymentId: 'd', model: 'embed-a', baseUrl: 'https://g.test/v1beta', auth: 'x-goog-api-key' as const, apiKey: 'k', quirks: {} };
  const build = gemini.buildEmbeddingRequest;
  const parse = gemini.parseEmbeddingResponse;
  assert.ok(build && parse);
  const r = await build({ model: 'r', input: ['a', 'b'], dimensions: 8, encodingFormat: 'float' }, t);
  assert.equal(r.url, 'https://g.test/v1beta/models/embed-a:batchEmbedContents');
  assert.deepEqual(JSON.parse(String(r.body)), {
    requests: [
      { model: 'models/embed-a', content: { parts: [{ text: 'a' }] }, outputDimensionality: 8 },
      { model: 'models/embed-a', content: { parts: [{ text: 'b' }] }, outputDimensionality: 8 },
    ],
  });
  assert.deepEqual(parse({ embeddings: [{ values: [1, 2] }, { values: [3, 4] }] }, meta).vectors, [[1, 2], [3, 4]]);

  const v = await build({ model: 'r', input: ['a'], encodingFormat: 'float' }, { ...t, auth: 'bearer', options: { vertex: true } });
  assert.equal(v.url, 'https://g.test/v1beta/models/embed-a:predict');
  assert.equal(v.headers.authorization, 'Bearer k');
  assert.deepEqual(JSON.parse(String(v.body)), { instances: [{ content: 'a' }] });
  const pv = parse({ predictions: [{ embeddings: { values: [0.5], statistics: { token_count: 3 } } }] }, meta);
  assert.deepEqual(pv, { model: '', vectors: [[0.5]], usage: { inputTokens: 3 } });

  assert.throws(() => build({ model: 'r', input: [[1, 2]], encodingFormat: 'float' }, t), /token arrays/);
  assert.throws(() => parse({ nothing: true }, meta), /unexpected Gemini embedding response/);
});
