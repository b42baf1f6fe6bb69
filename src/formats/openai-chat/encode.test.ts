import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CanonicalEvent, CanonicalResponse } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import { openaiChat } from './index.js';
import { collect, ctx, events, payloads } from '../../../testkit/format-helpers/openai-chat.js';

const base: CanonicalResponse = { id: 'up-1', model: 'provider-model', created: 1, content: [], finishReason: 'stop' };

test('encodeResponse: text, reasoning, usage; model is the route name', () => {
  const out = openaiChat.encodeResponse(
    {
      ...base,
      content: [{ type: 'reasoning', text: 'because' }, { type: 'text', text: 'Hel' }, { type: 'text', text: 'lo' }],
      usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 4, reasoningTokens: 2 },
    },
    ctx,
  );
  assert.deepEqual(out, {
    id: 'chatcmpl-req_1',
    object: 'chat.completion',
    created: ctx.created,
    model: 'route-a',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello', refusal: null, reasoning_content: 'because' }, logprobs: null, finish_reason: 'stop' }],
    usage: {
      prompt_tokens: 10,
      completion_tokens: 5,
      total_tokens: 15,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 2 },
    },
  });
});

test('encodeResponse: content is null when the answer is only tool calls', () => {
  const out = openaiChat.encodeResponse(
    { ...base, content: [{ type: 'tool-call', id: 'c1', name: 'f', arguments: '{"a":1}' }], finishReason: 'tool-calls' },
    { ...ctx, requestId: 'chatcmpl-already' },
  ) as { id: string; choices: Array<{ message: unknown; finish_reason: string }>; usage?: unknown };
  assert.equal(out.id, 'chatcmpl-already');
  assert.deepEqual(out.choices[0]!.message, {
    role: 'assistant',
    content: null,
    refusal: null,
    tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
  });
  assert.equal(out.choices[0]!.finish_reason, 'tool_calls');
  assert.equal(out.usage, undefined);
});

test('encodeResponse: finish reasons map to the documented values', () => {
  const reasonOf = (r: Partial<CanonicalResponse>) =>
    (openaiChat.encodeResponse({ ...base, ...r }, ctx) as { choices: Array<{ finish_reason: string; message: { content: unknown } }> }).choices[0]!;
  assert.equal(reasonOf({ finishReason: 'length' }).finish_reason, 'length');
  assert.equal(reasonOf({ finishReason: 'content-filter' }).finish_reason, 'content_filter');
  assert.equal(reasonOf({ finishReason: 'other', rawFinishReason: 'function_call' }).finish_reason, 'function_call');
  assert.equal(reasonOf({ finishReason: 'other', rawFinishReason: 'weird' }).finish_reason, 'stop');
  assert.equal(reasonOf({ finishReason: 'error' }).finish_reason, 'stop');
  assert.equal(reasonOf({}).message.content, '', 'empty answer is an empty string, not null');
});

