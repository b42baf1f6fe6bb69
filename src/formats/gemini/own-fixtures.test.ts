// Conformance on our own documented-shape Gemini responses (testkit/fixtures-own/gemini, written
// from the generateContent / streamGenerateContent reference: SSE with `alt=sse`, CRLF framing),
// so every clone exercises this format's parsers, not only one with ../shared captures
// (conformance.test.ts). Exact canonical results; streams also byte by byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFixtureText } from '../../../testkit/fixtures.js';
import { errorStatus, fold, ownFiles, parseOwnStream, readOwnJson, type ErrorCase, type Folded } from '../../../testkit/format-helpers/own-fixtures.js';
import { stableCallIds } from '../../../testkit/format-helpers/gemini.js';
import { gemini } from './index.js';
import { signatureFromCallId } from './call-id.js';

const dir = 'own/gemini';
const meta = { status: 200, headers: {} };
const MODEL = 'docs-example-gemini-model';
const SIGNATURE = 'CiQBVKhc7own+documented+thought+signatureDGVzdCBzaWduYXR1cmUgZm9yIGEgZnVuY3Rpb24gY2FsbA==';

const STREAMS: Record<string, Folded> = {
  'streamGenerateContent-text.sse': {
    id: 'own-sgc-text-1',
    model: MODEL,
    text: "Why don't scientists trust atoms? Because they make up everything.",
    reasoning: [],
    toolCalls: [],
    usage: { inputTokens: 8, outputTokens: 13, totalTokens: 21 },
    finish: { reason: 'stop', raw: 'STOP' },
    errors: [],
    order: ['text'],
  },
  'streamGenerateContent-thinking-function-call.sse': {
    id: 'own-sgc-tools-1',
    model: MODEL,
    text: '',
    reasoning: [{ text: '**Planning the lookup**\n\nThe user asks about Oslo weather; I will call get_weather.' }],
    // Gemini sends arguments whole, as an object; ids are minted (call_0 after stableCallIds).
    toolCalls: [{ id: 'call_0', name: 'get_weather', arguments: '{"city":"Oslo"}' }],
    // Thinking tokens count as output: 15 candidates + 54 thoughts.
    usage: { inputTokens: 40, outputTokens: 69, totalTokens: 109, reasoningTokens: 54 },
    // Gemini says STOP after a function call; the canonical reason is what happened.
    finish: { reason: 'tool-calls', raw: 'STOP' },
    errors: [],
    order: ['reasoning', 'tool'],
  },
};

const RESPONSES: Record<string, (r: ReturnType<typeof gemini.parseResponse>) => void> = {
  'generateContent-text.json': (r) =>
    assert.deepEqual({ ...r, created: 0 }, {
      id: 'own-gc-text-1',
      model: MODEL,
      created: 0,
      content: [{ type: 'text', text: 'A haiku about the sea:\n\nGrey waves fold and break,\nsalt wind carries gulls inland,\nthe tide keeps its time.' }],
      finishReason: 'stop',
      rawFinishReason: 'STOP',
      usage: { inputTokens: 7, outputTokens: 27, totalTokens: 34 },
    }),
  'generateContent-parallel-function-calls.json': (r) => {
    const calls = r.content.map((p) => (p.type === 'tool-call' ? { name: p.name, arguments: p.arguments, signature: p.signature, packed: signatureFromCallId(p.id) } : p));
    assert.deepEqual(calls, [
      // The thought signature rides in the minted id, so it comes back on the next turn.
      { name: 'get_weather', arguments: '{"city":"Oslo"}', signature: SIGNATURE, packed: SIGNATURE },
      { name: 'get_weather', arguments: '{"city":"Lima"}', signature: undefined, packed: undefined },
    ]);
    assert.equal(new Set(r.content.map((p) => (p.type === 'tool-call' ? p.id : ''))).size, 2, 'distinct ids');
    assert.deepEqual([r.finishReason, r.rawFinishReason], ['tool-calls', 'STOP']);
    assert.deepEqual(r.usage, { inputTokens: 61, outputTokens: 82, totalTokens: 143, cacheReadTokens: 32, reasoningTokens: 64 });
  },
  'generateContent-thinking.json': (r) => {
    assert.deepEqual(r.content, [
      { type: 'reasoning', text: '**Counting letters**\n\nStrawberry: s-t-r-a-w-b-e-r-r-y has r at positions 3, 8 and 9.' },
      { type: 'text', text: 'There are 3 r\'s in "strawberry".' },
    ]);
    assert.deepEqual(r.usage, { inputTokens: 11, outputTokens: 87, totalTokens: 98, reasoningTokens: 75 });
  },
  'generateContent-prompt-blocked.json': (r) => {
    assert.deepEqual(r.content, []);
    assert.deepEqual([r.finishReason, r.rawFinishReason], ['content-filter', 'SAFETY']);
    assert.deepEqual(r.usage, { inputTokens: 9, outputTokens: 0, totalTokens: 9 });
    const feedback = (r.providerMetadata?.gemini as { promptFeedback?: { blockReason?: string } } | undefined)?.promptFeedback;
    assert.equal(feedback?.blockReason, 'SAFETY', 'the block reason is kept for the client');
  },
};

