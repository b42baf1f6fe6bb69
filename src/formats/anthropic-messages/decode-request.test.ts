import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertDecodeRejects } from '../../../testkit/format-helpers/decode.js';
import { anthropicMessages, decodeCountTokensRequest, encodeCountTokensResponse } from './index.js';

const base = { model: 'route-a', max_tokens: 256, messages: [{ role: 'user', content: 'hi' }] };

const rejects = (body: unknown, param: string | undefined, pattern: RegExp, code?: string): void =>
  assertDecodeRejects(anthropicMessages.decodeRequest, body, param, pattern, code);

test('minimal request: route name, max_tokens, string content', () => {
  const r = anthropicMessages.decodeRequest(base);
  assert.deepEqual(r, { model: 'route-a', maxTokens: 256, stream: false, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] });
});

test('max_tokens missing is named clearly', () => {
  rejects({ model: 'route-a', messages: base.messages }, 'max_tokens', /^max_tokens: Field required .*Anthropic Messages API requires/);
});

test('validation errors name the field path, through unions', () => {
  rejects({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'video' }] }] }, 'messages.0.content.1.type', /^messages\.0\.content\.1\.type: must be one of 'text', 'image'/);
  rejects({ ...base, messages: [{ role: 'user', content: [{ type: 'text' }] }] }, 'messages.0.content.0.text', /expected string/);
  rejects({ ...base, messages: [{ role: 'user', content: 5 }] }, 'messages.0.content', /expected string or array/);
  rejects({ ...base, messages: [{ role: 'system', content: 'x' }] }, 'messages.0.role', /messages\.0\.role: /);
  rejects({ ...base, messages: [] }, 'messages', /^messages: /);
  rejects({ ...base, temperature: 1.5 }, 'temperature', /^temperature: Too big/);
  rejects({ ...base, max_tokens: 1.5 }, 'max_tokens', /^max_tokens: /);
  rejects('nope', undefined, /^request body: /);
  rejects({ ...base, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'f' } }] }] }, 'messages.0.content.0.source.type', /must be one of 'base64', 'url'/);
});

test('system string and cached text blocks become a leading system message', () => {
  const a = anthropicMessages.decodeRequest({ ...base, system: 'be brief' });
  assert.deepEqual(a.messages[0], { role: 'system', content: [{ type: 'text', text: 'be brief' }] });
  const b = anthropicMessages.decodeRequest({
    ...base,
    system: [{ type: 'text', text: 'long context' }, { type: 'text', text: 'rules', cache_control: { type: 'ephemeral', ttl: '1h' } }],
  });
  assert.deepEqual(b.messages[0], {
    role: 'system',
    content: [{ type: 'text', text: 'long context' }, { type: 'text', text: 'rules', cacheControl: { type: 'ephemeral', ttl: '1h' } }],
  });
  assert.equal(b.messages[1]!.role, 'user');
});

test('assistant history: thinking with signature, redacted thinking, text, tool_use', () => {
  const r = anthropicMessages.decodeRequest({
    ...base,
    messages: [
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'look it up', signature: 'sig-1' },
          { type: 'redacted_thinking', data: 'opaque' },
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' }, cache_control: { type: 'ephemeral' } },
        ],
      },
    ],
  });
  assert.deepEqual(r.messages[1], {
    role: 'assistant',
    content: [
      { type: 'reasoning', text: 'look it up', signature: 'sig-1' },
      { type: 'reasoning', text: '', redacted: 'opaque' },
      { type: 'text', text: 'Checking.' },
      { type: 'tool-call', id: 'toolu_1', name: 'weather', arguments: '{"city":"Paris"}', cacheControl: { type: 'ephemeral' } },
    ],
  });
});

test('a user turn mixing tool_result and text becomes tool message then user message, in order', () => {
  const r = anthropicMessages.decodeRequest({
    ...base,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
          { type: 'tool_result', tool_use_id: 'toolu_2', is_error: true, content: [{ type: 'text', text: 'boom' }, { type: 'image', source: { type: 'url', url: 'https://x/img.png' } }] },
          { type: 'tool_result', tool_use_id: 'toolu_3' },
          { type: 'text', text: 'and now?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' }, cache_control: { type: 'ephemeral' } },
        ],
      },
    ],
  });
  assert.deepEqual(r.messages, [
    {
      role: 'tool',
      content: [
        { type: 'tool-result', toolCallId: 'toolu_1', content: [{ type: 'text', text: 'sunny' }] },
        {
          type: 'tool-result',
          toolCallId: 'toolu_2',
          isError: true,
          content: [{ type: 'text', text: 'boom' }, { type: 'image', source: { kind: 'url', url: 'https://x/img.png' } }],
        },
        { type: 'tool-result', toolCallId: 'toolu_3', content: [] },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'and now?' },
        { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' }, cacheControl: { type: 'ephemeral' } },
      ],
    },
  ]);
});

