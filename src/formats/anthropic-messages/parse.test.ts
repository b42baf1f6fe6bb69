// Egress parsing on small hand-written data (the captured fixtures are in conformance.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anthropicMessages } from './index.js';
import { bytes, collect, fold, frameChunks } from '../../../testkit/format-helpers/anthropic-messages.js';

const meta = { status: 200, headers: { date: 'Tue, 14 Nov 2023 22:13:20 GMT' } };

test('parseResponse: all block kinds, usage with cache tokens folded into inputTokens, stop sequence', () => {
  const r = anthropicMessages.parseResponse(
    {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'provider-model-x',
      content: [
        { type: 'thinking', thinking: 'hmm', signature: 'sig' },
        { type: 'redacted_thinking', data: 'R' },
        { type: 'text', text: 'Hi' },
        { type: 'tool_use', id: 'toolu_1', name: 'f', input: { a: [1, 2] } },
        { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'q' } },
      ],
      stop_reason: 'stop_sequence',
      stop_sequence: 'END',
      usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 },
    },
    meta,
  );
  assert.deepEqual(r, {
    id: 'msg_1',
    model: 'provider-model-x',
    created: 1700000000,
    content: [
      { type: 'reasoning', text: 'hmm', signature: 'sig' },
      { type: 'reasoning', text: '', redacted: 'R' },
      { type: 'text', text: 'Hi' },
      { type: 'tool-call', id: 'toolu_1', name: 'f', arguments: '{"a":[1,2]}' },
    ],
    finishReason: 'stop',
    rawFinishReason: 'stop_sequence',
    stopSequence: 'END',
    usage: { inputTokens: 130, outputTokens: 5, totalTokens: 135, cacheReadTokens: 100, cacheWriteTokens: 20 },
    providerMetadata: { 'anthropic-messages': { otherContent: [{ type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'q' } }] } },
  });
});

test('parseResponse: stop reasons and a body that is not a message', () => {
  const reason = (stop_reason: string) => anthropicMessages.parseResponse({ content: [], stop_reason }, meta).finishReason;
  assert.deepEqual(
    ['end_turn', 'max_tokens', 'tool_use', 'refusal', 'pause_turn'].map(reason),
    ['stop', 'length', 'tool-calls', 'content-filter', 'other'],
  );
  assert.throws(() => anthropicMessages.parseResponse({ type: 'error' }, meta), (e: unknown) => (e as { code: string }).code === 'upstream_protocol');
});

async function parse(...parts: string[]) {
  return fold(await collect(anthropicMessages.parseStream(bytes(...parts), { model: 'fallback-model' })));
}

test('parseStream: padded JSON, spaced ping, no event lines, split chunks, cache usage merged across events', async () => {
  const sse =
    'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_9","model":"m","content":[],"usage":{"input_tokens":5,"cache_read_input_tokens":50,"cache_creation_input_tokens":7,"output_tokens":1}}      }\n\n' +
    'data: {"type": "ping"}\n\n' +
    'data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}   }\n\n' +
    'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hé"}}\n\n' +
    'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""}}\n\n' +
    'data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"llo"}}\n\n' +
    'data: {"type":"content_block_stop","index":0          }\n\n' +
    'data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":5,"output_tokens":12}}\n\n' +
    'data: {"type":"message_stop"              }\n\n';
  const cut = Math.floor(sse.length / 3);
  const r = await parse(sse.slice(0, cut), sse.slice(cut, 2 * cut), sse.slice(2 * cut));
  assert.equal(r.id, 'msg_9');
  assert.equal(r.text, 'Héllo');
  assert.deepEqual(r.usage, { inputTokens: 62, outputTokens: 12, totalTokens: 74, cacheReadTokens: 50, cacheWriteTokens: 7 });
  assert.deepEqual(r.finish, { reason: 'stop', raw: 'end_turn' });
  assert.equal(r.error, undefined);
});

const start = { type: 'message_start', message: { id: 'msg_1', model: 'm', content: [], usage: { input_tokens: 3, output_tokens: 1 } } };

test('parseStream: thinking + signature, redacted thinking, parallel tool use with empty first partial_json', async () => {
  const events = await collect(
    anthropicMessages.parseStream(
      bytes(
        frameChunks([
          start,
          { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } },
          { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'plan' } },
          { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: '' } },
          { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'SIG' } },
          { type: 'content_block_stop', index: 0 },
          { type: 'content_block_start', index: 1, content_block: { type: 'redacted_thinking', data: 'RED' } },
          { type: 'content_block_stop', index: 1 },
          { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_a', name: 'f', input: {} } },
          { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '' } },
          { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"x":1}' } },
          { type: 'content_block_stop', index: 2 },
          { type: 'content_block_start', index: 3, content_block: { type: 'tool_use', id: 'toolu_b', name: 'g', input: {} } },
          { type: 'content_block_delta', index: 3, delta: { type: 'input_json_delta', partial_json: '{"y":' } },
          { type: 'content_block_delta', index: 3, delta: { type: 'input_json_delta', partial_json: '2}' } },
          { type: 'content_block_stop', index: 3 },
          { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 30 } },
          { type: 'message_stop' },
        ]),
      ),
      { model: 'fallback' },
    ),
  );
  for (const e of events) {
    if (e.type === 'text-delta') assert.notEqual(e.text, '');
    if (e.type === 'tool-call-delta') assert.notEqual(e.argumentsDelta, '');
    if (e.type === 'reasoning-delta') assert.ok(e.text !== '' || e.signature !== undefined || e.redacted !== undefined);
  }
  assert.deepEqual(events.find((e) => e.type === 'reasoning-delta' && e.signature !== undefined), { type: 'reasoning-delta', text: '', signature: 'SIG' });
  const r = fold(events);
  assert.deepEqual(r.reasoning, [{ text: 'plan', signature: 'SIG' }, { text: '', redacted: 'RED' }]);
  assert.deepEqual(r.toolCalls, [
    { index: 0, id: 'toolu_a', name: 'f', arguments: '{"x":1}' },
    { index: 1, id: 'toolu_b', name: 'g', arguments: '{"y":2}' },
  ]);
  assert.deepEqual(r.finish, { reason: 'tool-calls', raw: 'tool_use' });
  assert.deepEqual(r.usage, { inputTokens: 3, outputTokens: 30, totalTokens: 33 });
  assert.deepEqual(events[0], { type: 'message-start', id: 'msg_1', model: 'm', created: (events[0] as { created: number }).created });
});

