// Issue 15 §5: a stream that is valid SSE (or eventstream) of valid JSON, but not the protocol's
// schema, is an upstream_protocol error, on every egress format, and it starts no message (so
// the attempt loop can still fall back before the client sees a byte).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CanonicalEvent } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import { anthropicMessages, bedrockConverse, gemini, openaiChat } from '../index.js';
import { chunksOf, collect } from '../../../testkit/format-helpers/stream.js';
import { concatBytes, eventFrame } from '../../../testkit/format-helpers/bedrock-converse.js';

const WRONG = [{ foo: 1 }, { data: { text: 'hello' } }, { message: 'hi', done: true }];
const ctx = { model: 'm' };

function sse(events: unknown[], done = false): string {
  return events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join('') + (done ? 'data: [DONE]\n\n' : '');
}

function verdict(events: CanonicalEvent[]): void {
  assert.ok(!events.some((e) => e.type === 'message-start'), `no message may start: ${JSON.stringify(events)}`);
  assert.ok(!events.some((e) => e.type === 'finish'), 'and none may finish');
  const last = events.at(-1);
  assert.equal(last?.type, 'error');
  const err = (last as { error: GatewayError }).error;
  assert.equal(err.code, 'upstream_protocol');
  assert.equal(err.retryable, true, 'before the first byte, another deployment may answer');
}

test('openai-chat: JSON chunks of another shape, even ended by [DONE], are upstream_protocol', async () => {
  verdict(await collect(openaiChat.parseStream(chunksOf(sse(WRONG, true)), ctx)));
  verdict(await collect(openaiChat.parseStream(chunksOf(sse(WRONG)), ctx)));
});

test('openai-chat: chunks with choices but nothing recognisable in them, then [DONE]: upstream_protocol', async () => {
  const evs = await collect(openaiChat.parseStream(chunksOf(sse([{ id: 'c', choices: [{ index: 0, foo: 'bar' }] }, { id: 'c', choices: [{ index: 0, delta: { text: 'x' } }] }], true)), ctx));
  const last = evs.at(-1) as { type: string; error?: GatewayError };
  assert.equal(last.type, 'error');
  assert.equal(last.error?.code, 'upstream_protocol');
});

test('openai-chat: a real empty answer (finish_reason, no text) is still a success', async () => {
  const evs = await collect(openaiChat.parseStream(chunksOf(sse([{ id: 'c', choices: [{ index: 0, delta: { role: 'assistant' }, finish_reason: 'stop' }] }], true)), ctx));
  assert.deepEqual(evs.map((e) => e.type), ['message-start', 'finish']);
});

test('anthropic-messages: events of another shape are upstream_protocol', async () => {
  verdict(await collect(anthropicMessages.parseStream(chunksOf(sse(WRONG)), ctx)));
  // Typed like Anthropic's events but empty inside: a message_start and a message_stop only.
  const hollow = await collect(anthropicMessages.parseStream(chunksOf(sse([{ type: 'message_start' }, { type: 'content_block_delta', delta: { kind: 'x' } }, { type: 'message_stop' }])), ctx));
  const last = hollow.at(-1) as { type: string; error?: GatewayError };
  assert.equal(last.type, 'error');
  assert.equal(last.error?.code, 'upstream_protocol');
  assert.ok(!hollow.some((e) => e.type === 'finish'));
});

test('gemini: chunks of another shape are upstream_protocol', async () => {
  verdict(await collect(gemini.parseStream(chunksOf(sse(WRONG)), ctx)));
});

test('bedrock-converse: events of types ConverseStream does not have are upstream_protocol', async () => {
  const body = concatBytes([eventFrame('hello', { foo: 1 }), eventFrame('chunk', { bytes: 'eA==' })]);
  verdict(await collect(bedrockConverse.parseStream(chunksOf(body), ctx)));
});
