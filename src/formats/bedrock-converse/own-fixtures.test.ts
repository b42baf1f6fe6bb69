// Conformance on our own documented-shape Bedrock Converse responses (testkit/fixtures-own/bedrock,
// written from the Converse / ConverseStream API reference), so every clone exercises this
// format's parsers, not only one with ../shared captures (conformance.test.ts). `.chunks.txt`
// stream fixtures are the decoded events, one `{eventType: payload}` per line (payloads keep the
// `p` padding field Bedrock adds), encoded here into real application/vnd.amazon.eventstream
// frames (@smithy/eventstream-codec); the `.eventstream` one is those frames as bytes. All are
// parsed whole and byte by byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFixtureText } from '../../../testkit/fixtures.js';
import { errorStatus, fold, ownFiles, parseOwnStream, readOwnJson, streamBytes, type ErrorCase, type Folded } from '../../../testkit/format-helpers/own-fixtures.js';
import { bedrockConverse } from './index.js';
import { codec } from './eventstream.js';

const dir = 'own/bedrock';
const meta = { status: 200, headers: { 'x-amzn-requestid': 'own-request-id' } };

// Bedrock's stream has no id and no model: the parser mints an id and names the deployment's model.
const STREAMS: Record<string, Folded> = {
  'converse-stream-text.chunks.txt': {
    id: '<generated>',
    model: 'ctx-model',
    text: 'The capital of Peru is Lima.',
    reasoning: [],
    toolCalls: [],
    usage: { inputTokens: 11, outputTokens: 8, totalTokens: 19 },
    finish: { reason: 'stop', raw: 'end_turn' },
    errors: [],
    order: ['text'],
  },
  'converse-stream-tool-use.eventstream': {
    id: '<generated>',
    model: 'ctx-model',
    text: 'Checking the weather.',
    reasoning: [],
    toolCalls: [{ id: 'tooluse_OwnStreamCcccccccccc', name: 'get_weather', arguments: '{"city": "Oslo"}' }],
    usage: { inputTokens: 402, outputTokens: 57, totalTokens: 459 },
    finish: { reason: 'tool-calls', raw: 'tool_use' },
    errors: [],
    order: ['text', 'tool'],
  },
  'converse-stream-reasoning.chunks.txt': {
    id: '<generated>',
    model: 'ctx-model',
    text: 'Hello! How can I help?',
    reasoning: [{ text: 'The user greets me; a short friendly reply fits.', signature: 'EqoBCkgIBxABGAIiQOwn+bedrock+stream+signatureaGVsbG8=' }],
    toolCalls: [],
    usage: { inputTokens: 38, outputTokens: 49, totalTokens: 87 },
    finish: { reason: 'stop', raw: 'end_turn' },
    errors: [],
    order: ['reasoning', 'text'],
  },
};

