import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertDecodeRejects } from '../../../testkit/format-helpers/decode.js';
import { GatewayError } from '../../spec/errors.js';
import { openaiChat } from './index.js';

const decode = openaiChat.decodeRequest;

const rejects = (body: unknown, param: string, pattern: RegExp, code?: string): void =>
  assertDecodeRejects(decode, body, param, pattern, code);

const user = { role: 'user', content: 'hi' };

test('a minimal body decodes to the canonical request', () => {
  assert.deepEqual(decode({ model: 'route-a', messages: [user] }), {
    model: 'route-a',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    stream: false,
  });
});

test('the full modern request maps every field', () => {
  const r = decode({
    model: 'route-a',
    messages: [
      { role: 'developer', content: 'be brief' },
      { role: 'system', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }], name: 'sys' },
      {
        role: 'user',
        name: 'ann',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'high' } },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
        ],
      },
      {
        role: 'assistant',
        content: null,
        reasoning_content: 'hmm',
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":1}' } }],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'result' },
    ],
    tools: [{ type: 'function', function: { name: 'lookup', description: 'd', parameters: { type: 'object' }, strict: true } }, { type: 'function', function: { name: 'bare' } }],
    tool_choice: { type: 'function', function: { name: 'lookup' } },
    parallel_tool_calls: false,
    response_format: { type: 'json_schema', json_schema: { name: 's', schema: { type: 'object' }, strict: true } },
    max_tokens: 10,
    max_completion_tokens: 20,
    temperature: 0.5,
    top_p: 0.9,
    stop: 'END',
    seed: 7,
    frequency_penalty: 0.1,
    presence_penalty: -0.1,
    n: 1,
    logprobs: true,
    top_logprobs: 2,
    stream: true,
    stream_options: { include_usage: true },
    user: 'u1',
    metadata: { k: 'v' },
    reasoning_effort: 'low',
    service_tier: 'flex',
    prediction: { type: 'content', content: 'x' },
    temperature_unset: undefined,
  });
  assert.deepEqual(r, {
    model: 'route-a',
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'be brief' }] },
      { role: 'system', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }], name: 'sys' },
      {
        role: 'user',
        name: 'ann',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' }, detail: 'high' },
          { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'hmm' },
          { type: 'tool-call', id: 'call_1', name: 'lookup', arguments: '{"q":1}' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'call_1', name: 'lookup', content: [{ type: 'text', text: 'result' }] }] },
    ],
    tools: [
      { name: 'lookup', description: 'd', parameters: { type: 'object' }, strict: true },
      { name: 'bare', parameters: { type: 'object', properties: {} } },
    ],
    toolChoice: { type: 'tool', name: 'lookup' },
    parallelToolCalls: false,
    responseFormat: { type: 'json_schema', name: 's', schema: { type: 'object' }, strict: true },
    maxTokens: 20,
    temperature: 0.5,
    topP: 0.9,
    stop: ['END'],
    seed: 7,
    frequencyPenalty: 0.1,
    presencePenalty: -0.1,
    n: 1,
    logprobs: true,
    topLogprobs: 2,
    stream: true,
    includeUsage: true,
    user: 'u1',
    metadata: { k: 'v' },
    reasoning: { effort: 'low' },
    providerOptions: { 'openai-chat': { service_tier: 'flex', prediction: { type: 'content', content: 'x' } } },
  });
});

test('null optional fields are treated as absent; max_tokens alone is the limit', () => {
  const r = decode({ model: 'm', messages: [user], temperature: null, tools: null, max_tokens: 5, stream_options: null });
  assert.equal(r.temperature, undefined);
  assert.equal(r.tools, undefined);
  assert.equal(r.maxTokens, 5);
});

test('tool_choice strings and response_format json_object', () => {
  for (const c of ['auto', 'none', 'required'] as const) assert.equal(decode({ model: 'm', messages: [user], tool_choice: c }).toolChoice, c);
  assert.deepEqual(decode({ model: 'm', messages: [user], response_format: { type: 'json_object' } }).responseFormat, { type: 'json_object' });
});

test('a reasoning effort the canonical form lacks travels as an extra', () => {
  const r = decode({ model: 'm', messages: [user], reasoning_effort: 'none' });
  assert.equal(r.reasoning, undefined);
  assert.deepEqual(r.providerOptions, { 'openai-chat': { reasoning_effort: 'none' } });
});

test('assistant string content with tool calls: empty string is not kept as a part', () => {
  const r = decode({
    model: 'm',
    messages: [user, { role: 'assistant', content: '', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }],
  });
  assert.deepEqual(r.messages[1]!.content, [{ type: 'tool-call', id: 'c', name: 'f', arguments: '{}' }]);
});

test('errors name the field path and what was expected', () => {
  rejects({ model: 'm', messages: [user, { role: 'robot', content: 'x' }] }, 'messages[1].role', /^messages\[1\]\.role: expected one of system, user, assistant, tool, developer, got "robot"$/);
  rejects({ model: '', messages: [user] }, 'model', /^model: expected string to have >=1 characters/);
  rejects({ messages: [user] }, 'model', /^model: required field missing \(expected string\)$/);
  rejects({ model: 7, messages: [user] }, 'model', /^model: expected string, got 7$/);
  rejects({ model: 'm', messages: [] }, 'messages', /^messages: expected array to have >=1 items/);
  rejects({ model: 'm', messages: [{ role: 'user', content: 5 }] }, 'messages[0].content', /^messages\[0\]\.content: expected string or array, got 5$/);
  rejects({ model: 'm', messages: [{ role: 'user', content: [{ type: 'video' }] }] }, 'messages[0].content[0].type', /expected one of text, image_url, input_audio, file/);
  rejects({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] }, 'messages[0].content[0].image_url.url', /required field missing/);
  rejects({ model: 'm', messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id', /required field missing/);
  rejects({ model: 'm', messages: [user], temperature: 3 }, 'temperature', /^temperature: expected number to be <=2, got 3$/);
  rejects({ model: 'm', messages: [user], tool_choice: 'sometimes' }, 'tool_choice', /^tool_choice: expected one of auto, none, required or object, got "sometimes"$/);
  rejects({ model: 'm', messages: [user], metadata: { a: 1 } }, 'metadata.a', /^metadata\.a: expected string, got 1$/);
  rejects({ model: 'm', messages: [user], response_format: { type: 'yaml' } }, 'response_format.type', /expected one of text, json_object, json_schema/);
});

test('n > 1 is refused with a clear 400', () => {
  rejects({ model: 'm', messages: [user], n: 3 }, 'n', /only n=1 is supported/);
});

test('audio and file parts are refused as unsupported, naming the part', () => {
  rejects(
    { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'input_audio', input_audio: {} }] }] },
    'messages[0].content[1].type',
    /'input_audio' content parts are not supported/,
    'unsupported_capability',
  );
});

test('a non-object body is refused', () => {
  assert.throws(() => decode([1]), (e: unknown) => e instanceof GatewayError && e.code === 'invalid_request');
});
