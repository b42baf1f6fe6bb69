import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CanonicalRequest, EgressTarget } from '../../spec/index.js';
import { anthropicMessages } from './index.js';

const target: EgressTarget = {
  deploymentId: 'dep-1',
  model: 'provider-model-x',
  baseUrl: 'https://api.example.com/v1',
  auth: 'x-api-key',
  apiKey: 'sk-test',
  quirks: {},
};

function build(req: Partial<CanonicalRequest>, t: Partial<EgressTarget> = {}) {
  const r = anthropicMessages.buildRequest({ model: 'route-a', stream: false, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], ...req }, { ...target, ...t });
  if (r instanceof Promise) throw new Error('buildRequest must be synchronous');
  return { ...r, json: JSON.parse(r.body as string) as Record<string, unknown> };
}

test('url, headers, model, default max_tokens', () => {
  const r = build({});
  assert.equal(r.method, 'POST');
  assert.equal(r.url, 'https://api.example.com/v1/messages');
  assert.deepEqual(r.headers, { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-api-key': 'sk-test' });
  assert.deepEqual(r.json, { model: 'provider-model-x', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }], max_tokens: 4096 });
  assert.deepEqual(r.warnings, []);
  assert.equal(build({}, { defaultMaxTokens: 1000 }).json.max_tokens, 1000);
  assert.equal(build({ maxTokens: 77 }, { defaultMaxTokens: 1000 }).json.max_tokens, 77);
});

test('bearer auth, header overrides (any case), query, streaming accept', () => {
  const r = build({ stream: true }, { auth: 'bearer', headers: { 'Anthropic-Version': '2024-01-01', 'anthropic-beta': 'b1' }, query: { 'api-version': '3' } });
  assert.equal(r.url, 'https://api.example.com/v1/messages?api-version=3');
  assert.deepEqual(r.headers, {
    'content-type': 'application/json',
    authorization: 'Bearer sk-test',
    'Anthropic-Version': '2024-01-01',
    'anthropic-beta': 'b1',
    accept: 'text/event-stream',
  });
  assert.equal(r.json.stream, true);
});

test('messages: system hoisted, tool results in a user turn first, same-role merge, thinking first with signature', () => {
  const r = build({
    messages: [
      { role: 'system', content: [{ type: 'text', text: 'sys', cacheControl: { type: 'ephemeral' } }] },
      { role: 'user', content: [{ type: 'text', text: 'weather in Paris and Rome?' }, { type: 'image', source: { kind: 'url', url: 'https://x/a.png' } }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'reasoning', text: 'two cities', signature: 'sig-1' },
          { type: 'reasoning', text: '', redacted: 'R' },
          { type: 'reasoning', text: 'foreign thoughts' },
          { type: 'tool-call', id: 'c1', name: 'weather', arguments: '{"city":"Paris"}' },
          { type: 'tool-call', id: 'c2', name: 'weather', arguments: 'not json' },
        ],
      },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', content: [{ type: 'text', text: 'sunny' }] }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c2', content: [], isError: true, cacheControl: { type: 'ephemeral' } }] },
      { role: 'user', content: [{ type: 'text', text: 'thanks' }, { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'AAAA' } }] },
      { role: 'system', content: [{ type: 'text', text: 'late system' }] },
    ],
  });
  assert.deepEqual(r.json.system, [
    { type: 'text', text: 'sys', cache_control: { type: 'ephemeral' } },
    { type: 'text', text: 'late system' },
  ]);
  assert.deepEqual(r.json.messages, [
    { role: 'user', content: [{ type: 'text', text: 'weather in Paris and Rome?' }, { type: 'image', source: { type: 'url', url: 'https://x/a.png' } }] },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'two cities', signature: 'sig-1' },
        { type: 'redacted_thinking', data: 'R' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'c1', name: 'weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'c2', name: 'weather', input: {} },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'c1', content: [{ type: 'text', text: 'sunny' }] },
        { type: 'tool_result', tool_use_id: 'c2', is_error: true, cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'thanks' },
        { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
      ],
    },
  ]);
  assert.equal(r.warnings.length, 3);
  assert.match(r.warnings.join('\n'), /reasoning without an Anthropic signature dropped/);
  assert.match(r.warnings.join('\n'), /c2 arguments are not a JSON object/);
  assert.match(r.warnings.join('\n'), /messages\.6: system message moved/);
});

test('tools, tool_choice mapping, parallel tool calls, stop, user', () => {
  const tools = [{ name: 'f', description: 'F', parameters: { type: 'object' }, cacheControl: { type: 'ephemeral' as const } }];
  const r = build({ tools, toolChoice: 'required', parallelToolCalls: false, stop: ['END'], user: 'u1' });
  assert.deepEqual(r.json.tools, [{ name: 'f', description: 'F', input_schema: { type: 'object' }, cache_control: { type: 'ephemeral' } }]);
  assert.deepEqual(r.json.tool_choice, { type: 'any', disable_parallel_tool_use: true });
  assert.deepEqual(r.json.stop_sequences, ['END']);
  assert.deepEqual(r.json.metadata, { user_id: 'u1' });
  assert.deepEqual(build({ tools, toolChoice: 'none' }).json.tool_choice, { type: 'none' });
  assert.deepEqual(build({ tools, toolChoice: 'auto' }).json.tool_choice, { type: 'auto' });
  assert.deepEqual(build({ tools, toolChoice: { type: 'tool', name: 'f' } }).json.tool_choice, { type: 'tool', name: 'f' });
  assert.deepEqual(build({ tools, parallelToolCalls: false }).json.tool_choice, { type: 'auto', disable_parallel_tool_use: true });
  assert.equal(build({ tools }).json.tool_choice, undefined);
  const noTools = build({ toolChoice: 'required' });
  assert.equal(noTools.json.tool_choice, undefined);
  assert.deepEqual(noTools.warnings, ['tool_choice dropped: the request has no tools']);
});

