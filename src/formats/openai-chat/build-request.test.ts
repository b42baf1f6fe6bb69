import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CanonicalRequest } from '../../spec/canonical.js';
import type { EgressTarget } from '../../spec/wire.js';
import { openaiChat } from './index.js';

const target: EgressTarget = {
  deploymentId: 'd1',
  model: 'provider-model-1',
  baseUrl: 'https://api.example.com/v1',
  auth: 'bearer',
  apiKey: 'sk-test',
  quirks: {},
};

function build(r: Partial<CanonicalRequest>, t: Partial<EgressTarget> = {}) {
  const req = openaiChat.buildRequest({ model: 'route-a', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], stream: false, ...r }, { ...target, ...t });
  assert.ok(!(req instanceof Promise));
  return { ...req, json: JSON.parse(req.body as string) as Record<string, unknown> };
}

test('url, auth and the provider model id', () => {
  const r = build({});
  assert.equal(r.method, 'POST');
  assert.equal(r.url, 'https://api.example.com/v1/chat/completions');
  assert.deepEqual(r.headers, { 'content-type': 'application/json', authorization: 'Bearer sk-test' });
  assert.deepEqual(r.json, { model: 'provider-model-1', messages: [{ role: 'user', content: 'hi' }] });
  assert.deepEqual(r.warnings, []);
});

test('Azure: api-key header, query string and static headers', () => {
  const r = build({}, { auth: 'api-key', baseUrl: 'https://x.example.com/openai/deployments/dep', query: { 'api-version': '2024-10-21' }, headers: { 'x-extra': '1' } });
  assert.equal(r.url, 'https://x.example.com/openai/deployments/dep/chat/completions?api-version=2024-10-21');
  assert.deepEqual(r.headers, { 'content-type': 'application/json', 'api-key': 'sk-test', 'x-extra': '1' });
  assert.deepEqual(build({}, { auth: 'none' }).headers, { 'content-type': 'application/json' });
});

test('every canonical field maps back to OpenAI fields', () => {
  const r = build({
    tools: [{ name: 'f', description: 'd', parameters: { type: 'object' }, strict: true }],
    toolChoice: { type: 'tool', name: 'f' },
    parallelToolCalls: true,
    responseFormat: { type: 'json_schema', name: 's', schema: { type: 'object' }, strict: true, description: 'x' },
    maxTokens: 100,
    temperature: 0.2,
    topP: 0.5,
    stop: ['a', 'b'],
    seed: 3,
    frequencyPenalty: 0.1,
    presencePenalty: 0.2,
    n: 1,
    logprobs: true,
    topLogprobs: 3,
    user: 'u',
    metadata: { k: 'v' },
    reasoning: { effort: 'high' },
  });
  assert.deepEqual(r.json, {
    model: 'provider-model-1',
    messages: [{ role: 'user', content: 'hi' }],
    tools: [{ type: 'function', function: { name: 'f', description: 'd', parameters: { type: 'object' }, strict: true } }],
    tool_choice: { type: 'function', function: { name: 'f' } },
    parallel_tool_calls: true,
    response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object' }, strict: true, description: 'x' } },
    max_tokens: 100,
    temperature: 0.2,
    top_p: 0.5,
    stop: ['a', 'b'],
    seed: 3,
    frequency_penalty: 0.1,
    presence_penalty: 0.2,
    n: 1,
    logprobs: true,
    top_logprobs: 3,
    user: 'u',
    metadata: { k: 'v' },
    reasoning_effort: 'high',
  });
});

test('streaming always asks for usage, unless the server rejects stream_options', () => {
  assert.deepEqual(build({ stream: true, includeUsage: false }).json.stream_options, { include_usage: true });
  assert.equal(build({ stream: true }).json.stream, true);
  const quiet = build({ stream: true, providerOptions: { 'openai-chat': { stream_options: { include_obfuscation: false } } } }, { quirks: { noStreamOptions: true } });
  assert.equal(quiet.json.stream_options, undefined);
  assert.equal(build({}).json.stream, undefined);
});

test('quirks: max tokens field, required max tokens, unsupported params', () => {
  assert.equal(build({ maxTokens: 9 }, { quirks: { maxTokensField: 'max_completion_tokens' } }).json.max_completion_tokens, 9);
  assert.equal(build({}, { quirks: { requiresMaxTokens: true }, defaultMaxTokens: 4096 }).json.max_tokens, 4096);
  assert.equal(build({}, { defaultMaxTokens: 4096 }).json.max_tokens, undefined, 'only when required');
  const r = build({ seed: 1, stream: true, temperature: 1 }, { quirks: { unsupportedParams: ['seed', 'stream_options', 'logit_bias'] } });
  assert.equal(r.json.seed, undefined);
  assert.equal(r.json.stream_options, undefined);
  assert.equal(r.json.temperature, 1);
  assert.deepEqual(r.warnings, ['seed dropped: not supported by this provider', 'stream_options dropped: not supported by this provider']);
});

