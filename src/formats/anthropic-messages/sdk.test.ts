// Feeds our encodeEvents output to the official @anthropic-ai/sdk offline (a fetch that returns
// the encoded bytes) and reads it with the strict `messages.stream()` helper, which throws on
// events out of order. This proves real Claude clients accept what the gateway streams.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { createAnthropic } from '@ai-sdk/anthropic';
import { jsonSchema, streamText, tool } from 'ai';
import { SKIP_NO_FIXTURES, isOwnFixture, readChunks, readFixture } from '../../../testkit/fixtures.js';
import type { CanonicalEvent } from '../../spec/index.js';
import { GatewayError } from '../../spec/index.js';
import { anthropicMessages } from './index.js';
import { CTX, collect, fold, frameChunks, iter } from '../../../testkit/format-helpers/anthropic-messages.js';

function client(body: string, status = 200): Anthropic {
  return new Anthropic({
    apiKey: 'test-key',
    baseURL: 'http://gateway.invalid',
    maxRetries: 0,
    fetch: async () => new Response(body, { status, headers: { 'content-type': status === 200 ? 'text/event-stream' : 'application/json' } }),
  });
}

async function encode(events: CanonicalEvent[]): Promise<string> {
  return (await collect(anthropicMessages.encodeEvents(iter(events), CTX))).join('');
}

function sdkStream(sse: string) {
  return client(sse).messages.stream({ model: 'route-a', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }] });
}

