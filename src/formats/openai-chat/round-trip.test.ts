// Captures -> canonical events -> encodeEvents -> parseStream: the same content comes back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SKIP_NO_FIXTURES } from '../../../testkit/fixtures.js';
import type { CanonicalEvent } from '../../spec/canonical.js';
import { openaiChat } from './index.js';
import { assemble, assertWellFormed, bytes, collect, ctx, events, replayChunks, replaySse } from '../../../testkit/format-helpers/openai-chat.js';

const CAPTURES: Array<[string, () => Promise<CanonicalEvent[]>]> = [
  ['openai/chat-text.stream.chunks.txt', () => replayChunks('openai/chat-text.stream.chunks.txt')],
  ['openai/chat-tool-call.stream.sse', () => replaySse('openai/chat-tool-call.stream.sse')],
  ['deepseek/chat-reasoning.stream.sse', () => replaySse('deepseek/chat-reasoning.stream.sse')],
  ['deepseek/chat-reasoning.stream.chunks.txt', () => replayChunks('deepseek/chat-reasoning.stream.chunks.txt')],
  ['deepseek/chat-reasoning-tool-call.stream.chunks.txt', () => replayChunks('deepseek/chat-reasoning-tool-call.stream.chunks.txt')],
  ['qwen/chat-reasoning.stream.chunks.txt', () => replayChunks('qwen/chat-reasoning.stream.chunks.txt')],
  ['qwen/chat-tool-call.stream.chunks.txt', () => replayChunks('qwen/chat-tool-call.stream.chunks.txt')],
  ['mistral/chat-text.stream.chunks.txt', () => replayChunks('mistral/chat-text.stream.chunks.txt')],
  ['mistral/chat-tool-call.stream.chunks.txt', () => replayChunks('mistral/chat-tool-call.stream.chunks.txt')],
];

async function roundTrip(original: CanonicalEvent[]): Promise<CanonicalEvent[]> {
  const sse = (await collect(openaiChat.encodeEvents(events(original), { ...ctx, includeUsage: true }))).join('');
  return collect(openaiChat.parseStream(bytes(sse), { model: 'unused' }));
}

for (const [name, load] of CAPTURES) {
  test(`round trip keeps the content of ${name}`, { skip: SKIP_NO_FIXTURES }, async () => {
    const original = await load();
    const again = await roundTrip(original);
    assertWellFormed(again);
    const a = assemble(original);
    const b = assemble(again);
    assert.equal(b.model, ctx.model, 'clients see the route name');
    assert.equal(b.text, a.text);
    assert.equal(b.reasoning, a.reasoning);
    assert.deepEqual(b.toolCalls, a.toolCalls);
    assert.equal(b.finish?.reason, a.finish?.reason);
    const u = a.usage!.usage;
    // encodeUsage always writes the detail fields, so absent ones come back as 0.
    assert.deepEqual(b.usage?.usage, {
      inputTokens: u.inputTokens,
      outputTokens: u.outputTokens,
      totalTokens: u.totalTokens ?? u.inputTokens + u.outputTokens,
      cacheReadTokens: u.cacheReadTokens ?? 0,
      reasoningTokens: u.reasoningTokens ?? 0,
    });
  });
}

test('round trip of hand-written events with two parallel tool calls', async () => {
  const original: CanonicalEvent[] = [
    { type: 'message-start', id: 'm1', model: 'model-a', created: 1 },
    { type: 'reasoning-delta', text: 'think' },
    { type: 'text-delta', text: 'Calling.' },
    { type: 'tool-call-start', index: 0, id: 'call_a', name: 'alpha' },
    { type: 'tool-call-start', index: 1, id: 'call_b', name: 'beta' },
    { type: 'tool-call-delta', index: 1, argumentsDelta: '{"y":' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{"x":1}' },
    { type: 'tool-call-delta', index: 1, argumentsDelta: '2}' },
    { type: 'finish', reason: 'tool-calls', raw: 'tool_calls' },
    { type: 'usage', usage: { inputTokens: 5, outputTokens: 7, cacheReadTokens: 2, reasoningTokens: 1 } },
  ];
  const b = assemble(await roundTrip(original));
  assert.equal(b.text, 'Calling.');
  assert.equal(b.reasoning, 'think');
  assert.deepEqual(b.toolCalls, [
    { index: 0, id: 'call_a', name: 'alpha', arguments: '{"x":1}' },
    { index: 1, id: 'call_b', name: 'beta', arguments: '{"y":2}' },
  ]);
  assert.deepEqual(b.usage?.usage, { inputTokens: 5, outputTokens: 7, totalTokens: 12, cacheReadTokens: 2, reasoningTokens: 1 });
});
