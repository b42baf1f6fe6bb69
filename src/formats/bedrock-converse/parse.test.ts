// Parsing on hand-written data (coverage that does not depend on the captured fixtures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bedrockConverse } from './index.js';
import { decodeEventStream } from './eventstream.js';
import { chunksOf, collect, concatBytes, eventFrame, exceptionFrame, normalize, randomChunks } from '../../../testkit/format-helpers/bedrock-converse.js';

const ctx = { model: 'model-a' };
const meta = { status: 200, headers: { 'x-amzn-requestid': 'req-1' } };

test('response: text, reasoning, tool use, stop reason, usage incl. cache tokens', () => {
  const r = bedrockConverse.parseResponse(
    {
      output: {
        message: {
          role: 'assistant',
          content: [
            { reasoningContent: { reasoningText: { text: 'hmm', signature: 'SIG' } } },
            { reasoningContent: { redactedContent: 'UkVE' } },
            { text: 'Let me check.' },
            { toolUse: { toolUseId: 'tu_1', name: 'lookup', input: { q: 'x' } } },
          ],
        },
      },
      stopReason: 'tool_use',
      usage: { inputTokens: 10, outputTokens: 20, totalTokens: 80, cacheReadInputTokens: 30, cacheWriteInputTokens: 20 },
      metrics: { latencyMs: 5 },
    },
    meta,
  );
  assert.equal(r.id, 'req-1');
  assert.deepEqual(r.content, [
    { type: 'reasoning', text: 'hmm', signature: 'SIG' },
    { type: 'reasoning', text: '', redacted: 'UkVE' },
    { type: 'text', text: 'Let me check.' },
    { type: 'tool-call', id: 'tu_1', name: 'lookup', arguments: '{"q":"x"}' },
  ]);
  assert.equal(r.finishReason, 'tool-calls');
  assert.equal(r.rawFinishReason, 'tool_use');
  assert.deepEqual(r.usage, { inputTokens: 60, outputTokens: 20, totalTokens: 80, cacheReadTokens: 30, cacheWriteTokens: 20 });
  assert.deepEqual(r.providerMetadata, { 'bedrock-converse': { metrics: { latencyMs: 5 } } });
});

test('stop reason mapping and stop sequence', () => {
  const cases: Array<[string, string]> = [
    ['end_turn', 'stop'], ['stop_sequence', 'stop'], ['max_tokens', 'length'], ['tool_use', 'tool-calls'],
    ['guardrail_intervened', 'content-filter'], ['content_filtered', 'content-filter'], ['something_new', 'other'],
  ];
  for (const [raw, reason] of cases) {
    const r = bedrockConverse.parseResponse({ output: { message: { content: [{ text: 'x' }] } }, stopReason: raw }, meta);
    assert.equal(r.finishReason, reason, raw);
  }
  const seq = bedrockConverse.parseResponse(
    { output: { message: { content: [] } }, stopReason: 'stop_sequence', additionalModelResponseFields: { stop_sequence: '###' } },
    meta,
  );
  assert.equal(seq.stopSequence, '###');
  assert.throws(() => bedrockConverse.parseResponse({ nope: 1 }, meta), /no output.message/);
});