test('SDK messages.stream() accepts thinking + signature, text and parallel tool_use from encodeEvents', async () => {
  const sse = await encode([
    { type: 'message-start', id: 'msg_abc', model: 'provider-model-x', created: 1 },
    { type: 'usage', usage: { inputTokens: 50, outputTokens: 1, cacheReadTokens: 30 } },
    { type: 'reasoning-delta', text: 'Two ' },
    { type: 'reasoning-delta', text: 'cities.' },
    { type: 'reasoning-delta', text: '', signature: 'SIG==' },
    { type: 'text-delta', text: 'Checking ' },
    { type: 'text-delta', text: 'both.' },
    { type: 'tool-call-start', index: 0, id: 'toolu_1', name: 'weather' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '"Paris"}' },
    { type: 'tool-call-start', index: 1, id: 'toolu_2', name: 'weather' },
    { type: 'tool-call-delta', index: 1, argumentsDelta: '{"city":"Rome"}' },
    { type: 'finish', reason: 'tool-calls', raw: 'tool_use' },
    { type: 'usage', usage: { inputTokens: 50, outputTokens: 42, cacheReadTokens: 30 } },
  ]);
  const stream = sdkStream(sse);
  const texts: string[] = [];
  stream.on('text', (t) => texts.push(t));
  const msg = await stream.finalMessage();
  assert.deepEqual(texts, ['Checking ', 'both.']);
  assert.equal(msg.id, 'msg_abc');
  assert.equal(msg.model, 'route-a');
  assert.deepEqual(msg.content, [
    { type: 'thinking', thinking: 'Two cities.', signature: 'SIG==' },
    { type: 'text', text: 'Checking both.' },
    { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
    { type: 'tool_use', id: 'toolu_2', name: 'weather', input: { city: 'Rome' } },
  ]);
  assert.equal(msg.stop_reason, 'tool_use');
  assert.equal(msg.usage.input_tokens, 20);
  assert.equal(msg.usage.cache_read_input_tokens, 30);
  assert.equal(msg.usage.output_tokens, 42);
});

test('SDK: an OpenAI-like canonical stream (no message-start, usage after finish) gives a complete message', async () => {
  const sse = await encode([
    { type: 'text-delta', text: 'Sure.' },
    { type: 'tool-call-start', index: 0, id: 'call_x', name: 'lookup' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{"q":"a"}' },
    { type: 'finish', reason: 'tool-calls' },
    { type: 'usage', usage: { inputTokens: 11, outputTokens: 7 } },
  ]);
  const msg = await sdkStream(sse).finalMessage();
  assert.deepEqual(msg.content, [
    { type: 'text', text: 'Sure.' },
    { type: 'tool_use', id: 'call_x', name: 'lookup', input: { q: 'a' } },
  ]);
  assert.deepEqual([msg.stop_reason, msg.usage.input_tokens, msg.usage.output_tokens], ['tool_use', 11, 7]);
});

test('SDK: a mid-stream error event surfaces as an APIError with the Anthropic error type', async () => {
  const sse = await encode([
    { type: 'message-start', id: 'msg_e', model: 'm', created: 1 },
    { type: 'text-delta', text: 'part' },
    { type: 'error', error: new GatewayError('upstream_overloaded', 'Overloaded') },
  ]);
  await assert.rejects(sdkStream(sse).finalMessage(), (e: unknown) => {
    assert.ok(e instanceof Anthropic.APIError);
    assert.match(String(e.message), /overloaded_error/);
    return true;
  });
});

test('SDK: encodeError bodies parse as the SDK error classes', async () => {
  const rendered = anthropicMessages.encodeError(new GatewayError('invalid_request', 'max_tokens: Field required', { param: 'max_tokens' }));
  const c = client(JSON.stringify(rendered.body), rendered.status);
  await assert.rejects(c.messages.create({ model: 'route-a', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
    assert.ok(e instanceof Anthropic.BadRequestError);
    assert.deepEqual((e.error as { error: unknown }).error, { type: 'invalid_request_error', message: 'max_tokens: Field required' });
    return true;
  });
});

test('@ai-sdk/anthropic streamText reads encodeEvents output: reasoning + signature, text, tool call, cache usage', async () => {
  (globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
  const sse = await encode([
    { type: 'reasoning-delta', text: 'hmm' },
    { type: 'reasoning-delta', text: '', signature: 'S1' },
    { type: 'text-delta', text: 'Hi' },
    { type: 'tool-call-start', index: 0, id: 'c1', name: 'f' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":1}' },
    { type: 'finish', reason: 'tool-calls' },
    { type: 'usage', usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 4 } },
  ]);
  const provider = createAnthropic({
    apiKey: 'test-key',
    baseURL: 'http://gateway.invalid/v1',
    fetch: async () => new Response(sse, { headers: { 'content-type': 'text/event-stream' } }),
  });
  const result = streamText({
    model: provider('route-a'),
    prompt: 'hi',
    maxOutputTokens: 100,
    tools: { f: tool({ inputSchema: jsonSchema<{ a: number }>({ type: 'object', properties: { a: { type: 'number' } } }) }) },
  });
  assert.equal(await result.text, 'Hi');
  const reasoning = await result.reasoning;
  assert.deepEqual(reasoning.map((r) => [r.text, (r.providerMetadata?.anthropic as { signature?: string } | undefined)?.signature]), [['hmm', 'S1']]);
  assert.deepEqual((await result.toolCalls).map((c) => [c.toolCallId, c.toolName, c.input]), [['c1', 'f', { a: 1 }]]);
  assert.equal(await result.finishReason, 'tool-calls');
  const usage = await result.usage;
  assert.deepEqual([usage.inputTokens, usage.outputTokens, usage.cachedInputTokens], [10, 5, 4]);
});

// Captures from ../shared (skipped without it) and our own documented-shape streams (always).
const STREAMS = [
  'anthropic/messages-text.stream.sse',
  'anthropic/messages-thinking.stream.sse',
  'anthropic/messages-text.stream.chunks.txt',
  'anthropic/messages-thinking.stream.chunks.txt',
  'anthropic/messages-tool-use.stream.chunks.txt',
  'anthropic/messages-text-then-tool-no-args.stream.chunks.txt',
  'own/anthropic/messages-text.stream.sse',
  'own/anthropic/messages-thinking-tool-use.stream.sse',
];

for (const file of STREAMS) {
  test(`SDK reads ${file} re-encoded by the gateway exactly as it reads the original`, { skip: isOwnFixture(file) ? false : SKIP_NO_FIXTURES }, async () => {
    const original = file.endsWith('.sse') ? readFixture(file).toString('utf8') : frameChunks(readChunks(file));
    async function* body() {
      yield new TextEncoder().encode(original);
    }
    const canonical = await collect(anthropicMessages.parseStream(body(), { model: 'fallback' }));
    const reencoded = await encode(canonical);
    const [want, got] = await Promise.all([sdkStream(original).finalMessage(), sdkStream(reencoded).finalMessage()]);
    assert.ok(got.content.length > 0);
    assert.deepEqual(got.content, want.content);
    assert.equal(got.stop_reason, want.stop_reason);
    assert.equal(got.usage.input_tokens, want.usage.input_tokens);
    assert.equal(got.usage.output_tokens, want.usage.output_tokens);
    assert.equal(got.id, want.id);
    assert.equal(got.model, 'route-a');
    // And the canonical view of both agrees.
    assert.deepEqual(fold(canonical).text, got.content.filter((b) => b.type === 'text').map((b) => (b as { text: string }).text).join(''));
  });
}
