import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CanonicalEvent, CanonicalResponse } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import { encodeEvents } from './encode-events.js';
import { encodeResponse } from './encode-response.js';
import { openaiResponses } from './index.js';
import type { ResponseObject } from './response-object.js';
import { ctx, frames, sse } from '../../../testkit/format-helpers/openai-responses.js';

const base: CanonicalResponse = { id: 'up-1', model: 'provider-model', created: 1, content: [], finishReason: 'stop' };

test('encodeResponse: reasoning, message and function_call items; usage; route name as model', () => {
  const out = encodeResponse(
    {
      ...base,
      content: [
        { type: 'reasoning', text: 'because', signature: 'SIG' },
        { type: 'text', text: 'Hel' },
        { type: 'text', text: 'lo' },
        { type: 'tool-call', id: 'call_1', name: 'f', arguments: '{"a":1}' },
      ],
      finishReason: 'tool-calls',
      usage: { inputTokens: 10, outputTokens: 5, cacheReadTokens: 4, reasoningTokens: 2 },
    },
    ctx,
  );
  assert.equal(out.id, 'resp_abc');
  assert.equal(out.object, 'response');
  assert.equal(out.created_at, ctx.created);
  assert.equal(out.status, 'completed');
  assert.equal(out.incomplete_details, null);
  assert.equal(out.model, 'route-a');
  assert.deepEqual(out.output, [
    { type: 'reasoning', id: 'rs_abc_0', summary: [{ type: 'summary_text', text: 'because' }], encrypted_content: 'SIG' },
    { type: 'message', id: 'msg_abc_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hello', annotations: [], logprobs: [] }] },
    { type: 'function_call', id: 'fc_abc_2', call_id: 'call_1', name: 'f', arguments: '{"a":1}', status: 'completed' },
  ]);
  assert.deepEqual(out.usage, {
    input_tokens: 10,
    input_tokens_details: { cached_tokens: 4 },
    output_tokens: 5,
    output_tokens_details: { reasoning_tokens: 2 },
    total_tokens: 15,
  });
});

test('encodeResponse: a length stop is incomplete with reason max_output_tokens', () => {
  const out = encodeResponse({ ...base, content: [{ type: 'text', text: 'cut' }], finishReason: 'length' }, { ...ctx, requestId: 'req_9' });
  assert.equal(out.id, 'resp_req_9');
  assert.equal(out.status, 'incomplete');
  assert.deepEqual(out.incomplete_details, { reason: 'max_output_tokens' });
  assert.equal(out.output[0]!.type === 'message' && out.output[0]!.status, 'incomplete');
  assert.equal(out.usage, null);
});

test('encodeError: OpenAI error shape; an unknown previous response gets its own code', () => {
  const e = new GatewayError('not_found', "Previous response with id 'resp_x' not found.", { param: 'previous_response_id' });
  assert.deepEqual(openaiResponses.encodeError(e), {
    status: 404,
    body: { error: { message: "Previous response with id 'resp_x' not found.", type: 'invalid_request_error', param: 'previous_response_id', code: 'previous_response_not_found' } },
  });
  const r = openaiResponses.encodeError(new GatewayError('rate_limited', 'slow down', { retryAfterMs: 1500 }));
  assert.equal(r.status, 429);
  assert.deepEqual(r.headers, { 'retry-after': '2' });
});