test('reasoning: budget and effort to thinking, max_tokens kept above the budget, sampling dropped', () => {
  const a = build({ reasoning: { budgetTokens: 2000 }, maxTokens: 8000, temperature: 0.5, topK: 5, topP: 0.9 });
  assert.deepEqual(a.json.thinking, { type: 'enabled', budget_tokens: 2000 });
  assert.equal(a.json.max_tokens, 8000);
  assert.equal(a.json.temperature, undefined);
  assert.equal(a.json.top_k, undefined);
  assert.equal(a.json.top_p, undefined);
  assert.equal(a.warnings.length, 3);
  assert.equal(build({ reasoning: { budgetTokens: 2000 }, topP: 0.97 }).json.top_p, 0.97);

  const effort = (e: 'low' | 'medium' | 'high') => (build({ reasoning: { effort: e } }).json.thinking as { budget_tokens: number }).budget_tokens;
  assert.deepEqual([effort('low'), effort('medium'), effort('high')], [1024, 4096, 16384]);
  // Defaulted max_tokens grows so that the answer has room after the thinking.
  assert.equal(build({ reasoning: { effort: 'high' } }).json.max_tokens, 16384 + 4096);
  // An explicit max_tokens is a cap: the budget shrinks below it ...
  const capped = build({ reasoning: { effort: 'high' }, maxTokens: 3000 });
  assert.deepEqual([capped.json.max_tokens, (capped.json.thinking as { budget_tokens: number }).budget_tokens], [3000, 2999]);
  // ... or thinking is dropped if the minimum budget does not fit.
  const tiny = build({ reasoning: { effort: 'low' }, maxTokens: 500 });
  assert.equal(tiny.json.thinking, undefined);
  assert.match(tiny.warnings[0]!, /reasoning dropped/);
  // Forced tool use and thinking are mutually exclusive upstream.
  const forced = build({ reasoning: { effort: 'low' }, tools: [{ name: 'f', parameters: {} }], toolChoice: 'required' });
  assert.equal(forced.json.thinking, undefined);
  assert.equal(build({ reasoning: { include: true } }).json.thinking, undefined);
  // A tool loop whose assistant turn came from another provider cannot continue with thinking.
  const history = (reasoning: Array<{ type: 'reasoning'; text: string; signature?: string }>) =>
    build({
      reasoning: { effort: 'low' },
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'q' }] },
        { role: 'assistant', content: [...reasoning, { type: 'tool-call', id: 'c1', name: 'f', arguments: '{}' }] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', content: [{ type: 'text', text: 'r' }] }] },
      ],
    });
  assert.equal(history([{ type: 'reasoning', text: 'unsigned' }]).json.thinking, undefined);
  assert.deepEqual(history([{ type: 'reasoning', text: 'signed', signature: 'S' }]).json.thinking, { type: 'enabled', budget_tokens: 1024 });
});

test('unsupported parameters are dropped with warnings; temperature clamped; anthropic providerOptions merged back', () => {
  const r = build({
    seed: 1,
    frequencyPenalty: 0.1,
    presencePenalty: 0.1,
    logprobs: true,
    n: 2,
    temperature: 1.6,
    responseFormat: { type: 'json_schema', name: 'x', schema: {} },
    metadata: { team: 'a' },
    tools: [{ name: 'f', parameters: {}, strict: true }],
    providerOptions: { 'anthropic-messages': { service_tier: 'auto' }, 'openai-chat': { store: true } },
  });
  for (const k of ['seed', 'frequency_penalty', 'presence_penalty', 'logprobs', 'n', 'response_format', 'metadata', 'store']) {
    assert.equal(r.json[k], undefined, k);
  }
  assert.equal(r.json.temperature, 1);
  assert.equal(r.json.service_tier, 'auto');
  assert.equal(r.warnings.length, 10, r.warnings.join('\n'));
  for (const w of ['seed', 'frequency_penalty', 'presence_penalty', 'logprobs', 'n=2', 'response_format json_schema', 'metadata.team', 'providerOptions.openai-chat', 'strict', 'temperature 1.6']) {
    assert.ok(r.warnings.some((x) => x.includes(w)), w);
  }
});

test('sigv4 is refused clearly', () => {
  assert.throws(() => build({}, { auth: 'sigv4' }), /sigv4 auth is not supported/);
});

test('a dropped legacy `functions` field is named in the warning, with what to use instead', () => {
  const r = build({ providerOptions: { 'openai-chat': { functions: [{ name: 'f', parameters: {} }], function_call: 'auto' } } });
  assert.deepEqual(r.warnings, [
    'providerOptions.openai-chat dropped: anthropic-messages cannot express functions (the legacy OpenAI functions API; use tools), function_call (the legacy OpenAI functions API; use tool_choice)',
  ]);
});