const RESPONSES: Record<string, (r: ReturnType<typeof bedrockConverse.parseResponse>) => void> = {
  'converse-text.json': (r) => {
    assert.equal(r.id, 'own-request-id', 'the response id is the request id header');
    assert.deepEqual(r.content, [{ type: 'text', text: 'Paris is the capital of France.' }]);
    assert.deepEqual([r.finishReason, r.rawFinishReason], ['stop', 'end_turn']);
    assert.deepEqual(r.usage, { inputTokens: 14, outputTokens: 9, totalTokens: 23 });
    assert.deepEqual(r.providerMetadata, { 'bedrock-converse': { metrics: { latencyMs: 412 } } });
  },
  'converse-tool-use.json': (r) => {
    assert.deepEqual(r.content, [
      { type: 'text', text: "I'll look up the weather in both cities." },
      { type: 'tool-call', id: 'tooluse_OwnOsloAaaaaaaaaaaaaa', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { type: 'tool-call', id: 'tooluse_OwnLimaBbbbbbbbbbbbbb', name: 'get_weather', arguments: '{"city":"Lima"}' },
    ]);
    assert.deepEqual([r.finishReason, r.rawFinishReason], ['tool-calls', 'tool_use']);
    // Bedrock's inputTokens excludes cache reads and writes: canonical input = 390 + 128 + 0.
    assert.deepEqual(r.usage, { inputTokens: 518, outputTokens: 120, totalTokens: 638, cacheReadTokens: 128, cacheWriteTokens: 0 });
  },
  'converse-reasoning.json': (r) => {
    assert.deepEqual(r.content, [
      { type: 'reasoning', text: '12 squared is 144; add 1 to get 145.', signature: 'ErcBCkgIBxABGAIiQOwn+bedrock+reasoning+signatureZXhhbXBsZQ==' },
      { type: 'text', text: '12² + 1 = 145' },
    ]);
    assert.deepEqual(r.usage, { inputTokens: 44, outputTokens: 61, totalTokens: 105 });
  },
};

// Bedrock error bodies are `{"message": ...}`; the exception name is in x-amzn-errortype.
const ERRORS: Record<string, ErrorCase & { errorType: string }> = {
  'error-400-validation.json': { errorType: 'ValidationException', code: 'upstream_bad_request', retryable: false, message: 'The provided model identifier is invalid.' },
  'error-403-access-denied.json': { errorType: 'AccessDeniedException', code: 'upstream_auth', retryable: false, message: "You don't have access to the model with the specified model ID." },
  'error-429-throttling.json': { errorType: 'ThrottlingException', code: 'rate_limited', retryable: true, message: 'Too many requests, please wait before trying again.' },
  'error-500-internal-server.json': { errorType: 'InternalServerException', code: 'upstream_error', retryable: true, message: 'The server encountered an internal error while processing the request.' },
  'error-503-service-unavailable.json': { errorType: 'ServiceUnavailableException', code: 'upstream_unavailable', retryable: true, message: 'Bedrock is unable to process your request.' },
};

test('every own bedrock fixture has a conformance case', () => {
  assert.deepEqual(ownFiles('bedrock'), [...Object.keys(STREAMS), ...Object.keys(RESPONSES), ...Object.keys(ERRORS)].sort());
});

test('own bedrock streams become real eventstream frames: event-type, content-type and message-type headers', () => {
  const bytes = streamBytes(`${dir}/converse-stream-text.chunks.txt`);
  const first = codec.decode(bytes.subarray(0, new DataView(bytes.buffer, bytes.byteOffset).getUint32(0)));
  assert.deepEqual(Object.fromEntries(Object.entries(first.headers).map(([k, h]) => [k, h.value])), {
    ':event-type': 'messageStart',
    ':content-type': 'application/json',
    ':message-type': 'event',
  });
  assert.deepEqual(JSON.parse(new TextDecoder().decode(first.body)), { p: 'abcdef', role: 'assistant' });
});

// The one stream kept as raw bytes (as the service sends them; the simulator replays it byte for
// byte): what it holds, so the binary file can be reviewed and cannot drift from this list.
const TOOL_USE_EVENTS = [
  { messageStart: { p: 'abcdef', role: 'assistant' } },
  { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Checking the weather.' }, p: 'abcdefgh' } },
  { contentBlockStop: { contentBlockIndex: 0, p: 'abcd' } },
  { contentBlockStart: { contentBlockIndex: 1, p: 'abcdefghij', start: { toolUse: { name: 'get_weather', toolUseId: 'tooluse_OwnStreamCcccccccccc' } } } },
  { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"city":' } }, p: 'ab' } },
  { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: ' "Oslo"}' } }, p: 'abcdefg' } },
  { contentBlockStop: { contentBlockIndex: 1, p: 'abcdefghijk' } },
  { messageStop: { p: 'abc', stopReason: 'tool_use' } },
  { metadata: { metrics: { latencyMs: 901 }, p: 'abcde', usage: { inputTokens: 402, outputTokens: 57, totalTokens: 459 } } },
];

test('own converse-stream-tool-use.eventstream holds exactly these event frames', () => {
  const bytes = streamBytes(`${dir}/converse-stream-tool-use.eventstream`);
  const frames: Array<Record<string, unknown>> = [];
  for (let off = 0; off < bytes.length; ) {
    const len = new DataView(bytes.buffer, bytes.byteOffset + off).getUint32(0);
    const m = codec.decode(bytes.subarray(off, off + len));
    assert.equal(m.headers[':message-type']?.value, 'event');
    assert.equal(m.headers[':content-type']?.value, 'application/json');
    frames.push({ [String(m.headers[':event-type']?.value)]: JSON.parse(new TextDecoder().decode(m.body)) });
    off += len;
  }
  assert.deepEqual(frames, TOOL_USE_EVENTS);
});

for (const [file, expected] of Object.entries(STREAMS)) {
  test(`own ${file}: parseStream gives the documented content, whole or byte by byte`, async () => {
    assert.deepEqual(fold(await parseOwnStream(bedrockConverse, `${dir}/${file}`)), expected);
  });
}

for (const [file, check] of Object.entries(RESPONSES)) {
  test(`own ${file}: parseResponse`, () => check(bedrockConverse.parseResponse(readOwnJson(`${dir}/${file}`), meta)));
}

for (const [file, c] of Object.entries(ERRORS)) {
  test(`own ${file}: parseError (${c.errorType}) -> ${c.code}`, () => {
    const status = errorStatus(file);
    const text = readFixtureText(`${dir}/${file}`);
    const e = bedrockConverse.parseError(text, { status, headers: { 'x-amzn-errortype': `${c.errorType}:http://internal.amazon.com/coral/com.amazon.bedrock/` } });
    assert.deepEqual([e.code, e.retryable, e.message, e.upstream?.type, e.upstream?.status], [c.code, c.retryable, c.message, c.errorType, status]);
    assert.deepEqual(e.upstream?.body, JSON.parse(text));
  });
}
