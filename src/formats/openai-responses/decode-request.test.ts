import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../spec/errors.js';
import { openaiResponses } from './index.js';
import { parseResponsesRequest, referencedItemIds, resolveItems, toCanonicalRequest } from './decode-request.js';
import type { InputItem } from './schema.js';

const decode = (body: unknown) => openaiResponses.decodeRequest(body);

function rejects(body: unknown, code: string, param: string, message?: RegExp) {
  assert.throws(() => decode(body), (e: unknown) => {
    assert.ok(e instanceof GatewayError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.param, param);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('a string input is one user message; instructions become the first system message', () => {
  const r = decode({ model: 'route-a', input: 'hi', instructions: 'be brief' });
  assert.deepEqual(r, {
    model: 'route-a',
    stream: false,
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'be brief' }] },
      { role: 'user', content: [{ type: 'text', text: 'hi' }] },
    ],
  });
});

test('items: roles, content parts, images, and consecutive assistant-side items merged into one turn', () => {
  const r = decode({
    model: 'route-a',
    input: [
      { role: 'developer', content: 'dev rules' },
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'look' }, { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'low' }, { type: 'input_image', image_url: 'https://x.test/a.png' }] },
      { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'think 1' }, { type: 'summary_text', text: 'think 2' }], encrypted_content: 'SIG' },
      { role: 'assistant', content: [{ type: 'output_text', text: 'calling' }] },
      { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{"a":1}' },
      { type: 'function_call', call_id: 'c2', name: 'g', arguments: '{}' },
      { type: 'function_call_output', call_id: 'c1', output: 'one' },
      { type: 'function_call_output', call_id: 'c2', output: [{ type: 'input_text', text: 'two' }] },
      { role: 'assistant', content: 'done' },
    ],
  });
  assert.deepEqual(r.messages, [
    { role: 'system', content: [{ type: 'text', text: 'dev rules' }] },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'look' },
        { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' }, detail: 'low' },
        { type: 'image', source: { kind: 'url', url: 'https://x.test/a.png' } },
      ],
    },
    {
      role: 'assistant',
      content: [
        { type: 'reasoning', text: 'think 1\n\nthink 2', signature: 'SIG' },
        { type: 'text', text: 'calling' },
        { type: 'tool-call', id: 'c1', name: 'f', arguments: '{"a":1}' },
        { type: 'tool-call', id: 'c2', name: 'g', arguments: '{}' },
      ],
    },
    { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', name: 'f', content: [{ type: 'text', text: 'one' }] }] },
    { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c2', name: 'g', content: [{ type: 'text', text: 'two' }] }] },
    { role: 'assistant', content: [{ type: 'text', text: 'done' }] },
  ]);
});

test('options: tools, tool_choice, text.format, reasoning, limits; unknown fields kept in providerOptions', () => {
  const r = decode({
    model: 'route-a',
    input: 'x',
    tools: [{ type: 'function', name: 'f', description: 'd', parameters: { type: 'object' }, strict: true }, { type: 'function', name: 'g' }],
    tool_choice: { type: 'function', name: 'f' },
    parallel_tool_calls: false,
    max_output_tokens: 100,
    temperature: 0.5,
    top_p: 0.9,
    text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true }, verbosity: 'low' },
    reasoning: { effort: 'high', summary: 'auto' },
    stream: true,
    store: false,
    metadata: { k: 'v' },
    user: 'u1',
    truncation: 'auto',
    service_tier: 'flex',
  });
  assert.deepEqual(r.tools, [
    { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true },
    { name: 'g', parameters: { type: 'object', properties: {} } },
  ]);
  assert.deepEqual(r.toolChoice, { type: 'tool', name: 'f' });
  assert.equal(r.parallelToolCalls, false);
  assert.equal(r.maxTokens, 100);
  assert.equal(r.temperature, 0.5);
  assert.equal(r.topP, 0.9);
  assert.deepEqual(r.responseFormat, { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true });
  assert.deepEqual(r.reasoning, { effort: 'high', include: true });
  assert.equal(r.stream, true);
  assert.equal(r.includeUsage, true, 'the final event always carries usage');
  assert.deepEqual(r.metadata, { k: 'v' });
  assert.equal(r.user, 'u1');
  assert.deepEqual(r.providerOptions, { 'openai-responses': { truncation: 'auto', service_tier: 'flex', verbosity: 'low' } });
});

