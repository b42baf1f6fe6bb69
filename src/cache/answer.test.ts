import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CanonicalEvent, CanonicalResponse } from '../spec/canonical.js';
import { GatewayError } from '../spec/errors.js';
import { AnswerRecorder, answerBytes, answerEvents, type CachedAnswer } from './answer.js';

const streamed: CanonicalEvent[] = [
  { type: 'message-start', id: 'orig', model: 'm', created: 1 },
  { type: 'reasoning-delta', text: 'think ' },
  { type: 'reasoning-delta', text: 'hard', signature: 'sig' },
  { type: 'text-delta', text: 'Hel' },
  { type: 'text-delta', text: 'lo, ' },
  { type: 'text-delta', text: 'world' },
  { type: 'tool-call-start', index: 0, id: 'call_1', name: 'lookup' },
  { type: 'tool-call-delta', index: 0, argumentsDelta: '{"q":' },
  { type: 'tool-call-delta', index: 0, argumentsDelta: '"x"}' },
  { type: 'tool-call-start', index: 1, id: 'call_2', name: 'other' },
  { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
  { type: 'finish', reason: 'tool-calls', raw: 'tool_calls' },
  { type: 'usage', usage: { inputTokens: 10, outputTokens: 5 } },
];

function record(events: CanonicalEvent[]): ReturnType<AnswerRecorder['finish']> {
  const r = new AnswerRecorder();
  events.forEach((e) => r.push(e));
  return r.finish();
}

const asAnswer = (response: CanonicalResponse, textChunks?: number[]): CachedAnswer => ({
  response,
  ...(textChunks ? { textChunks } : {}),
  storedAt: 0,
  route: 'r',
  scope: 's',
  bytes: answerBytes(response, textChunks),
});

test('a recorded stream replays as the same events, chunked like the original, under a new id', () => {
  const got = record(streamed)!;
  assert.deepEqual(got.response.content, [
    { type: 'reasoning', text: 'think hard', signature: 'sig' },
    { type: 'text', text: 'Hello, world' },
    { type: 'tool-call', id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' },
    { type: 'tool-call', id: 'call_2', name: 'other', arguments: '{}' },
  ]);
  const replay = [...answerEvents(asAnswer(got.response, got.textChunks), 'new', 2)];
  assert.deepEqual(replay[0], { type: 'message-start', id: 'new', model: 'm', created: 2 });
  assert.deepEqual(replay.filter((e) => e.type === 'text-delta').map((e) => e.text), ['Hel', 'lo, ', 'world']);
  const args = replay.filter((e) => e.type === 'tool-call-delta');
  assert.equal(args.filter((e) => e.index === 0).map((e) => e.argumentsDelta).join(''), '{"q":"x"}');
  assert.deepEqual(replay.slice(-2), [{ type: 'finish', reason: 'tool-calls', raw: 'tool_calls' }, { type: 'usage', usage: { inputTokens: 10, outputTokens: 5 } }]);
  // Recording the replay gives the same answer back.
  assert.deepEqual(record(replay)!.response.content, got.response.content);
});

test('a non-streamed answer replays in word-sized chunks', () => {
  const response: CanonicalResponse = { id: 'x', model: 'm', created: 1, content: [{ type: 'text', text: 'One two  three.\n' }], finishReason: 'stop' };
  const texts = [...answerEvents(asAnswer(response), 'y', 1)].filter((e) => e.type === 'text-delta').map((e) => e.text);
  assert.deepEqual(texts, ['One', ' two', '  three.', '\n']);
  assert.equal(texts.join(''), 'One two  three.\n');
});

test('a stream that failed or never finished is not an answer', () => {
  assert.equal(record(streamed.slice(0, 6)), undefined, 'no finish');
  assert.equal(record([...streamed.slice(0, 6), { type: 'error', error: new GatewayError('stream_interrupted', 'gone') }, ...streamed.slice(6)]), undefined);
  assert.equal(record([streamed[0]!, { type: 'finish', reason: 'error' }]), undefined);
});

test('answerBytes grows with the content', () => {
  const small: CanonicalResponse = { id: 'x', model: 'm', created: 1, content: [{ type: 'text', text: 'a' }], finishReason: 'stop' };
  const big: CanonicalResponse = { ...small, content: [{ type: 'text', text: 'a'.repeat(1000) }] };
  assert.ok(answerBytes(big) >= answerBytes(small) + 1998);
});
