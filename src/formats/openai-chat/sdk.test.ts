// Our encoded streams, read by the official openai SDK (no network: a fetch that returns the
// encoded bytes). SOURCES.md notes the SDK's .stream() helper silently drops Mistral's tool calls
// when they are passed through unchanged; these tests prove the gateway's output does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APIError } from 'openai';
import { Stream } from 'openai/streaming';
import { readChunks, readFixtureText, SKIP_NO_FIXTURES } from '../../../testkit/fixtures.js';
import type { CanonicalEvent } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import { openaiClientServing } from '../../../testkit/format-helpers/sdk.js';
import { openaiChat } from './index.js';
import { chunksToSse, collect, ctx, events, replayChunks, replaySse } from '../../../testkit/format-helpers/openai-chat.js';

async function encode(evs: CanonicalEvent[], includeUsage = true): Promise<string> {
  return (await collect(openaiChat.encodeEvents(events(evs), { ...ctx, includeUsage }))).join('');
}

async function finalCompletion(body: string) {
  const stream = openaiClientServing(body).chat.completions.stream({ model: ctx.model, messages: [{ role: 'user', content: 'hi' }] });
  return stream.finalChatCompletion();
}

for (const [file, id] of [
  ['mistral/chat-tool-call.stream.chunks.txt', 'gSIMJiOkT'],
  ['qwen/chat-tool-call.stream.chunks.txt', 'call_eee11723464a4b9eb8cee71d'],
] as const) {
  test(`openai SDK .stream() keeps the tool call of ${file} after our re-encoding`, { skip: SKIP_NO_FIXTURES }, async () => {
    const final = await finalCompletion(await encode(await replayChunks(file)));
    const choice = final.choices[0]!;
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.tool_calls?.length, 1);
    const call = choice.message.tool_calls![0]!;
    assert.equal(call.id, id);
    assert.equal(call.type, 'function');
    assert.ok(call.type === 'function');
    assert.equal(call.function.name, 'weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { location: 'San Francisco' });
    assert.equal(final.model, ctx.model);
    assert.ok(final.usage && final.usage.prompt_tokens > 0, 'usage chunk reached the SDK');
  });
}

test('openai SDK .stream() reads our own documented-shape tool-call stream, original and re-encoded, alike', async () => {
  const original = readFixtureText('own/openai/chat-tool-calls.stream.sse');
  const reencoded = await encode(await replaySse('own/openai/chat-tool-calls.stream.sse'));
  const [want, got] = await Promise.all([finalCompletion(original), finalCompletion(reencoded)]);
  const calls = (c: typeof want) => (c.choices[0]!.message.tool_calls ?? []).map((t) => (t.type === 'function' ? [t.id, t.function.name, t.function.arguments] : []));
  assert.deepEqual(calls(want), [
    ['call_own_stream_1', 'get_weather', '{"city":"Oslo"}'],
    ['call_own_stream_2', 'get_time', '{"zone":"Europe/Oslo"}'],
  ]);
  assert.deepEqual(calls(got), calls(want));
  assert.equal(got.choices[0]!.finish_reason, 'tool_calls');
  const counts = (c: typeof want) => [c.usage?.prompt_tokens, c.usage?.completion_tokens, c.usage?.total_tokens];
  assert.deepEqual(counts(got), counts(want));
  assert.deepEqual(counts(want), [96, 41, 137]);
});

test('control: the raw Mistral capture passed through unchanged loses the tool call in the SDK', { skip: SKIP_NO_FIXTURES }, async () => {
  // Shows that the test above can fail. If a future SDK starts accepting index-less tool
  // calls this control fails: then delete it, the test above still stands.
  const final = await finalCompletion(chunksToSse(readChunks('mistral/chat-tool-call.stream.chunks.txt')));
  const calls = final.choices[0]!.message.tool_calls ?? [];
  assert.ok(!calls.some((c) => c?.id === 'gSIMJiOkT'));
});

test('openai SDK reads hand-written text, reasoning and two tool calls', async () => {
  const body = await encode([
    { type: 'message-start', id: 'm', model: 'model-a', created: 1 },
    { type: 'text-delta', text: 'Hel' },
    { type: 'text-delta', text: '' },
    { type: 'text-delta', text: 'lo' },
    { type: 'tool-call-start', index: 0, id: 'call_1', name: 'f' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":' },
    { type: 'tool-call-start', index: 1, id: 'call_2', name: 'g' },
    { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '1}' },
    { type: 'finish', reason: 'tool-calls' },
    { type: 'usage', usage: { inputTokens: 3, outputTokens: 4, cacheReadTokens: 1 } },
  ]);
  const final = await finalCompletion(body);
  const msg = final.choices[0]!.message;
  assert.equal(msg.content, 'Hello');
  assert.deepEqual(
    msg.tool_calls?.map((c) => (c.type === 'function' ? [c.id, c.function.name, c.function.arguments] : [])),
    [['call_1', 'f', '{"a":1}'], ['call_2', 'g', '{}']],
  );
  assert.equal(final.usage?.total_tokens, 7);
  assert.equal(final.usage?.prompt_tokens_details?.cached_tokens, 1);
});

test('an error event makes the SDK stream throw an APIError with our code and message', async () => {
  const body = await encode([
    { type: 'message-start', id: 'm', model: 'model-a', created: 1 },
    { type: 'text-delta', text: 'partial' },
    { type: 'error', error: new GatewayError('upstream_timeout', 'upstream took too long') },
  ]);
  assert.ok(!body.includes('[DONE]'));
  const response = new Response(body, { headers: { 'content-type': 'text/event-stream' } });
  const stream = Stream.fromSSEResponse(response, new AbortController());
  const seen: unknown[] = [];
  await assert.rejects(
    (async () => {
      for await (const chunk of stream) seen.push(chunk);
    })(),
    (err: unknown) => {
      assert.ok(err instanceof APIError);
      assert.equal(err.message, 'upstream took too long');
      assert.equal(err.code, 'upstream_timeout');
      assert.equal(err.type, 'api_error');
      return true;
    },
  );
  assert.equal(seen.length, 2, 'role chunk and the partial text arrived first');
});
