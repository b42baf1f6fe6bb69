// Conformance on our own documented-shape Anthropic responses (testkit/fixtures-own/anthropic,
// written from the Messages API and streaming reference), so every clone exercises this format's
// parsers, not only one with ../shared captures (conformance.test.ts). Exact canonical results;
// streams also byte by byte and through our own encoder and back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFixtureText } from '../../../testkit/fixtures.js';
import { errorStatus, fold, ownFiles, parseOwnStream, readOwnJson, type ErrorCase, type Folded } from '../../../testkit/format-helpers/own-fixtures.js';
import { bytes, collect, CTX, iter } from '../../../testkit/format-helpers/anthropic-messages.js';
import { anthropicMessages } from './index.js';

const dir = 'own/anthropic';
const meta = { status: 200, headers: {} };
const MODEL = 'docs-example-messages-model';

const STREAMS: Record<string, Folded> = {
  'messages-text.stream.sse': {
    id: 'msg_01OwnStreamFfffffffffffff',
    model: MODEL,
    text: 'Hello! The sky is blue because air scatters short wavelengths most.',
    reasoning: [],
    toolCalls: [],
    // message_start's input with message_delta's cumulative output.
    usage: { inputTokens: 25, outputTokens: 15, totalTokens: 40, cacheReadTokens: 0, cacheWriteTokens: 0 },
    finish: { reason: 'stop', raw: 'end_turn' },
    errors: [],
    order: ['text'],
  },
  'messages-thinking-tool-use.stream.sse': {
    id: 'msg_01OwnStreamGggggggggggggg',
    model: MODEL,
    text: 'Let me look that up.',
    reasoning: [{ text: 'The user wants the weather; I should call get_weather for Oslo.', signature: 'EpYBCkgIARABGAIiQOwn+second+signature+for+the+stream+fixtureZGl2aWRlIGJ5IGZpdmU=' }],
    // The empty first input_json_delta carries nothing and is not emitted.
    toolCalls: [{ id: 'toolu_01OwnStreamHhhhhhhhhhhh', name: 'get_weather', arguments: '{"city": "Oslo"}' }],
    usage: { inputTokens: 512, outputTokens: 96, totalTokens: 608, cacheReadTokens: 0, cacheWriteTokens: 0 },
    finish: { reason: 'tool-calls', raw: 'tool_use' },
    errors: [],
    order: ['reasoning', 'text', 'tool'],
  },
  'messages-overloaded-midstream.stream.sse': {
    id: 'msg_01OwnStreamIiiiiiiiiiiiii',
    model: MODEL,
    text: 'Once upon',
    reasoning: [],
    toolCalls: [],
    usage: { inputTokens: 9, outputTokens: 1, totalTokens: 10, cacheReadTokens: 0, cacheWriteTokens: 0 },
    errors: [{ code: 'upstream_overloaded', retryable: true, upstreamType: 'overloaded_error' }],
    order: ['text'],
  },
};