const ERRORS: Record<string, ErrorCase> = {
  'error-400-api-key-invalid.json': { code: 'upstream_auth', retryable: false, upstreamType: 'INVALID_ARGUMENT', message: 'API key not valid. Please pass a valid API key.' },
  'error-404-model-not-found.json': { code: 'upstream_not_found', retryable: false, upstreamType: 'NOT_FOUND', message: 'models/docs-example-missing-model is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.' },
  // RetryInfo.retryDelay in the body says when to come back (no retry-after header).
  'error-429-resource-exhausted.json': { code: 'rate_limited', retryable: true, upstreamType: 'RESOURCE_EXHAUSTED', retryAfterMs: 27_000, message: 'You exceeded your current quota, please check your plan and billing details.' },
  'error-500-internal.json': { code: 'upstream_error', retryable: true, upstreamType: 'INTERNAL', message: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting' },
  'error-503-unavailable.json': { code: 'upstream_unavailable', retryable: true, upstreamType: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
};

test('every own gemini fixture has a conformance case', () => {
  assert.deepEqual(ownFiles('gemini'), [...Object.keys(STREAMS), ...Object.keys(RESPONSES), ...Object.keys(ERRORS)].sort());
});

test('own gemini streams are framed as the API frames them with alt=sse: CRLF after every line', () => {
  for (const file of Object.keys(STREAMS)) {
    const text = readFixtureText(`${dir}/${file}`);
    assert.ok(text.split('\r\n\r\n').slice(0, -1).every((e) => e.startsWith('data: {')), file);
    assert.ok(text.endsWith('\r\n\r\n') && !/[^\r]\n/.test(text), file);
  }
});

for (const [file, expected] of Object.entries(STREAMS)) {
  test(`own ${file}: parseStream gives the documented content, whole or byte by byte`, async () => {
    assert.deepEqual(fold(await parseOwnStream(gemini, `${dir}/${file}`, stableCallIds)), expected);
  });
}

for (const [file, check] of Object.entries(RESPONSES)) {
  test(`own ${file}: parseResponse`, () => check(gemini.parseResponse(readOwnJson(`${dir}/${file}`), meta)));
}

for (const [file, c] of Object.entries(ERRORS)) {
  test(`own ${file}: parseError -> ${c.code}`, () => {
    const status = errorStatus(file);
    const text = readFixtureText(`${dir}/${file}`);
    const e = gemini.parseError(text, { status, headers: {} });
    assert.deepEqual([e.code, e.retryable, e.message, e.upstream?.type, e.upstream?.status], [c.code, c.retryable, c.message, c.upstreamType, status]);
    assert.deepEqual(e.upstream?.body, JSON.parse(text));
    assert.equal(e.retryAfterMs, c.retryAfterMs);
  });
}
