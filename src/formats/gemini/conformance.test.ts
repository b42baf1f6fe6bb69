// Replays every captured Gemini response in ../shared/fixtures/upstream/gemini and asserts the
// exact canonical output. Raw .sse bytes are also fed in small random-sized chunks (framing).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { SKIP_NO_FIXTURES, fixturePath, readFixture, readFixtureJson, readFixtureText } from '../../../testkit/fixtures.js';
import { gemini } from './index.js';
import { chunksOf, collect, normalize, randomChunks, stableCallIds } from '../../../testkit/format-helpers/gemini.js';

const skip = { skip: SKIP_NO_FIXTURES };
const ctx = { model: 'ctx-model' };
const meta = { status: 200, headers: {} };

async function replaySse(rel: string): Promise<unknown[]> {
  const bytes = new Uint8Array(readFixture(rel));
  const whole = stableCallIds(normalize(await collect(gemini.parseStream(chunksOf(bytes), ctx)), 'gemini-'));
  for (const seed of [1, 2, 3, 42]) {
    const split = stableCallIds(normalize(await collect(gemini.parseStream(randomChunks(bytes, seed), ctx)), 'gemini-'));
    assert.deepEqual(split, whole, `${rel} split with seed ${seed}`);
  }
  return whole;
}

/** .chunks.txt payloads framed the way Gemini frames them: `data: <json>\r\n\r\n`. */
async function replayChunks(rel: string): Promise<unknown[]> {
  const lines = readFixtureText(rel).split('\n').filter((l) => l.trim() !== '');
  const bytes = new TextEncoder().encode(lines.map((l) => `data: ${l}\r\n\r\n`).join(''));
  const whole = stableCallIds(normalize(await collect(gemini.parseStream(chunksOf(bytes), ctx)), 'gemini-'));
  assert.deepEqual(stableCallIds(normalize(await collect(gemini.parseStream(randomChunks(bytes, 9, 13), ctx)), 'gemini-')), whole);
  return whole;
}

const COVERED = new Set([
  'generateContent-text.json',
  'generateContent-thinking-function-call.json',
  'streamGenerateContent-gemini3-tool-call.chunks.txt',
  'streamGenerateContent-prompt-blocked.sse',
  'streamGenerateContent-text-crlf.sse',
  'streamGenerateContent-text.sse',
  'streamGenerateContent-thinking-function-call.sse',
  'error-400-api-key-invalid.json',
  'error-404-unknown-model.json',
  'error-429-quota-exceeded.json',
]);

test('every Gemini capture is covered by a conformance test', skip, () => {
  const dir = fixturePath('gemini');
  const files = readdirSync(dir).filter((f) => statSync(`${dir}/${f}`).isFile());
  assert.deepEqual(files.filter((f) => !COVERED.has(f)), [], 'new capture without a conformance test');
});

test('streamGenerateContent-text-crlf.sse', skip, async () => {
  assert.deepEqual(await replaySse('gemini/streamGenerateContent-text-crlf.sse'), [
    { type: 'message-start', id: 'w1peaMz6INOvnvgPgYfPiQY', model: 'gemini-2.0-flash-exp' },
    { type: 'text-delta', text: 'The' },
    { type: 'usage', usage: { inputTokens: 15, outputTokens: 0, totalTokens: 15 } },
    { type: 'text-delta', text: ' capital of France' },
    { type: 'text-delta', text: ' is Paris.\n' },
    { type: 'usage', usage: { inputTokens: 13, outputTokens: 8, totalTokens: 21 } },
    { type: 'finish', reason: 'stop', raw: 'STOP' },
  ]);
});

test('streamGenerateContent-text.sse', skip, async () => {
  assert.deepEqual(await replaySse('gemini/streamGenerateContent-text.sse'), [
    { type: 'message-start', id: '<generated>', model: 'gemini-2.0-flash' },
    { type: 'text-delta', text: 'The' },
    { type: 'usage', usage: { inputTokens: 7, outputTokens: 0, totalTokens: 7 } },
    { type: 'text-delta', text: ' capital of Wyoming' },
    { type: 'text-delta', text: ' is **Cheyenne**.\n' },
    { type: 'usage', usage: { inputTokens: 7, outputTokens: 10, totalTokens: 17 } },
    { type: 'finish', reason: 'stop', raw: 'STOP' },
  ]);
});