test('stream: tool use across blocks, reasoning signature, finish then usage', async () => {
  const bytes = concatBytes([
    eventFrame('messageStart', { role: 'assistant', p: 'abc' }),
    eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'think' } }, p: 'ab' }),
    eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { signature: 'SIG' } } }),
    eventFrame('contentBlockStop', { contentBlockIndex: 0 }),
    eventFrame('contentBlockDelta', { contentBlockIndex: 1, delta: { text: 'Checking' } }),
    eventFrame('contentBlockStop', { contentBlockIndex: 1 }),
    eventFrame('contentBlockStart', { contentBlockIndex: 2, start: { toolUse: { toolUseId: 'tu_a', name: 'lookup' } } }),
    eventFrame('contentBlockDelta', { contentBlockIndex: 2, delta: { toolUse: { input: '{"q":' } } }),
    eventFrame('contentBlockDelta', { contentBlockIndex: 2, delta: { toolUse: { input: '"é"}' } } }),
    eventFrame('contentBlockStop', { contentBlockIndex: 2 }),
    eventFrame('contentBlockStart', { contentBlockIndex: 3, start: { toolUse: { toolUseId: 'tu_b', name: 'clock' } } }),
    eventFrame('contentBlockDelta', { contentBlockIndex: 3, delta: { toolUse: { input: '' } } }),
    eventFrame('contentBlockStop', { contentBlockIndex: 3 }),
    eventFrame('contentBlockDelta', { contentBlockIndex: 4, delta: { reasoningContent: { redactedContent: 'UkVE' } } }),
    eventFrame('messageStop', { stopReason: 'tool_use' }),
    eventFrame('metadata', { usage: { inputTokens: 5, outputTokens: 7, totalTokens: 14, cacheReadInputTokens: 2 }, metrics: { latencyMs: 1 } }),
  ]);
  const expected = [
    { type: 'message-start', id: '<generated>', model: 'model-a' },
    { type: 'reasoning-delta', text: 'think' },
    { type: 'reasoning-delta', text: '', signature: 'SIG' },
    { type: 'text-delta', text: 'Checking' },
    { type: 'tool-call-start', index: 0, id: 'tu_a', name: 'lookup' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{"q":' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '"é"}' },
    { type: 'tool-call-start', index: 1, id: 'tu_b', name: 'clock' },
    { type: 'reasoning-delta', text: '', redacted: 'UkVE' },
    { type: 'finish', reason: 'tool-calls', raw: 'tool_use' },
    { type: 'usage', usage: { inputTokens: 7, outputTokens: 7, totalTokens: 14, cacheReadTokens: 2 } },
  ];
  assert.deepEqual(normalize(await collect(bedrockConverse.parseStream(chunksOf(bytes), ctx)), 'bedrock-'), expected);
  for (const seed of [5, 6, 7]) {
    assert.deepEqual(normalize(await collect(bedrockConverse.parseStream(randomChunks(bytes, seed, 23), ctx)), 'bedrock-'), expected);
  }
});

test('stream: exception events map to canonical errors with the right code and retryability', async () => {
  const cases: Array<[string, string, boolean]> = [
    ['throttlingException', 'rate_limited', true],
    ['modelStreamErrorException', 'upstream_error', true],
    ['internalServerException', 'upstream_error', true],
    ['serviceUnavailableException', 'upstream_unavailable', true],
    ['validationException', 'upstream_bad_request', false],
  ];
  for (const [type, code, retryable] of cases) {
    const bytes = concatBytes([
      eventFrame('messageStart', { role: 'assistant' }),
      eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'par' } }),
      exceptionFrame(type, `boom ${type}`),
      eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'never' } }),
    ]);
    const events = await collect(bedrockConverse.parseStream(chunksOf(bytes), ctx));
    assert.equal(events.length, 3, type);
    const last = events[2];
    assert.ok(last?.type === 'error');
    assert.equal(last.error.code, code, type);
    assert.equal(last.error.retryable, retryable, type);
    assert.equal(last.error.message, `boom ${type}`);
    assert.equal(last.error.upstream?.type, type.charAt(0).toUpperCase() + type.slice(1));
  }
});

test('stream: corrupted bytes anywhere yield one error event, never a crash or hang', async () => {
  const good = concatBytes([
    eventFrame('messageStart', { role: 'assistant' }),
    eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'hello' } }),
    eventFrame('messageStop', { stopReason: 'end_turn' }),
  ]);
  // Every byte position: length prelude, prelude CRC, headers, payload, message CRC.
  for (let i = 0; i < good.length; i++) {
    const bad = good.slice();
    bad[i] = (bad[i] ?? 0) ^ 0x5a;
    const events = await collect(bedrockConverse.parseStream(randomChunks(bad, i, 11), ctx));
    const errors = events.filter((e) => e.type === 'error');
    assert.equal(errors.length, 1, `byte ${i}`);
    assert.equal(events[events.length - 1]?.type, 'error', `byte ${i}`);
    const err = errors[0];
    assert.ok(err?.type === 'error' && err.error.code === 'upstream_protocol', `byte ${i}: ${err?.type === 'error' ? err.error.message : ''}`);
  }
});