test('an effort the canonical form cannot name travels as an extra', () => {
  const r = decode({ model: 'm', input: 'x', reasoning: { effort: 'xhigh' }, text: { format: { type: 'json_object' } } });
  assert.equal(r.reasoning, undefined);
  assert.deepEqual(r.providerOptions, { 'openai-responses': { reasoning_effort: 'xhigh' } });
  assert.deepEqual(r.responseFormat, { type: 'json_object' });
});

test('400s name the field', () => {
  rejects({ input: 'x' }, 'invalid_request', 'model');
  rejects({ model: 'm' }, 'invalid_request', 'input');
  rejects({ model: 'm', input: 'x', temperature: 3 }, 'invalid_request', 'temperature');
  rejects({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_text' }] }] }, 'invalid_request', 'input[0].content[0].text');
  rejects({ model: 'm', input: [{ role: 'robot', content: 'x' }] }, 'invalid_request', 'input[0].role');
  rejects({ model: 'm', input: [{ content: 'x' }] }, 'invalid_request', 'input[0].type');
  rejects({ model: 'm', input: [{ type: 'function_call', name: 'f', arguments: '{}' }] }, 'invalid_request', 'input[0].call_id');
  rejects({ model: 'm', input: ['x'] }, 'invalid_request', 'input[0]');
  rejects({ model: 'm', input: 'x', tools: [{ type: 'function' }] }, 'invalid_request', 'tools[0].name');
  rejects({ model: 'm', input: 'x', tool_choice: { type: 'function' } }, 'invalid_request', 'tool_choice.name');
  rejects({ model: 'm', input: 'x', text: { format: { type: 'json_schema', name: 'n' } } }, 'invalid_request', 'text.format.schema');
});

test('built-in tools, items and content the gateway cannot carry are unsupported_capability 400s', () => {
  rejects({ model: 'm', input: 'x', tools: [{ type: 'function', name: 'f' }, { type: 'file_search' }] }, 'unsupported_capability', 'tools[1].type', /file_search/);
  rejects({ model: 'm', input: [{ type: 'web_search_call', id: 'ws' }] }, 'unsupported_capability', 'input[0].type', /web_search_call/);
  rejects({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_file', file_id: 'f' }] }] }, 'unsupported_capability', 'input[0].content[0].type');
  rejects({ model: 'm', input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'f' }] }] }, 'unsupported_capability', 'input[0].content[0].file_id');
  rejects({ model: 'm', input: 'x', tool_choice: { type: 'web_search_preview' } }, 'unsupported_capability', 'tool_choice.type');
});

test('without a store, previous_response_id and item_reference are unknown: 404 in the API wording', () => {
  rejects({ model: 'm', input: 'x', previous_response_id: 'resp_abc' }, 'not_found', 'previous_response_id', /^Previous response with id 'resp_abc' not found\.$/);
  rejects({ model: 'm', input: [{ type: 'item_reference', id: 'msg_a_0' }] }, 'not_found', 'input[0].id', /^Item with id 'msg_a_0' not found\.$/);
});

test('history is prepended, references resolved, instructions stay first and apply to this request only', () => {
  const p = parseResponsesRequest({ model: 'm', instructions: 'now', previous_response_id: 'resp_a', input: [{ type: 'item_reference', id: 'msg_a_1' }, { role: 'user', content: 'next' }] });
  assert.deepEqual(referencedItemIds(p), ['msg_a_1']);
  const referenced: InputItem = { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'quoted' }] };
  const input = resolveItems(p.items, new Map([['msg_a_1', referenced]]));
  const history: InputItem[] = [{ role: 'user', content: 'first' }, { type: 'message', role: 'assistant', content: 'answer' }];
  const r = toCanonicalRequest(p, input, history);
  assert.deepEqual(r.messages.map((m) => [m.role, m.content.map((c) => (c.type === 'text' ? c.text : c.type))]), [
    ['system', ['now']],
    ['user', ['first']],
    ['assistant', ['answer', 'quoted']],
    ['user', ['next']],
  ]);
});

test('redacted reasoning round-trips through encrypted_content', () => {
  const r = decode({ model: 'm', input: [{ role: 'user', content: 'q' }, { type: 'reasoning', summary: [], encrypted_content: 'modelplane.redacted:DATA' }, { role: 'assistant', content: 'a' }] });
  assert.deepEqual(r.messages[1], { role: 'assistant', content: [{ type: 'reasoning', text: '', redacted: 'DATA' }, { type: 'text', text: 'a' }] });
});