const flow: CanonicalEvent[] = [
  { type: 'message-start', id: 'up', model: 'provider-model', created: 5 },
  { type: 'reasoning-delta', text: 'r1' },
  { type: 'reasoning-delta', text: '', signature: 'sig' },
  { type: 'text-delta', text: 'Hi' },
  { type: 'text-delta', text: '' },
  { type: 'tool-call-start', index: 0, id: 'call_1', name: 'f' },
  { type: 'tool-call-delta', index: 0, argumentsDelta: '' },
  { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":1}' },
  { type: 'finish', reason: 'tool-calls', raw: 'tool_use' },
  { type: 'usage', usage: { inputTokens: 3, outputTokens: 2 } },
  { type: 'usage', usage: { inputTokens: 3, outputTokens: 9, cacheReadTokens: 1 } },
];

test('encodeResponseText writes exactly JSON.stringify(encodeResponse(...)) for every response shape', () => {
  const shapes: CanonicalResponse[] = [
    { ...base, content: [{ type: 'text', text: 'Hello' }] },
    { ...base, content: [] },
    { ...base, content: [{ type: 'reasoning', text: 'why' }, { type: 'reasoning', text: '' }, { type: 'text', text: 'a' }, { type: 'text', text: 'b' }] },
    { ...base, content: [{ type: 'tool-call', id: 'c1', name: 'f', arguments: '{"a":"\u2028 \\ \\"q\\""}' }], finishReason: 'tool-calls' },
    { ...base, content: [{ type: 'text', text: 'Line\n"quoted" \\ \u0001 \ud83d\ude00 \ud800 é' }, { type: 'tool-call', id: 'c2', name: 'g', arguments: '{}' }] },
    { ...base, content: [{ type: 'text', text: 'x' }], usage: { inputTokens: 10, outputTokens: 5 } },
    { ...base, content: [{ type: 'text', text: 'x' }], usage: { inputTokens: 10, outputTokens: 5, totalTokens: 99, cacheReadTokens: 4, reasoningTokens: 2 } },
    { ...base, content: [{ type: 'text', text: 'x' }], usage: { inputTokens: Number.NaN, outputTokens: 5 } },
    { ...base, content: [{ type: 'text', text: 'x' }], finishReason: 'other', rawFinishReason: 'weird "reason"' },
    { ...base, content: [{ type: 'text', text: 'x' }], finishReason: 'content-filter' },
  ];
  const contexts = [ctx, { ...ctx, model: 'route "quoted" \\ é', requestId: 'chatcmpl-already' }];
  for (const c of contexts) {
    for (const r of shapes) {
      assert.equal(openaiChat.encodeResponseText!(r, c), JSON.stringify(openaiChat.encodeResponse(r, c)), JSON.stringify(r));
    }
  }
});

test('encodeEvents: spec-conformant chunks, no empty deltas, usage after finish, then [DONE]', async () => {
  const sse = (await collect(openaiChat.encodeEvents(events(flow), { ...ctx, includeUsage: true }))).join('');
  assert.ok(sse.endsWith('data: [DONE]\n\n'));
  const chunks = payloads(sse) as Array<Record<string, unknown>>;
  const envelope = { id: 'chatcmpl-req_1', object: 'chat.completion.chunk', created: ctx.created, model: 'route-a' };
  const choice = (delta: unknown, finish: string | null = null) => ({ ...envelope, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  assert.deepEqual(chunks, [
    choice({ role: 'assistant', content: '' }),
    choice({ reasoning_content: 'r1' }),
    choice({ content: 'Hi' }),
    choice({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] }),
    choice({ tool_calls: [{ index: 0, function: { arguments: '{"a":1}' } }] }),
    choice({}, 'tool_calls'),
    {
      ...envelope,
      choices: [],
      usage: { prompt_tokens: 3, completion_tokens: 9, total_tokens: 12, prompt_tokens_details: { cached_tokens: 1 }, completion_tokens_details: { reasoning_tokens: 0 } },
    },
  ]);
});

test('encodeEvents: no usage chunk unless the client asked', async () => {
  const sse = (await collect(openaiChat.encodeEvents(events(flow), ctx))).join('');
  const chunks = payloads(sse) as Array<{ choices: unknown[] }>;
  assert.equal(chunks.length, 6);
  assert.ok(chunks.every((c) => c.choices.length === 1));
});

test('encodeEvents: tool indexes are renumbered 0..n in order of appearance', async () => {
  const sse = (
    await collect(
      openaiChat.encodeEvents(
        events([
          { type: 'tool-call-start', index: 3, id: 'a', name: 'f' },
          { type: 'tool-call-delta', index: 3, argumentsDelta: '{}' },
          { type: 'tool-call-delta', index: 9, argumentsDelta: 'orphan' },
          { type: 'finish', reason: 'tool-calls' },
        ]),
        ctx,
      ),
    )
  ).join('');
  assert.ok(!sse.includes('orphan'), 'arguments for a call that never started are not emitted');
  const deltas = (payloads(sse) as Array<{ choices: Array<{ delta: { tool_calls?: Array<{ index: number }> } }> }>).flatMap(
    (c) => c.choices[0]!.delta.tool_calls ?? [],
  );
  assert.deepEqual(deltas.map((d) => d.index), [0, 0]);
});

test('encodeEvents: an error event becomes an OpenAI error payload and ends the stream without [DONE]', async () => {
  const out = await collect(
    openaiChat.encodeEvents(
      events([
        { type: 'message-start', id: 'x', model: 'm', created: 1 },
        { type: 'text-delta', text: 'part' },
        { type: 'error', error: new GatewayError('rate_limited', 'slow down') },
        { type: 'text-delta', text: 'never' },
      ]),
      ctx,
    ),
  );
  const last = out.at(-1)!;
  assert.equal(last, 'data: {"error":{"message":"slow down","type":"rate_limit_error","param":null,"code":"rate_limited"}}\n\n');
  assert.ok(!out.join('').includes('[DONE]'));
  assert.ok(!out.join('').includes('never'));
});

test('encodeEvents: a throwing source becomes an error payload; a source without finish is closed', async () => {
  async function* throwing(): AsyncGenerator<CanonicalEvent> {
    yield { type: 'text-delta', text: 'a' };
    throw new Error('boom');
  }
  const out = (await collect(openaiChat.encodeEvents(throwing(), ctx))).join('');
  assert.match(out, /"code":"internal_error"/);
  const closed = payloads((await collect(openaiChat.encodeEvents(events([{ type: 'text-delta', text: 'a' }]), ctx))).join('')) as Array<{
    choices: Array<{ finish_reason: string | null }>;
  }>;
  assert.equal(closed.at(-1)!.choices[0]!.finish_reason, 'stop');
});

test('encodeEvents: route names and ids with quotes stay valid JSON', async () => {
  const out = (await collect(openaiChat.encodeEvents(events([{ type: 'text-delta', text: '"\n' }, { type: 'finish', reason: 'stop' }]), { ...ctx, model: 'a"b', requestId: 'r\\1' }))).join('');
  const chunks = payloads(out) as Array<{ model: string; id: string }>;
  assert.equal(chunks[0]!.model, 'a"b');
  assert.equal(chunks[0]!.id, 'chatcmpl-r\\1');
});

test('encodeError: OpenAI error shape; upstream codes kept; retry-after header', () => {
  assert.deepEqual(openaiChat.encodeError(new GatewayError('model_not_found', 'no route x', { param: 'model' })), {
    status: 404,
    body: { error: { message: 'no route x', type: 'invalid_request_error', param: 'model', code: 'model_not_found' } },
  });
  const up = new GatewayError('rate_limited', 'Rate limit reached', { upstream: { status: 429, type: 'rate_limit_exceeded' }, retryAfterMs: 1500 });
  assert.deepEqual(openaiChat.encodeError(up), {
    status: 429,
    body: { error: { message: 'Rate limit reached', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' } },
    headers: { 'retry-after': '2' },
  });
  const quota = openaiChat.encodeError(new GatewayError('insufficient_quota', 'q', { upstream: { status: 429, type: 'insufficient_quota' } }));
  assert.equal((quota.body as { error: { type: string } }).error.type, 'insufficient_quota');
});
