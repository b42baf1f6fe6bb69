import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CanonicalEvent, CanonicalResponse } from '../../spec/index.js';
import { GatewayError } from '../../spec/index.js';
import { anthropicMessages } from './index.js';
import { CTX, collect, iter, sseEvents } from '../../../testkit/format-helpers/anthropic-messages.js';

const response: CanonicalResponse = {
  id: 'chatcmpl-9',
  model: 'provider-model-x',
  created: 1,
  content: [
    { type: 'reasoning', text: 'think', signature: 'sig' },
    { type: 'reasoning', text: '', redacted: 'opaque' },
    { type: 'text', text: 'Calling tools.' },
    { type: 'text', text: '' },
    { type: 'tool-call', id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' },
    { type: 'tool-call', id: 'call_2', name: 'broken', arguments: '{"city":' },
  ],
  finishReason: 'tool-calls',
  usage: { inputTokens: 1000, outputTokens: 50, cacheReadTokens: 800, cacheWriteTokens: 100 },
};

test('encodeResponse: blocks, route name as model, msg_ id, usage without cached tokens in input_tokens', () => {
  assert.deepEqual(anthropicMessages.encodeResponse(response, CTX), {
    id: 'msg_chatcmpl-9',
    type: 'message',
    role: 'assistant',
    model: 'route-a',
    content: [
      { type: 'thinking', thinking: 'think', signature: 'sig' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'text', text: 'Calling tools.' },
      { type: 'tool_use', id: 'call_1', name: 'weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'broken', input: {} },
    ],
    stop_reason: 'tool_use',
    stop_sequence: null,
    usage: { input_tokens: 100, output_tokens: 50, cache_creation_input_tokens: 100, cache_read_input_tokens: 800 },
  });
});

test('encodeResponse: stop reasons', () => {
  const enc = (r: Partial<CanonicalResponse>) => anthropicMessages.encodeResponse({ ...response, content: [{ type: 'text', text: 'x' }], ...r }, CTX) as Record<string, unknown>;
  assert.equal(enc({ finishReason: 'stop' }).stop_reason, 'end_turn');
  const seq = enc({ finishReason: 'stop', stopSequence: 'END' });
  assert.deepEqual([seq.stop_reason, seq.stop_sequence], ['stop_sequence', 'END']);
  assert.equal(enc({ finishReason: 'length' }).stop_reason, 'max_tokens');
  assert.equal(enc({ finishReason: 'content-filter' }).stop_reason, 'refusal');
  assert.equal(enc({ finishReason: 'other', rawFinishReason: 'pause_turn' }).stop_reason, 'pause_turn');
  // An OpenAI-compatible upstream that says "stop" with tool calls still drives the client's tool loop.
  const withTool = anthropicMessages.encodeResponse({ ...response, finishReason: 'stop' }, CTX) as Record<string, unknown>;
  assert.equal(withTool.stop_reason, 'tool_use');
  assert.equal(enc({ id: 'msg_abc' }).id, 'msg_abc');
});

test('encodeError: anthropic shape, statuses, 529 kept for an upstream 529, retry-after', () => {
  const bad = anthropicMessages.encodeError(new GatewayError('invalid_request', 'max_tokens: Field required', { param: 'max_tokens' }));
  assert.deepEqual(bad, { status: 400, body: { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } } });
  const over529 = anthropicMessages.encodeError(new GatewayError('upstream_overloaded', 'Overloaded', { upstream: { status: 529 } }));
  assert.equal(over529.status, 529);
  assert.deepEqual(over529.body, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
  assert.equal(anthropicMessages.encodeError(new GatewayError('upstream_overloaded', 'busy', { upstream: { status: 503 } })).status, 503);
  const limited = anthropicMessages.encodeError(new GatewayError('rate_limited', 'slow down', { retryAfterMs: 1500 }));
  assert.equal(limited.status, 429);
  assert.deepEqual(limited.headers, { 'retry-after': '2' });
  assert.equal((anthropicMessages.encodeError(new GatewayError('budget_exceeded', 'no budget')).body as { error: { type: string } }).error.type, 'rate_limit_error');
});

async function encode(events: CanonicalEvent[]) {
  const text = (await collect(anthropicMessages.encodeEvents(iter(events), CTX))).join('');
  return { text, events: sseEvents(text) };
}

test('encodeEvents: block boundaries from kind changes, event: line on every frame, buffered finish', async () => {
  const { text, events } = await encode([
    { type: 'message-start', id: 'up-1', model: 'provider-model-x', created: 1 },
    { type: 'usage', usage: { inputTokens: 120, outputTokens: 0, cacheReadTokens: 100, cacheWriteTokens: 0 } },
    { type: 'reasoning-delta', text: 'hmm' },
    { type: 'reasoning-delta', text: '' },
    { type: 'reasoning-delta', text: '', signature: 'sig-a' },
    { type: 'text-delta', text: 'Hel' },
    { type: 'text-delta', text: '' },
    { type: 'text-delta', text: 'lo' },
    { type: 'tool-call-start', index: 0, id: 'toolu_a', name: 'f' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '1}' },
    { type: 'tool-call-start', index: 1, id: 'toolu_b', name: 'g' },
    { type: 'finish', reason: 'tool-calls', raw: 'tool_calls' },
    { type: 'usage', usage: { inputTokens: 120, outputTokens: 33, cacheReadTokens: 100 } },
  ]);
  for (const frame of text.split('\n\n').filter((f) => f !== '')) assert.match(frame, /^event: [a-z_]+\ndata: /);
  assert.deepEqual(
    events.map((e) => [e.event, e.data.index ?? null, (e.data.delta as { type?: string } | undefined)?.type ?? (e.data.content_block as { type?: string } | undefined)?.type ?? null]),
    [
      ['message_start', null, null],
      ['ping', null, null],
      ['content_block_start', 0, 'thinking'],
      ['content_block_delta', 0, 'thinking_delta'],
      ['content_block_delta', 0, 'signature_delta'],
      ['content_block_stop', 0, null],
      ['content_block_start', 1, 'text'],
      ['content_block_delta', 1, 'text_delta'],
      ['content_block_delta', 1, 'text_delta'],
      ['content_block_stop', 1, null],
      ['content_block_start', 2, 'tool_use'],
      ['content_block_delta', 2, 'input_json_delta'],
      ['content_block_delta', 2, 'input_json_delta'],
      ['content_block_stop', 2, null],
      ['content_block_start', 3, 'tool_use'],
      ['content_block_stop', 3, null],
      ['message_delta', null, null],
      ['message_stop', null, null],
    ],
  );
  const start = events[0]!.data.message as Record<string, unknown>;
  assert.equal(start.id, 'msg_up-1');
  assert.equal(start.model, 'route-a');
  assert.deepEqual(start.usage, { input_tokens: 20, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 100 });
  assert.deepEqual(events.at(-2)!.data, {
    type: 'message_delta',
    delta: { stop_reason: 'tool_use', stop_sequence: null },
    usage: { input_tokens: 20, output_tokens: 33, cache_creation_input_tokens: 0, cache_read_input_tokens: 100 },
  });
  assert.deepEqual(events[11]!.data.delta, { type: 'input_json_delta', partial_json: '{"a":' });
});

test('encodeEvents: reasoning after a signature opens a new thinking block; redacted is its own block', async () => {
  const { events } = await encode([
    { type: 'message-start', id: 'x', model: 'm', created: 1 },
    { type: 'reasoning-delta', text: 'one', signature: 's1' },
    { type: 'reasoning-delta', text: 'two' },
    { type: 'reasoning-delta', text: '', redacted: 'R' },
    { type: 'text-delta', text: 'ok' },
    { type: 'finish', reason: 'stop', stopSequence: 'END' },
  ]);
  const starts = events.filter((e) => e.event === 'content_block_start').map((e) => e.data.content_block);
  assert.deepEqual(starts, [
    { type: 'thinking', thinking: '', signature: '' },
    { type: 'thinking', thinking: '', signature: '' },
    { type: 'redacted_thinking', data: 'R' },
    { type: 'text', text: '' },
  ]);
  assert.deepEqual(events.at(-2)!.data.delta, { stop_reason: 'stop_sequence', stop_sequence: 'END' });
});

test('encodeEvents: an error event ends the stream with event: error and nothing after it', async () => {
  const { text, events } = await encode([
    { type: 'message-start', id: 'x', model: 'm', created: 1 },
    { type: 'text-delta', text: 'partial' },
    { type: 'error', error: new GatewayError('upstream_overloaded', 'Overloaded') },
    { type: 'text-delta', text: 'never' },
  ]);
  assert.deepEqual(events.map((e) => e.event), ['message_start', 'ping', 'content_block_start', 'content_block_delta', 'error']);
  assert.ok(text.endsWith('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n'));
});

test('encodeEvents: events from an OpenAI-like source (text, tool calls, finish, then usage) with no message-start', async () => {
  const { events } = await encode([
    { type: 'text-delta', text: 'Let me check.' },
    { type: 'tool-call-start', index: 0, id: 'call_a', name: 'weather' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{"city":"Paris"}' },
    { type: 'tool-call-start', index: 1, id: 'call_b', name: 'weather' },
    { type: 'tool-call-delta', index: 1, argumentsDelta: '{"city":' },
    { type: 'tool-call-delta', index: 1, argumentsDelta: '"Rome"}' },
    { type: 'finish', reason: 'tool-calls', raw: 'tool_calls' },
    { type: 'usage', usage: { inputTokens: 90, outputTokens: 40, totalTokens: 130, cacheReadTokens: 64 } },
  ]);
  const start = events[0]!.data.message as Record<string, unknown>;
  assert.equal(start.id, 'msg_req_1');
  assert.deepEqual(start.usage, { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  const toolStarts = events.filter((e) => e.event === 'content_block_start').map((e) => [e.data.index, e.data.content_block]);
  assert.deepEqual(toolStarts, [
    [0, { type: 'text', text: '' }],
    [1, { type: 'tool_use', id: 'call_a', name: 'weather', input: {} }],
    [2, { type: 'tool_use', id: 'call_b', name: 'weather', input: {} }],
  ]);
  const args = events.filter((e) => e.event === 'content_block_delta' && e.data.index === 2).map((e) => (e.data.delta as { partial_json: string }).partial_json);
  assert.equal(args.join(''), '{"city":"Rome"}');
  assert.deepEqual(events.at(-2)!.data, {
    type: 'message_delta',
    delta: { stop_reason: 'tool_use', stop_sequence: null },
    usage: { input_tokens: 26, output_tokens: 40, cache_creation_input_tokens: 0, cache_read_input_tokens: 64 },
  });
  assert.equal(events.at(-1)!.event, 'message_stop');
});

test('encodeEvents: an empty canonical stream still yields a well-formed empty message', async () => {
  const { events } = await encode([{ type: 'finish', reason: 'stop' }]);
  assert.deepEqual(events.map((e) => e.event), ['message_start', 'ping', 'message_delta', 'message_stop']);
});