const RESPONSES: Record<string, (r: ReturnType<typeof anthropicMessages.parseResponse>) => void> = {
  'messages-text.json': (r) =>
    assert.deepEqual({ ...r, created: 0 }, {
      id: 'msg_01OwnTextAaaaaaaaaaaaaa',
      model: MODEL,
      created: 0,
      content: [{ type: 'text', text: "Hello! It's nice to meet you. How can I help you today?" }],
      finishReason: 'stop',
      rawFinishReason: 'end_turn',
      usage: { inputTokens: 14, outputTokens: 17, totalTokens: 31, cacheReadTokens: 0, cacheWriteTokens: 0 },
    }),
  'messages-parallel-tool-use.json': (r) => {
    assert.deepEqual(r.content, [
      { type: 'text', text: "I'll check the weather in both cities." },
      { type: 'tool-call', id: 'toolu_01OwnOsloCccccccccccccc', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { type: 'tool-call', id: 'toolu_01OwnLimaDdddddddddddddd', name: 'get_weather', arguments: '{"city":"Lima"}' },
    ]);
    assert.deepEqual([r.finishReason, r.rawFinishReason], ['tool-calls', 'tool_use']);
    // Anthropic's input_tokens excludes cache reads: canonical input = 402 + 256.
    assert.deepEqual(r.usage, { inputTokens: 658, outputTokens: 118, totalTokens: 776, cacheReadTokens: 256, cacheWriteTokens: 0 });
  },
  'messages-thinking.json': (r) => {
    assert.deepEqual(r.content, [
      { type: 'reasoning', text: '27 times 453: 27 * 400 = 10800 and 27 * 53 = 1431, so 12231.', signature: 'EqQBCkgIARABGAIiQL5own+documented+shape+signature+A0aGVsbG8gd29ybGQgdGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZQ==' },
      { type: 'text', text: '27 × 453 = 12,231' },
    ]);
    assert.deepEqual(r.usage, { inputTokens: 46, outputTokens: 88, totalTokens: 134, cacheReadTokens: 0, cacheWriteTokens: 0 });
  },
};

const ERRORS: Record<string, ErrorCase> = {
  'error-400-invalid-request.json': { code: 'upstream_bad_request', retryable: false, upstreamType: 'invalid_request_error', message: 'max_tokens: Field required' },
  'error-400-prompt-too-long.json': { code: 'context_length_exceeded', retryable: false, upstreamType: 'invalid_request_error', message: 'prompt is too long: 215000 tokens > 200000 maximum' },
  'error-401-authentication.json': { code: 'upstream_auth', retryable: false, upstreamType: 'authentication_error', message: 'invalid x-api-key' },
  'error-429-rate-limit.json': { code: 'rate_limited', retryable: true, upstreamType: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit. Please try again later.' },
  'error-500-api-error.json': { code: 'upstream_error', retryable: true, upstreamType: 'api_error', message: 'Internal server error' },
  'error-529-overloaded.json': { code: 'upstream_overloaded', retryable: true, upstreamType: 'overloaded_error', message: 'Overloaded' },
};

test('every own anthropic fixture has a conformance case', () => {
  assert.deepEqual(ownFiles('anthropic'), [...Object.keys(STREAMS), ...Object.keys(RESPONSES), ...Object.keys(ERRORS)].sort());
});

for (const [file, expected] of Object.entries(STREAMS)) {
  test(`own ${file}: parseStream gives the documented content, whole or byte by byte`, async () => {
    assert.deepEqual(fold(await parseOwnStream(anthropicMessages, `${dir}/${file}`)), expected);
  });

  test(`own ${file}: canonical -> encodeEvents -> parseStream keeps content, usage, finish and errors`, async () => {
    const first = await parseOwnStream(anthropicMessages, `${dir}/${file}`);
    const sse = (await collect(anthropicMessages.encodeEvents(iter(first), CTX))).join('');
    const again = fold(await collect(anthropicMessages.parseStream(bytes(sse), { model: 'x' })));
    // Our encoder names the route and the request id, not the upstream's model and id.
    assert.deepEqual({ ...again, id: undefined, model: undefined }, { ...expected, id: undefined, model: undefined });
  });
}

for (const [file, check] of Object.entries(RESPONSES)) {
  test(`own ${file}: parseResponse`, () => check(anthropicMessages.parseResponse(readOwnJson(`${dir}/${file}`), meta)));

  test(`own ${file}: parseResponse -> encodeResponse gives the documented content back`, () => {
    const raw = readOwnJson(`${dir}/${file}`) as { content: unknown[]; stop_reason: string };
    const out = anthropicMessages.encodeResponse(anthropicMessages.parseResponse(raw, meta), CTX) as { content: unknown[]; stop_reason: string };
    assert.deepEqual(out.content, raw.content);
    assert.equal(out.stop_reason, raw.stop_reason);
  });
}

for (const [file, c] of Object.entries(ERRORS)) {
  test(`own ${file}: parseError -> ${c.code}, and back to an Anthropic client`, () => {
    const status = errorStatus(file);
    const text = readFixtureText(`${dir}/${file}`);
    const e = anthropicMessages.parseError(text, { status, headers: { 'retry-after': '3' } });
    assert.deepEqual([e.code, e.retryable, e.message, e.upstream?.type, e.upstream?.status], [c.code, c.retryable, c.message, c.upstreamType, status]);
    assert.deepEqual(e.upstream?.body, JSON.parse(text));
    assert.equal(e.retryAfterMs, 3000);
    const rendered = anthropicMessages.encodeError(e);
    const body = rendered.body as { type: string; error: { type: string; message: string } };
    assert.equal(body.type, 'error');
    assert.equal(body.error.message, c.message);
    // An Anthropic client sees Anthropic's own error types; an overload keeps its 529.
    const expectedType = { upstream_overloaded: 'overloaded_error', rate_limited: 'rate_limit_error', upstream_error: 'api_error', upstream_auth: 'api_error' }[c.code] ?? 'invalid_request_error';
    assert.equal(body.error.type, expectedType);
    if (status === 529) assert.equal(rendered.status, 529);
  });
}