test('encodeEvents: text stream in the documented order, sequence numbers, final response with usage', async () => {
  let stored: ResponseObject | undefined;
  const text = await sse(
    [
      { type: 'message-start', id: 'up', model: 'p', created: 1 },
      { type: 'text-delta', text: 'Hel' },
      { type: 'text-delta', text: '' },
      { type: 'text-delta', text: 'lo' },
      { type: 'finish', reason: 'stop' },
      { type: 'usage', usage: { inputTokens: 3, outputTokens: 2 } },
    ],
    (r) => (stored = r),
  );
  const fs = frames(text);
  assert.deepEqual(fs.map(([e]) => e), [
    'response.created',
    'response.in_progress',
    'response.output_item.added',
    'response.content_part.added',
    'response.output_text.delta',
    'response.output_text.delta',
    'response.output_text.done',
    'response.content_part.done',
    'response.output_item.done',
    'response.completed',
  ]);
  fs.forEach(([name, data], i) => {
    assert.equal(data.type, name, 'the event: line names the payload type');
    assert.equal(data.sequence_number, i);
  });
  assert.deepEqual(fs[4]![1], { type: 'response.output_text.delta', sequence_number: 4, item_id: 'msg_abc_0', output_index: 0, content_index: 0, delta: 'Hel', logprobs: [] });
  assert.equal(fs[6]![1].text, 'Hello');
  const final = fs[9]![1].response as ResponseObject;
  assert.equal(final.status, 'completed');
  assert.deepEqual(final.output, [{ type: 'message', id: 'msg_abc_0', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hello', annotations: [], logprobs: [] }] }]);
  assert.equal(final.usage?.total_tokens, 5);
  assert.deepEqual(stored, final, 'onResponse gets the final response');
  assert.deepEqual((fs[0]![1].response as ResponseObject).output, []);
});

test('encodeEvents: reasoning summary events, then parallel interleaved function calls', async () => {
  const fs = frames(
    await sse([
      { type: 'reasoning-delta', text: 'thin' },
      { type: 'reasoning-delta', text: 'king', signature: 'SIG' },
      { type: 'tool-call-start', index: 0, id: 'c1', name: 'f' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":' },
      { type: 'tool-call-start', index: 1, id: 'c2', name: 'g' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '1}' },
      { type: 'finish', reason: 'tool-calls' },
    ]),
  );
  const names = fs.map(([e, d]) => `${e}${d.output_index === undefined ? '' : `@${String(d.output_index)}`}`);
  assert.deepEqual(names.slice(2), [
    'response.output_item.added@0',
    'response.reasoning_summary_part.added@0',
    'response.reasoning_summary_text.delta@0',
    'response.reasoning_summary_text.delta@0',
    'response.reasoning_summary_text.done@0',
    'response.reasoning_summary_part.done@0',
    'response.output_item.done@0',
    'response.output_item.added@1',
    'response.function_call_arguments.delta@1',
    'response.output_item.added@2',
    'response.function_call_arguments.delta@2',
    'response.function_call_arguments.delta@1',
    'response.function_call_arguments.done@1',
    'response.output_item.done@1',
    'response.function_call_arguments.done@2',
    'response.output_item.done@2',
    'response.completed',
  ]);
  assert.deepEqual(fs[8]![1].item, { type: 'reasoning', id: 'rs_abc_0', summary: [{ type: 'summary_text', text: 'thinking' }], encrypted_content: 'SIG' });
  const final = fs[fs.length - 1]![1].response as ResponseObject;
  assert.deepEqual(
    final.output.map((o) => (o.type === 'function_call' ? [o.call_id, o.name, o.arguments, o.status] : o.type)),
    ['reasoning', ['c1', 'f', '{"a":1}', 'completed'], ['c2', 'g', '{}', 'completed']],
  );
});

test('encodeEvents: a length stop ends with response.incomplete', async () => {
  const fs = frames(await sse([{ type: 'text-delta', text: 'cut' }, { type: 'finish', reason: 'length' }]));
  const [name, data] = fs[fs.length - 1]!;
  assert.equal(name, 'response.incomplete');
  assert.deepEqual((data.response as ResponseObject).incomplete_details, { reason: 'max_output_tokens' });
});

test('encodeEvents: a mid-stream error is an error event then response.failed; nothing is stored', async () => {
  let stored = false;
  const err = new GatewayError('upstream_overloaded', 'overloaded', { upstream: { status: 529, type: 'overloaded_error' } });
  const fs = frames(await sse([{ type: 'text-delta', text: 'par' }, { type: 'error', error: err }], () => (stored = true)));
  const tail = fs.slice(-2);
  assert.deepEqual(tail.map(([e]) => e), ['error', 'response.failed']);
  assert.deepEqual(tail[0]![1].error, { message: 'overloaded', type: 'api_error', param: null, code: 'overloaded_error' });
  const failed = tail[1]![1].response as ResponseObject;
  assert.equal(failed.status, 'failed');
  assert.deepEqual(failed.error, { code: 'overloaded_error', message: 'overloaded' });
  assert.equal(stored, false);
});

test('encodeEvents: an exception from the producer is rendered like an error event', async () => {
  async function* boom(): AsyncGenerator<CanonicalEvent> {
    yield { type: 'text-delta', text: 'x' };
    throw new Error('socket hang up');
  }
  let out = '';
  for await (const s of encodeEvents(boom(), ctx)) out += s;
  assert.deepEqual(frames(out).slice(-2).map(([e]) => e), ['error', 'response.failed']);
});