test('stream: truncation inside a frame and a stream without messageStop are errors', async () => {
  const frame = eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'hello' } });
  const cut = await collect(bedrockConverse.parseStream(chunksOf(eventFrame('messageStart', { role: 'assistant' }), frame.slice(0, 20)), ctx));
  assert.deepEqual(normalize(cut, 'bedrock-'), [
    { type: 'message-start', id: '<generated>', model: 'model-a' },
    { type: 'error', code: 'upstream_protocol', message: 'eventstream ended inside a message (20 bytes left)' },
  ]);
  const noStop = await collect(bedrockConverse.parseStream(chunksOf(eventFrame('messageStart', { role: 'assistant' }), frame), ctx));
  assert.deepEqual(normalize(noStop, 'bedrock-').slice(1), [
    { type: 'text-delta', text: 'hello' },
    { type: 'error', code: 'upstream_protocol', message: 'Bedrock stream ended without messageStop' },
  ]);
});

test('decoder: a frame split at every possible boundary decodes identically', async () => {
  const a = eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'x€y' } });
  const b = eventFrame('messageStop', { stopReason: 'end_turn' });
  const all = concatBytes([a, b]);
  for (let cut = 1; cut < all.length; cut++) {
    const msgs = await collect(decodeEventStream(chunksOf(all.slice(0, cut), all.slice(cut))));
    assert.equal(msgs.length, 2, `cut ${cut}`);
    assert.equal(msgs[1]?.headers[':event-type'], 'messageStop');
  }
});

test('errors: x-amzn-errortype header, {Message} bodies, context length, throttling retry-after', () => {
  const err = (status: number, body: unknown, type?: string, headers: Record<string, string> = {}) =>
    bedrockConverse.parseError(JSON.stringify(body), { status, headers: type ? { ...headers, 'x-amzn-errortype': type } : headers });
  const cases: Array<[number, string, string]> = [
    [400, 'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/', 'upstream_bad_request'],
    [403, 'AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/', 'upstream_auth'],
    [403, 'UnrecognizedClientException', 'upstream_auth'],
    [404, 'ResourceNotFoundException', 'upstream_not_found'],
    [429, 'ThrottlingException', 'rate_limited'],
    [400, 'ServiceQuotaExceededException', 'rate_limited'],
    [429, 'ModelNotReadyException', 'upstream_unavailable'],
    [503, 'ServiceUnavailableException', 'upstream_unavailable'],
    [408, 'ModelTimeoutException', 'upstream_timeout'],
    [500, 'InternalServerException', 'upstream_error'],
  ];
  for (const [status, type, code] of cases) {
    const e = err(status, { message: 'm' }, type);
    assert.equal(e.code, code, type);
    assert.equal(e.upstream?.type, type.split(':')[0]);
    assert.equal(e.upstream?.status, status);
  }
  const ctxLen = err(400, { message: 'Input is too long for requested model.' }, 'ValidationException');
  assert.equal(ctxLen.code, 'context_length_exceeded');
  const capital = err(403, { Message: 'The security token included in the request is invalid.' }, 'UnrecognizedClientException');
  assert.equal(capital.message, 'The security token included in the request is invalid.');
  assert.equal(err(429, { message: 'slow' }, 'ThrottlingException', { 'retry-after': '2' }).retryAfterMs, 2000);
  // No header: the HTTP status decides.
  assert.equal(err(503, { message: 'x' }).code, 'upstream_unavailable');
  assert.equal(err(400, { __type: 'com.amazon.coral.validate#ValidationException', message: 'x' }).upstream?.type, 'ValidationException');
  const text = bedrockConverse.parseError('upstream connect error', { status: 502, headers: {} });
  assert.equal(text.code, 'upstream_error');
  assert.equal(text.message, 'upstream connect error');
});