test('openai-chat extras go back to the upstream; other families are dropped with a warning; canonical wins', () => {
  const r = build({
    temperature: 0.3,
    maxTokens: 10,
    providerOptions: {
      'openai-chat': { service_tier: 'flex', temperature: 2, max_completion_tokens: 99, model: 'evil' },
      'anthropic-messages': { thinking: {} },
    },
  });
  assert.equal(r.json.service_tier, 'flex');
  assert.equal(r.json.temperature, 0.3);
  assert.equal(r.json.model, 'provider-model-1');
  assert.equal(r.json.max_tokens, 10);
  assert.equal(r.json.max_completion_tokens, undefined, 'never two competing limits');
  assert.deepEqual(r.warnings, ['providerOptions.anthropic-messages dropped: openai-chat cannot express thinking']);
});

const history: CanonicalRequest['messages'] = [
  { role: 'system', content: [{ type: 'text', text: 'one', cacheControl: { type: 'ephemeral' } }, { type: 'text', text: 'two' }] },
  {
    role: 'user',
    name: 'ann',
    content: [
      { type: 'text', text: 'see' },
      { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'QUJD' }, detail: 'low' },
      { type: 'image', source: { kind: 'url', url: 'https://example.com/i.png' } },
    ],
  },
  {
    role: 'assistant',
    content: [
      { type: 'reasoning', text: 'thinking', signature: 'sig' },
      { type: 'text', text: 'ok' },
      { type: 'tool-call', id: 'c1', name: 'f', arguments: '{}' },
    ],
  },
  { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', content: [{ type: 'text', text: 'res' }] }] },
  // Anthropic-style: tool results inside a user message, followed by more user text.
  {
    role: 'user',
    content: [
      { type: 'tool-result', toolCallId: 'c2', content: [{ type: 'text', text: 'r2' }, { type: 'image', source: { kind: 'url', url: 'u' } }] },
      { type: 'text', text: 'next' },
    ],
  },
  { role: 'assistant', content: [{ type: 'tool-call', id: 'c3', name: 'g', arguments: '{"x":1}' }] },
];

test('messages: system joined, images as image_url, tool results as tool messages, reasoning dropped', () => {
  const r = build({ messages: history });
  assert.deepEqual(r.json.messages, [
    { role: 'system', content: 'one\ntwo' },
    {
      role: 'user',
      name: 'ann',
      content: [
        { type: 'text', text: 'see' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,QUJD', detail: 'low' } },
        { type: 'image_url', image_url: { url: 'https://example.com/i.png' } },
      ],
    },
    { role: 'assistant', content: 'ok', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'c1', content: 'res' },
    { role: 'tool', tool_call_id: 'c2', content: 'r2' },
    { role: 'user', content: 'next' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c3', type: 'function', function: { name: 'g', arguments: '{"x":1}' } }] },
  ]);
  assert.deepEqual(r.warnings, [
    'cacheControl markers dropped: openai-chat cannot express them',
    'images in tool results dropped: openai-chat tool messages carry text only',
  ]);
});

test('messages: reasoning goes back in the provider reasoning field when it has one', () => {
  const msgs = build({ messages: history }, { quirks: { reasoningField: 'reasoning_content' } }).json.messages as Array<Record<string, unknown>>;
  assert.equal(msgs[2]!.reasoning_content, 'thinking');
  const ollama = build({ messages: history }, { quirks: { reasoningField: 'reasoning' } }).json.messages as Array<Record<string, unknown>>;
  assert.equal(ollama[2]!.reasoning, 'thinking');
  assert.equal(ollama[2]!.reasoning_content, undefined);
});

test('dropped canonical fields say so', () => {
  const r = build({ topK: 5, reasoning: { budgetTokens: 100 } });
  assert.equal(r.json.top_k, undefined);
  assert.deepEqual(r.warnings, ['topK dropped: openai-chat has no top_k', 'reasoning.budgetTokens dropped: openai-chat has only reasoning_effort']);
});

test('decodeRequest then buildRequest returns an OpenAI body equal to the client one', () => {
  const client = {
    model: 'route-a',
    messages: [
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'q' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
      { role: 'tool', tool_call_id: 'c', content: 'r' },
    ],
    tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }],
    tool_choice: 'auto',
    temperature: 0.1,
    stream: true,
    stream_options: { include_usage: true },
    service_tier: 'auto',
  };
  const r = openaiChat.buildRequest(openaiChat.decodeRequest(client), target);
  assert.ok(!(r instanceof Promise));
  assert.deepEqual(JSON.parse(r.body as string), { ...client, model: 'provider-model-1' });
});