test('parseStream: mid-stream overloaded error is a retryable canonical error', async () => {
  const r = await parse(
    frameChunks([start, { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }]) +
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
  );
  assert.deepEqual(r.error, { code: 'upstream_overloaded', message: 'Overloaded', retryable: true });
  assert.equal(r.finish, undefined);
});

test('parseStream: a body that ends before message_stop is stream_interrupted; bad JSON is a protocol error', async () => {
  const cut = await parse(
    frameChunks([
      start,
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'par' } },
      { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } },
    ]),
  );
  assert.equal(cut.text, 'par');
  assert.equal(cut.finish, undefined);
  assert.equal(cut.error?.code, 'stream_interrupted');
  const bad = await parse(frameChunks([start]) + 'data: {not json\n\n');
  assert.equal(bad.error?.code, 'upstream_protocol');
});

test('parseStream: stop_sequence and pause_turn, model fallback from ctx', async () => {
  const run = (delta: Record<string, unknown>) =>
    parse(frameChunks([{ type: 'message_start', message: { id: 'i', content: [] } }, { type: 'message_delta', delta, usage: { output_tokens: 1 } }, { type: 'message_stop' }]));
  assert.deepEqual((await run({ stop_reason: 'stop_sequence', stop_sequence: '###' })).finish, { reason: 'stop', raw: 'stop_sequence', stopSequence: '###' });
  assert.deepEqual((await run({ stop_reason: 'pause_turn' })).finish, { reason: 'other', raw: 'pause_turn' });
  assert.deepEqual((await run({ stop_reason: 'max_tokens' })).finish, { reason: 'length', raw: 'max_tokens' });
  const evs = await collect(anthropicMessages.parseStream(bytes(frameChunks([{ type: 'message_start', message: { id: 'i' } }, { type: 'message_stop' }])), { model: 'fallback-model' }));
  assert.equal((evs[0] as { model: string }).model, 'fallback-model');
});

test('parseError: types map to codes, retry-after read, upstream kept', () => {
  const err = (status: number, type: string, message = 'm', headers: Record<string, string> = {}) =>
    anthropicMessages.parseError(JSON.stringify({ type: 'error', error: { type, message }, request_id: 'req_x' }), { status, headers });
  const cases: Array<[number, string, string, string, boolean]> = [
    [400, 'invalid_request_error', 'messages: bad', 'upstream_bad_request', false],
    [400, 'invalid_request_error', 'prompt is too long: 300000 tokens > 200000 maximum', 'context_length_exceeded', false],
    [400, 'invalid_request_error', 'Your credit balance is too low to access the Anthropic API.', 'insufficient_quota', false],
    [401, 'authentication_error', 'invalid x-api-key', 'upstream_auth', false],
    [403, 'permission_error', 'no', 'upstream_auth', false],
    [404, 'not_found_error', 'model: x', 'upstream_not_found', false],
    [413, 'request_too_large', 'too big', 'context_length_exceeded', false],
    [429, 'rate_limit_error', 'slow', 'rate_limited', true],
    [500, 'api_error', 'Internal server error', 'upstream_error', true],
    [529, 'overloaded_error', 'Overloaded', 'upstream_overloaded', true],
  ];
  for (const [status, type, message, code, retryable] of cases) {
    const e = err(status, type, message);
    assert.deepEqual([e.code, e.retryable, e.message, e.upstream?.status, e.upstream?.type], [code, retryable, message, status, type], type + ' ' + message);
  }
  const limited = err(429, 'rate_limit_error', 'slow', { 'retry-after': '7' });
  assert.equal(limited.retryAfterMs, 7000);
  assert.deepEqual(limited.upstream?.body, { type: 'error', error: { type: 'rate_limit_error', message: 'slow' }, request_id: 'req_x' });
  const html = anthropicMessages.parseError('<html>Bad Gateway</html>', { status: 503, headers: {} });
  assert.deepEqual([html.code, html.message, html.upstream?.body], ['upstream_unavailable', '<html>Bad Gateway</html>', '<html>Bad Gateway</html>']);
  assert.equal(anthropicMessages.parseError('', { status: 529, headers: {} }).code, 'upstream_overloaded');
});
