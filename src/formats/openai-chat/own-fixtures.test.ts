// Conformance on our own documented-shape OpenAI responses (testkit/fixtures-own/openai, written
// from the Chat Completions API reference), so every clone exercises this format's parsers, not
// only one with ../shared captures (conformance.test.ts). Exact canonical results; streams also
// byte by byte and through our own encoder and back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFixtureText } from '../../../testkit/fixtures.js';
import { errorStatus, fold, ownFiles, parseOwnStream, readOwnJson, type ErrorCase, type Folded } from '../../../testkit/format-helpers/own-fixtures.js';
import { bytes, collect, ctx, events } from '../../../testkit/format-helpers/openai-chat.js';
import { openaiChat } from './index.js';

const dir = 'own/openai';
const meta = { status: 200, headers: {} };
const MODEL = 'docs-example-chat-model';

const STREAMS: Record<string, Folded> = {
  'chat-text.stream.sse': {
    id: 'chatcmpl-own-stream-1',
    model: MODEL,
    text: 'The sky is blue.',
    reasoning: [],
    toolCalls: [],
    usage: { inputTokens: 12, outputTokens: 6, totalTokens: 18, cacheReadTokens: 0, reasoningTokens: 0 },
    finish: { reason: 'stop', raw: 'stop' },
    errors: [],
    order: ['text'],
  },
  'chat-tool-calls.stream.sse': {
    id: 'chatcmpl-own-stream-2',
    model: MODEL,
    text: '',
    reasoning: [],
    toolCalls: [
      { id: 'call_own_stream_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { id: 'call_own_stream_2', name: 'get_time', arguments: '{"zone":"Europe/Oslo"}' },
    ],
    usage: { inputTokens: 96, outputTokens: 41, totalTokens: 137, cacheReadTokens: 0, reasoningTokens: 0 },
    finish: { reason: 'tool-calls', raw: 'tool_calls' },
    errors: [],
    order: ['tool'],
  },
};

const RESPONSES: Record<string, (r: ReturnType<typeof openaiChat.parseResponse>) => void> = {
  'chat-text.json': (r) =>
    assert.deepEqual(r, {
      id: 'chatcmpl-own-text-1',
      model: MODEL,
      created: 1741569952,
      content: [{ type: 'text', text: 'Hello! How can I assist you today?' }],
      finishReason: 'stop',
      rawFinishReason: 'stop',
      usage: { inputTokens: 19, outputTokens: 10, totalTokens: 29, cacheReadTokens: 0, reasoningTokens: 0 },
    }),
  'chat-parallel-tool-calls.json': (r) => {
    assert.deepEqual(r.content, [
      { type: 'tool-call', id: 'call_own_oslo', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { type: 'tool-call', id: 'call_own_lima', name: 'get_weather', arguments: '{"city":"Lima"}' },
    ]);
    assert.deepEqual([r.finishReason, r.rawFinishReason], ['tool-calls', 'tool_calls']);
    // prompt_tokens includes the cached ones: 64 of 82 came from the cache.
    assert.deepEqual(r.usage, { inputTokens: 82, outputTokens: 46, totalTokens: 128, cacheReadTokens: 64, reasoningTokens: 0 });
  },
};

const ERRORS: Record<string, ErrorCase> = {
  'error-400-context-length-exceeded.json': { code: 'context_length_exceeded', retryable: false, upstreamType: 'context_length_exceeded', message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens. Please reduce the length of the messages." },
  'error-401-invalid-api-key.json': { code: 'upstream_auth', retryable: false, upstreamType: 'invalid_api_key', message: 'Incorrect API key provided: sk-own-***. You can find your API key at https://platform.openai.com/account/api-keys.' },
  'error-429-insufficient-quota.json': { code: 'insufficient_quota', retryable: false, upstreamType: 'insufficient_quota', message: 'You exceeded your current quota, please check your plan and billing details.' },
  'error-429-rate-limit-exceeded.json': { code: 'rate_limited', retryable: true, upstreamType: 'rate_limit_exceeded', message: 'Rate limit reached for requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 120ms.' },
  // No `code` in the body: the error's `type` is what the provider called it.
  'error-500-server-error.json': { code: 'upstream_error', retryable: true, upstreamType: 'server_error', message: 'The server had an error while processing your request. Sorry about that!' },
};

test('every own openai fixture has a conformance case', () => {
  assert.deepEqual(ownFiles('openai'), [...Object.keys(STREAMS), ...Object.keys(RESPONSES), ...Object.keys(ERRORS)].sort());
});

for (const [file, expected] of Object.entries(STREAMS)) {
  test(`own ${file}: parseStream gives the documented content, whole or byte by byte`, async () => {
    assert.deepEqual(fold(await parseOwnStream(openaiChat, `${dir}/${file}`)), expected);
  });

  test(`own ${file}: canonical -> encodeEvents -> parseStream keeps content, usage and finish`, async () => {
    const first = await parseOwnStream(openaiChat, `${dir}/${file}`);
    const sse = (await collect(openaiChat.encodeEvents(events(first), { ...ctx, includeUsage: true }))).join('');
    assert.ok(sse.endsWith('data: [DONE]\n\n'));
    const again = fold(await collect(openaiChat.parseStream(bytes(sse), { model: 'x' })));
    // Our encoder names the route and the request id, not the upstream's model and id.
    assert.deepEqual({ ...again, id: undefined, model: undefined }, { ...expected, id: undefined, model: undefined });
  });
}

for (const [file, check] of Object.entries(RESPONSES)) {
  test(`own ${file}: parseResponse`, () => check(openaiChat.parseResponse(readOwnJson(`${dir}/${file}`), meta)));
}

for (const [file, c] of Object.entries(ERRORS)) {
  test(`own ${file}: parseError -> ${c.code}, and back to an OpenAI client`, () => {
    const status = errorStatus(file);
    const text = readFixtureText(`${dir}/${file}`);
    const e = openaiChat.parseError(text, { status, headers: { 'retry-after': '2' } });
    assert.deepEqual([e.code, e.retryable, e.message, e.upstream?.type, e.upstream?.status], [c.code, c.retryable, c.message, c.upstreamType, status]);
    assert.deepEqual(e.upstream?.body, JSON.parse(text));
    assert.equal(e.retryAfterMs, 2000);
    const rendered = openaiChat.encodeError(e);
    const body = rendered.body as { error: { message: string; code: string } };
    assert.equal(body.error.message, c.message);
    assert.equal(body.error.code, c.upstreamType, "the provider's own code reaches the client");
  });
}