test('blocks in the wrong role are rejected with their path', () => {
  rejects({ ...base, messages: [{ role: 'user', content: [{ type: 'tool_use', id: 't', name: 'n', input: {} }] }] }, 'messages.0.content.0.type', /only allowed in assistant/);
  rejects(
    { ...base, messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: [{ type: 'tool_result', tool_use_id: 't' }] }] },
    'messages.1.content.0.type',
    /only allowed in user/,
  );
});

test('document blocks and server tools get a clear 400', () => {
  rejects(
    { ...base, messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'x' } }] }] },
    'messages.0.content.0.type',
    /document blocks .* not supported/,
    'unsupported_capability',
  );
  rejects({ ...base, tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 3 }] }, 'tools.0.type', /server tool 'web_search_20250305' is not supported/, 'unsupported_capability');
  rejects({ ...base, tools: [{ name: 'f' }] }, 'tools.0.input_schema', /Field required/);
});

test('tools, tool_choice, sampling, stop, metadata, stream, thinking', () => {
  const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
  const r = anthropicMessages.decodeRequest({
    ...base,
    tools: [{ name: 'weather', description: 'Get weather', input_schema: schema, cache_control: { type: 'ephemeral' } }, { type: 'custom', name: 'noop', input_schema: { type: 'object' } }],
    tool_choice: { type: 'any', disable_parallel_tool_use: true },
    stop_sequences: ['END'],
    temperature: 0.2,
    top_p: 0.9,
    top_k: 40,
    metadata: { user_id: 'user-7' },
    stream: true,
    thinking: { type: 'enabled', budget_tokens: 2048 },
  });
  assert.deepEqual(r.tools, [
    { name: 'weather', description: 'Get weather', parameters: schema, cacheControl: { type: 'ephemeral' } },
    { name: 'noop', parameters: { type: 'object' } },
  ]);
  assert.equal(r.toolChoice, 'required');
  assert.equal(r.parallelToolCalls, false);
  assert.deepEqual(r.stop, ['END']);
  assert.equal(r.temperature, 0.2);
  assert.equal(r.topP, 0.9);
  assert.equal(r.topK, 40);
  assert.equal(r.user, 'user-7');
  assert.equal(r.stream, true);
  assert.deepEqual(r.reasoning, { budgetTokens: 2048, include: true });
  assert.equal(r.providerOptions, undefined);
});

test('tool_choice variants', () => {
  const tc = (tool_choice: unknown) => {
    const r = anthropicMessages.decodeRequest({ ...base, tools: [{ name: 'f', input_schema: { type: 'object' } }], tool_choice });
    return [r.toolChoice, r.parallelToolCalls];
  };
  assert.deepEqual(tc({ type: 'auto' }), ['auto', undefined]);
  assert.deepEqual(tc({ type: 'none' }), ['none', undefined]);
  assert.deepEqual(tc({ type: 'tool', name: 'f' }), [{ type: 'tool', name: 'f' }, undefined]);
  assert.deepEqual(tc({ type: 'auto', disable_parallel_tool_use: false }), ['auto', undefined]);
});

test('thinking disabled means no reasoning; unknown top-level fields go to providerOptions', () => {
  const r = anthropicMessages.decodeRequest({ ...base, thinking: { type: 'disabled' }, service_tier: 'auto', container: 'c1' });
  assert.equal(r.reasoning, undefined);
  assert.deepEqual(r.providerOptions, { 'anthropic-messages': { service_tier: 'auto', container: 'c1' } });
});

test('count_tokens body needs no max_tokens and is never streamed', () => {
  const r = decodeCountTokensRequest({ model: 'route-a', messages: [{ role: 'user', content: 'count me' }], system: 's', stream: true });
  assert.equal(r.maxTokens, undefined);
  assert.equal(r.stream, false);
  assert.deepEqual(r.messages.map((m) => m.role), ['system', 'user']);
  assert.throws(() => decodeCountTokensRequest({ model: 'route-a' }), /messages: /);
  assert.deepEqual(encodeCountTokensResponse(42), { input_tokens: 42 });
});
