import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fastParse } from './fast-parse.js';
import { chatRequestSchema } from './request-schema.js';
import { openaiChat } from './index.js';
import { mulberry32 } from '../../../testkit/prng.js';

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
});

// Mutations of the everyday shapes, one to three fields at a time, from values at and just past
// each field's bounds: the fast path may accept or defer, but whatever it accepts zod must accept
// with the same data. The counts below prove both branches were taken (the property was tested).
const FIELD_VALUES: Record<string, unknown[]> = {
  model: ['r', '', 5, null, 'x'.repeat(300)],
  temperature: [0, 1, 2, 2.0001, -0.1, null, '1', Number.NaN],
  top_p: [0, 1, 1.01, -1, null],
  max_tokens: [1, 64, 0, -1, 1.5, null, 2 ** 31, 1e300],
  max_completion_tokens: [1, 0, null, 'x'],
  seed: [0, 7, -5, 0.5, 2 ** 60, null],
  stream: [true, false, null, 'yes', 0],
  stream_options: [{}, { include_usage: true }, { include_usage: false }, { include_usage: 1 }, null, [], { other: 1 }],
  stop: ['END', ['a', 'b'], [], [1], 5, null],
  user: ['u', '', 5, null],
  frequency_penalty: [-2, 2, 2.5, null],
  presence_penalty: [-2, 0, -3, null],
  n: [1, 2],
  tools: [[]],
  some_extra: [true],
};
const MESSAGE_VARIANTS: unknown[] = [
  { role: 'user', content: 'x' },
  { role: 'user', content: '' },
  { role: 'assistant', content: 'x' },
  { role: 'developer', content: 'x', name: 'n' },
  { role: 'user', content: 'x', name: 5 },
  { role: 'user', content: null },
  { role: 'user' },
  { role: 'bot', content: 'x' },
  { role: 'user', content: [{ type: 'text', text: 'x' }] },
  { role: 'tool', content: 'x', tool_call_id: 'c' },
  null,
];

function mutations(count: number, seed: number): Array<Record<string, unknown>> {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const fields = Object.keys(FIELD_VALUES);
  return Array.from({ length: count }, () => {
    const body: Record<string, unknown> = { ...pick(common) };
    const edits = 1 + Math.floor(rnd() * 3);
    for (let i = 0; i < edits; i++) {
      if (rnd() < 0.25) body.messages = [...((body.messages as unknown[]) ?? []), pick(MESSAGE_VARIANTS)];
      else {
        const f = pick(fields);
        body[f] = pick(FIELD_VALUES[f]!);
      }
    }
    return body;
  });
}

test('over seeded mutations of the everyday shapes, a fast accept is always a zod accept with the same data', () => {
  let accepted = 0;
  let deferred = 0;
  let zodRejected = 0;
  for (const body of mutations(3000, 11)) {
    const z = chatRequestSchema.safeParse(body);
    if (!z.success) zodRejected++;
    const fast = fastParse(body);
    if (fast === undefined) {
      deferred++;
      continue;
    }
    accepted++;
    assert.ok(z.success, `fast path accepted what zod rejects: ${JSON.stringify(body)}`);
    assert.deepEqual(fast, z.data, `fast path and zod differ on ${JSON.stringify(body)}`);
  }
  // Both branches and invalid bodies must have been reached, or the property above proved nothing.
  assert.ok(accepted >= 100, `only ${accepted} mutations took the fast path`);
  assert.ok(deferred >= 100, `only ${deferred} mutations were deferred`);
  assert.ok(zodRejected >= 100, `only ${zodRejected} mutations were invalid`);
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