test('streamGenerateContent-prompt-blocked.sse: no text, content-filter with the raw block reason', skip, async () => {
  assert.deepEqual(await replaySse('gemini/streamGenerateContent-prompt-blocked.sse'), [
    { type: 'message-start', id: '<generated>', model: 'ctx-model' },
    { type: 'finish', reason: 'content-filter', raw: 'SAFETY' },
  ]);
});

test('streamGenerateContent-thinking-function-call.sse: thoughts, then a signed function call', skip, async () => {
  const events = await replaySse('gemini/streamGenerateContent-thinking-function-call.sse');
  assert.equal(events.length, 9);
  assert.deepEqual(events[0], { type: 'message-start', id: '48SHaPHpHKbG-8YPtZCawAk', model: 'gemini-2.5-flash' });
  const r1 = events[1] as { type: string; text: string };
  assert.equal(r1.type, 'reasoning-delta');
  assert.ok(r1.text.startsWith('**Calculating the Days**\n\nI\'ve determined'));
  assert.deepEqual(events[2], { type: 'usage', usage: { inputTokens: 38, outputTokens: 68, totalTokens: 106, reasoningTokens: 68 } });
  const r2 = events[3] as { type: string; text: string };
  assert.equal(r2.type, 'reasoning-delta');
  assert.ok(r2.text.startsWith('**Determining the Approach**'));
  assert.deepEqual(events[4], { type: 'usage', usage: { inputTokens: 38, outputTokens: 168, totalTokens: 206, reasoningTokens: 168 } });
  const start = events[5] as { type: string; index: number; id: string; name: string; signature: string };
  assert.deepEqual({ ...start, signature: undefined }, { type: 'tool-call-start', index: 0, id: 'call_0', name: 'now', signature: undefined });
  const sig = /"thoughtSignature": "([^"]+)"/.exec(readFixtureText('gemini/streamGenerateContent-thinking-function-call.sse'))?.[1];
  assert.ok(sig?.startsWith('CiIBVKhc7vB+vaaq6rA/'));
  assert.equal(start.signature, sig);
  assert.deepEqual(events[6], { type: 'tool-call-delta', index: 0, argumentsDelta: '{}' });
  assert.deepEqual(events[7], { type: 'usage', usage: { inputTokens: 38, outputTokens: 174, totalTokens: 212, reasoningTokens: 168 } });
  assert.deepEqual(events[8], { type: 'finish', reason: 'tool-calls', raw: 'STOP' });
});

test('streamGenerateContent-gemini3-tool-call.chunks.txt: signature on the functionCall, empty final text part', skip, async () => {
  const events = await replayChunks('gemini/streamGenerateContent-gemini3-tool-call.chunks.txt');
  const sig = (readFixtureText('gemini/streamGenerateContent-gemini3-tool-call.chunks.txt').match(/"thoughtSignature":"([^"]+)"/) ?? [])[1];
  assert.ok(sig && sig.startsWith('EqUCCqICAb4'));
  assert.deepEqual(events, [
    { type: 'message-start', id: 'b36LacjwM668nsEP2tbsgQQ', model: 'gemini-3-pro-preview' },
    { type: 'tool-call-start', index: 0, id: 'call_0', name: 'weather', signature: sig },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{"location":"San Francisco"}' },
    { type: 'usage', usage: { inputTokens: 29, outputTokens: 60, totalTokens: 89, reasoningTokens: 45 } },
    { type: 'finish', reason: 'tool-calls', raw: 'STOP' },
  ]);
});

test('generateContent-text.json', skip, () => {
  const r = gemini.parseResponse(readFixtureJson('gemini/generateContent-text.json'), meta);
  assert.equal(r.model, 'gemini-2.0-flash');
  assert.ok(r.id.startsWith('gemini-'));
  assert.deepEqual(r.content, [
    { type: 'text', text: "Google's headquarters, also known as the Googleplex, is located in **Mountain View, California**.\n" },
  ]);
  assert.equal(r.finishReason, 'stop');
  assert.equal(r.rawFinishReason, 'STOP');
  assert.deepEqual(r.usage, { inputTokens: 7, outputTokens: 22, totalTokens: 29 });
  const md = r.providerMetadata?.gemini as { safetyRatings: unknown[] };
  assert.equal(md.safetyRatings.length, 4);
});

