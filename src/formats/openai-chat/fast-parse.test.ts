import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fastParse } from './fast-parse.js';
import { chatRequestSchema } from './request-schema.js';
import { openaiChat } from './index.js';

const sys = { role: 'system', content: 'Be brief.' };
const user = { role: 'user', content: 'Hi' };
const base = { model: 'support-triage', messages: [sys, user] };

/** Bodies the fast path should take: the everyday shapes. */
const common: Array<Record<string, unknown>> = [
  base,
  { ...base, stream: true, stream_options: { include_usage: true } },
  { ...base, temperature: 0, top_p: 1, max_tokens: 64, seed: 7, user: 'u-1', stop: ['\n'] },
  { ...base, temperature: 2, max_completion_tokens: 1, stop: 'END', frequency_penalty: -2, presence_penalty: 2 },
  { ...base, temperature: null, max_tokens: null, stream: null, stream_options: null, user: null, stop: null, seed: null },
  { ...base, stream_options: {} },
  { model: 'r', messages: [{ role: 'developer', content: 'x', name: 'n' }, { role: 'assistant', content: '' }, { role: 'user', content: 'é 😀 "q"', name: null }] },
];

/** Bodies the fast path must leave to zod (valid but richer, or invalid). */
const others: unknown[] = [
  {},
  { model: 'r' },
  { messages: [user] },
  { ...base, model: '' },
  { ...base, model: 5 },
  { ...base, messages: [] },
  { ...base, messages: 'hi' },
  { ...base, messages: [{ role: 'user' }] },
  { ...base, messages: [{ content: 'x' }] },
  { ...base, messages: [{ role: 'bot', content: 'x' }] },
  { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }] },
  { ...base, messages: [{ role: 'user', content: 'x', extra: 1 }] },
  { ...base, messages: [{ role: 'user', content: null }] },
  { ...base, messages: [{ role: 'user', content: 'x', name: 5 }] },
  { ...base, messages: [{ role: 'tool', content: 'x', tool_call_id: 'c' }] },
  { ...base, messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] }] },
  { ...base, messages: [null] },
  { ...base, messages: [['user', 'x']] },
  { ...base, temperature: 2.5 },
  { ...base, temperature: -0.1 },
  { ...base, temperature: '1' },
  { ...base, top_p: 1.5 },
  { ...base, max_tokens: 0 },
  { ...base, max_tokens: 1.5 },
  { ...base, max_tokens: 1e300 },
  { ...base, max_completion_tokens: -1 },
  { ...base, seed: 0.5 },
  { ...base, seed: 2 ** 60 },
  { ...base, stream: 'yes' },
  { ...base, stream_options: { include_usage: 1 } },
  { ...base, stream_options: { include_usage: true, other: 1 } },
  { ...base, stream_options: [] },
  { ...base, stop: [1] },
  { ...base, stop: 5 },
  { ...base, user: 5 },
  { ...base, frequency_penalty: 3 },
  { ...base, n: 1 },
  { ...base, tools: [] },
  { ...base, metadata: { a: 'b' } },
  { ...base, response_format: { type: 'json_object' } },
  { ...base, reasoning_effort: 'low' },
  { ...base, some_extra: true },
  JSON.parse('{"model":"r","messages":[{"role":"user","content":"x"}],"__proto__":{"x":1}}') as unknown,
  Object.assign(Object.create({ inherited: 1 }) as object, base),
  [base],
  'body',
  null,
];

test('fastParse takes the everyday shapes, and returns exactly what zod returns for them', () => {
  for (const body of common) {
    const fast = fastParse(body);
    assert.ok(fast !== undefined, `fast path taken for ${JSON.stringify(body)}`);
    const z = chatRequestSchema.safeParse(body);
    assert.ok(z.success, `zod accepts ${JSON.stringify(body)}`);
    assert.deepEqual(fast, z.data);
  }
});

test('fastParse defers everything else to zod, and never accepts what zod rejects', () => {
  for (const body of others) {
    const fast = fastParse(body as Record<string, unknown>);
    assert.equal(fast, undefined, `deferred: ${JSON.stringify(body)}`);
  }
  // The converse, over every body above: a fast accept implies a zod accept with the same data.
  for (const body of [...common, ...others]) {
    const fast = fastParse(body as Record<string, unknown>);
    if (fast === undefined) continue;
    const z = chatRequestSchema.safeParse(body);
    assert.ok(z.success);
    assert.deepEqual(fast, z.data);
  }
});

test('decodeRequest gives the same canonical request on both paths', () => {
  for (const body of common) {
    const viaFast = openaiChat.decodeRequest(body);
    // An extra key sends the same body down the zod path; the extra lands in providerOptions only.
    const viaZod = openaiChat.decodeRequest({ ...body, some_extra: 1 });
    assert.deepEqual(viaZod.providerOptions, { 'openai-chat': { some_extra: 1 } });
    delete viaZod.providerOptions;
    assert.deepEqual(viaFast, viaZod);
  }
});

test('bad bodies still get zod’s error, naming the field', () => {
  assert.throws(() => openaiChat.decodeRequest({ ...base, temperature: 3 }), (e: Error & { param?: string }) => e.param === 'temperature');
  assert.throws(() => openaiChat.decodeRequest({ ...base, messages: [{ role: 'user' }] }), (e: Error & { param?: string }) => /messages/.test(e.param ?? ''));
});
