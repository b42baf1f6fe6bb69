import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CanonicalRequest } from '../spec/canonical.js';
import { canonicalRequestText, exactKey, scopeOfKey, stableStringify } from './exact-key.js';

const base = (): CanonicalRequest => ({
  model: 'support',
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
    { role: 'user', content: [{ type: 'text', text: 'How do I reset my password?' }] },
  ],
  temperature: 0,
  stream: false,
});
const key = (r: CanonicalRequest, scope = 'key:a', route = 'support'): string => exactKey(scope, route, r);

test('stableStringify sorts keys and drops undefined', () => {
  assert.equal(stableStringify({ b: 1, a: [1, { d: undefined, c: 'x' }] }), '{"a":[1,{"c":"x"}],"b":1}');
  assert.equal(stableStringify({ a: 1, b: 2 }), stableStringify({ b: 2, a: 1 }));
});

test('fields that cannot change the answer do not change the key', () => {
  const k = key(base());
  const variants: Array<(r: CanonicalRequest) => void> = [
    (r) => (r.stream = true),
    (r) => (r.includeUsage = true),
    (r) => (r.user = 'someone'),
    (r) => (r.metadata = { trace: '1' }),
    (r) => ((r.messages[1]!.content[0] as { cacheControl?: unknown }).cacheControl = { type: 'ephemeral' }),
  ];
  for (const v of variants) {
    const r = base();
    v(r);
    assert.equal(key(r), k, v.toString());
  }
});

test('every field that can change the answer changes the key', () => {
  const k = key(base());
  const variants: Array<(r: CanonicalRequest) => void> = [
    (r) => ((r.messages[1]!.content[0] as { text: string }).text = 'How do I reset my password'),
    (r) => (r.messages[0]!.content = [{ type: 'text', text: 'Be long.' }]),
    (r) => r.messages.push({ role: 'assistant', content: [{ type: 'text', text: 'ok' }] }),
    (r) => (r.messages[1]!.name = 'alice'),
    (r) => (r.tools = [{ name: 'lookup', parameters: { type: 'object' } }]),
    (r) => (r.toolChoice = 'required'),
    (r) => (r.parallelToolCalls = false),
    (r) => (r.responseFormat = { type: 'json_object' }),
    (r) => (r.maxTokens = 10),
    (r) => (r.temperature = 0.5),
    (r) => (r.topP = 0.9),
    (r) => (r.topK = 5),
    (r) => (r.stop = ['\n']),
    (r) => (r.seed = 7),
    (r) => (r.frequencyPenalty = 0.1),
    (r) => (r.presencePenalty = 0.1),
    (r) => (r.n = 2),
    (r) => (r.logprobs = true),
    (r) => (r.reasoning = { effort: 'high' }),
    (r) => (r.providerOptions = { 'anthropic-messages': { thinking: { type: 'enabled' } } }),
    (r) => (r.messages[1]!.content = [{ type: 'image', source: { kind: 'url', url: 'https://example.com/a.png' } }]),
  ];
  const seen = new Set([k]);
  for (const v of variants) {
    const r = base();
    v(r);
    const k2 = key(r);
    assert.ok(!seen.has(k2), `not distinguished: ${v.toString()}`);
    seen.add(k2);
  }
});

test('the route and the scope are part of the key; the scope is readable back', () => {
  assert.notEqual(key(base(), 'key:a'), key(base(), 'key:b'));
  assert.notEqual(key(base(), 'key:a', 'support'), key(base(), 'key:a', 'other'));
  assert.equal(scopeOfKey(key(base(), 'team:red')), 'team:red');
});

test('tool schema key order does not matter, tool order does', () => {
  const a = base();
  a.tools = [{ name: 't', parameters: { type: 'object', properties: { x: { type: 'string' } } } }];
  const b = base();
  b.tools = [{ name: 't', parameters: { properties: { x: { type: 'string' } }, type: 'object' } }];
  assert.equal(canonicalRequestText('r', a), canonicalRequestText('r', b));
  const c = base();
  c.tools = [{ name: 'u', parameters: {} }, { name: 't', parameters: {} }];
  const d = base();
  d.tools = [{ name: 't', parameters: {} }, { name: 'u', parameters: {} }];
  assert.notEqual(key(c), key(d));
});

test('the fast canonical text is byte for byte the stable JSON of the request (keys of persisted entries do not change)', async () => {
  const { messagesForKey, optionsForKey } = await import('./exact-key.js');
  const reference = (route: string, r: CanonicalRequest): string => stableStringify({ route, messages: messagesForKey(r.messages), options: optionsForKey(r) });
  const requests: CanonicalRequest[] = [
    base(),
    { model: 'support', messages: base().messages, stream: false, maxTokens: 10, stop: ['\n', 'END'], seed: 7, topP: 0.5, n: 2, logprobs: true, topLogprobs: 3 },
    {
      ...base(),
      tools: [{ name: 'lookup', description: 'Find "orders"', parameters: { type: 'object', properties: { z: { type: 'string' }, a: { type: 'number' } } }, strict: true }],
      toolChoice: { type: 'tool', name: 'lookup' },
      responseFormat: { type: 'json_schema', name: 's', schema: { b: 1, a: 2 } },
      providerOptions: { zeta: { y: 1, x: [2, { k: 'v' }] } },
      messages: [
        { role: 'user', name: 'ann', content: [{ type: 'text', text: 'quote " and \\ and é and \u2028' }, { type: 'image', source: { type: 'url', url: 'https://x/y.png' }, detail: 'high' }] },
        { role: 'assistant', content: [{ type: 'tool-call', id: 'c1', name: 'lookup', arguments: '{"q":1}' }] },
        { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', name: 'lookup', content: [{ type: 'text', text: 'found' }], isError: false }] },
      ],
    } as CanonicalRequest,
  ];
  for (const r of requests) assert.equal(canonicalRequestText('route "x"', r), reference('route "x"', r));
});