test('generateContent-thinking-function-call.json', skip, () => {
  const r = gemini.parseResponse(readFixtureJson('gemini/generateContent-thinking-function-call.json'), meta);
  assert.equal(r.id, '38CHaLjMG6TujrEPtvTiuQk');
  assert.equal(r.model, 'gemini-2.5-pro');
  assert.equal(r.content.length, 2);
  const [thought, call] = stableCallIds(r.content);
  assert.equal(thought?.type, 'reasoning');
  assert.ok(thought?.type === 'reasoning' && thought.text.startsWith("**Thinking Through the New Year's Eve Calculation**"));
  assert.ok(thought?.type === 'reasoning' && thought.signature === undefined);
  assert.ok(call?.type === 'tool-call');
  assert.deepEqual({ ...call, signature: undefined }, { type: 'tool-call', id: 'call_0', name: 'now', arguments: '{}', signature: undefined });
  const sig = /"thoughtSignature": "([^"]+)"/.exec(readFixtureText('gemini/generateContent-thinking-function-call.json'))?.[1];
  assert.ok(sig?.startsWith('CtQOAVSoXO74PmYr9AFu'));
  assert.equal(call.signature, sig);
  assert.equal(r.finishReason, 'tool-calls');
  assert.deepEqual(r.usage, { inputTokens: 38, outputTokens: 509, totalTokens: 547, reasoningTokens: 501 });
});

test('round trip: a parsed signed function call goes back with its thoughtSignature', skip, async () => {
  const r = gemini.parseResponse(readFixtureJson('gemini/generateContent-thinking-function-call.json'), meta);
  const req = await gemini.buildRequest(
    {
      model: 'route',
      stream: false,
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'how many days?' }] },
        { role: 'assistant', content: r.content },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: (r.content[1] as { id: string }).id, content: [{ type: 'text', text: '2025-10-26' }] }] },
      ],
    },
    { deploymentId: 'd', model: 'm', baseUrl: 'https://g.test/v1beta', auth: 'x-goog-api-key', apiKey: 'k', quirks: {} },
  );
  const body = JSON.parse(String(req.body)) as { contents: Array<{ role: string; parts: Array<Record<string, unknown>> }> };
  const model = body.contents[1];
  assert.equal(model?.role, 'model');
  const call = r.content[1];
  assert.ok(call?.type === 'tool-call');
  assert.deepEqual(model?.parts[1], { functionCall: { name: 'now', args: {} }, thoughtSignature: call.signature });
  assert.deepEqual(body.contents[2], { role: 'user', parts: [{ functionResponse: { name: 'now', response: { result: '2025-10-26' } } }] });
});

test('error-400-api-key-invalid.json -> upstream_auth', skip, () => {
  const e = gemini.parseError(readFixtureText('gemini/error-400-api-key-invalid.json'), { status: 400, headers: {} });
  assert.equal(e.code, 'upstream_auth');
  assert.equal(e.retryable, false);
  assert.equal(e.scope, 'credential');
  assert.equal(e.message, 'API key not valid. Please pass a valid API key.');
  assert.equal(e.upstream?.status, 400);
  assert.equal(e.upstream?.type, 'INVALID_ARGUMENT');
  assert.deepEqual(e.upstream?.body, readFixtureJson('gemini/error-400-api-key-invalid.json'));
});

test('error-404-unknown-model.json -> upstream_not_found', skip, () => {
  const e = gemini.parseError(readFixtureText('gemini/error-404-unknown-model.json'), { status: 404, headers: {} });
  assert.equal(e.code, 'upstream_not_found');
  assert.equal(e.upstream?.type, 'NOT_FOUND');
  assert.ok(e.message.startsWith('models/gemini-5.0-flash is not found'));
});

test('error-429-quota-exceeded.json -> rate_limited (retry-after header honoured)', skip, () => {
  const text = readFixtureText('gemini/error-429-quota-exceeded.json');
  const e = gemini.parseError(text, { status: 429, headers: {} });
  assert.equal(e.code, 'rate_limited');
  assert.equal(e.retryable, true);
  assert.equal(e.upstream?.type, 'RESOURCE_EXHAUSTED');
  assert.equal(e.retryAfterMs, undefined);
  assert.equal(gemini.parseError(text, { status: 429, headers: { 'retry-after': '12' } }).retryAfterMs, 12000);
});
