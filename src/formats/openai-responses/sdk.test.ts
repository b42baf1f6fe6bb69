// Our encoded streams read by the official openai SDK (no network: a fetch that returns the
// bytes), and our event shapes compared with a real captured Responses stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APIError } from 'openai';
import { readChunks, SKIP_NO_FIXTURES } from '../../../testkit/fixtures.js';
import type { CanonicalEvent } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import { openaiClientServing } from '../../../testkit/format-helpers/sdk.js';
import { frames, sse } from '../../../testkit/format-helpers/openai-responses.js';

async function finalResponse(list: CanonicalEvent[]) {
  const stream = openaiClientServing(await sse(list)).responses.stream({ model: 'route-a', input: 'hi' });
  return stream.finalResponse();
}

test('openai SDK responses.stream() assembles reasoning, text and two tool calls from our events', async () => {
  const final = await finalResponse([
    { type: 'message-start', id: 'm', model: 'model-a', created: 1 },
    { type: 'reasoning-delta', text: 'hmm' },
    { type: 'text-delta', text: 'Hel' },
    { type: 'text-delta', text: 'lo' },
    { type: 'tool-call-start', index: 0, id: 'call_1', name: 'f' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{"a":' },
    { type: 'tool-call-start', index: 1, id: 'call_2', name: 'g' },
    { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '1}' },
    { type: 'finish', reason: 'tool-calls' },
    { type: 'usage', usage: { inputTokens: 3, outputTokens: 4, cacheReadTokens: 1 } },
  ]);
  assert.equal(final.output_text, 'Hello');
  assert.equal(final.status, 'completed');
  const reasoning = final.output.find((o) => o.type === 'reasoning');
  assert.deepEqual(reasoning?.type === 'reasoning' ? reasoning.summary : undefined, [{ type: 'summary_text', text: 'hmm' }]);
  assert.deepEqual(
    final.output.flatMap((o) => (o.type === 'function_call' ? [[o.call_id, o.name, o.arguments]] : [])),
    [['call_1', 'f', '{"a":1}'], ['call_2', 'g', '{}']],
  );
  assert.equal(final.usage?.input_tokens_details.cached_tokens, 1);
});

test('openai SDK raises an APIError for our mid-stream error event', async () => {
  const body = await sse([
    { type: 'text-delta', text: 'partial' },
    { type: 'error', error: new GatewayError('rate_limited', 'slow down', { upstream: { status: 429, type: 'rate_limit_exceeded' } }) },
  ]);
  const stream = openaiClientServing(body).responses.stream({ model: 'route-a', input: 'hi' });
  await assert.rejects(stream.finalResponse(), (e: unknown) => {
    assert.ok(e instanceof APIError, String(e));
    assert.match(e.message, /slow down/);
    assert.equal(e.code, 'rate_limit_exceeded');
    return true;
  });
});

/** Every key path of `ours` exists in `real` (values ignored): we invent no fields. */
function keysWithin(ours: unknown, real: unknown, path = ''): string[] {
  if (typeof ours !== 'object' || ours === null || Array.isArray(ours)) return [];
  if (typeof real !== 'object' || real === null) return [path || '(root)'];
  const missing: string[] = [];
  for (const [k, v] of Object.entries(ours)) {
    const p = path ? `${path}.${k}` : k;
    if (!(k in real)) missing.push(p);
    else missing.push(...keysWithin(v, (real as Record<string, unknown>)[k], p));
  }
  return missing;
}

test('captured real stream: our created / error / response.failed events use the real shapes', { skip: SKIP_NO_FIXTURES }, async () => {
  const real = readChunks('openai/responses-error.stream.chunks.txt') as Array<Record<string, unknown>>;
  const realOf = (type: string) => real.find((e) => e.type === type)!;
  const err = new GatewayError('insufficient_quota', 'You exceeded your current quota.', { upstream: { status: 429, type: 'insufficient_quota' } });
  const ours = frames(await sse([{ type: 'error', error: err }]));
  assert.deepEqual(ours.map(([e]) => e), real.map((e) => e.type), 'same event sequence as the real failed stream');
  for (const [type, data] of ours) {
    assert.deepEqual(keysWithin(data, realOf(type)), [], `${type}: fields the real API does not send`);
  }
  const ourError = ours.find(([e]) => e === 'error')![1];
  assert.deepEqual(Object.keys(ourError.error as object).sort(), Object.keys(realOf('error').error as object).sort());
  assert.deepEqual(ourError.error, { message: 'You exceeded your current quota.', type: 'insufficient_quota', param: null, code: 'insufficient_quota' });
  const failed = ours.find(([e]) => e === 'response.failed')![1].response as Record<string, unknown>;
  assert.deepEqual(Object.keys(failed.error as object).sort(), ['code', 'message']);
});

test('captured real error stream read by the SDK throws like ours does (control)', { skip: SKIP_NO_FIXTURES }, async () => {
  const body = readChunks('openai/responses-error.stream.chunks.txt')
    .map((p) => `event: ${(p as { type: string }).type}\ndata: ${JSON.stringify(p)}\n\n`)
    .join('');
  const stream = openaiClientServing(body).responses.stream({ model: 'route-a', input: 'hi' });
  await assert.rejects(stream.finalResponse(), (e: unknown) => e instanceof APIError && e.code === 'insufficient_quota');
});
