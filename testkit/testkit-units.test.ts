// Unit tests of the simulator's pure parts, on small hand-written data (no captures needed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { embed, fromBase64, toBase64 } from './embeddings.js';
import { FaultSyntaxError, FaultTable, parseFaultHeader } from './faults.js';
import { plan, splitEven, synthArgs, wordChunks } from './generate.js';
import { decodeEvents, encodeEvent } from './providers/bedrock.js';
import { directivePath, splitEventStream, splitSseEvents } from './replay.js';
import type { GenInput } from './types.js';

const input = (over: Partial<GenInput> = {}): GenInput => ({
  prompt: 'What is the capital of France?',
  lastIsToolResult: false,
  tools: [],
  toolChoiceNone: false,
  reasoning: false,
  inputChars: 30,
  ...over,
});

test('wordChunks keeps leading spaces and concatenates back', () => {
  assert.deepEqual(wordChunks('Hello big  world '), ['Hello', ' big', '  world', ' ']);
  assert.equal(wordChunks('a\nb c').join(''), 'a\nb c');
  assert.deepEqual(wordChunks(''), []);
});

test('splitEven splits into about n pieces', () => {
  assert.deepEqual(splitEven('{"a":"bc"}', 4), ['{"a', '":"', 'bc"', '}']);
  assert.deepEqual(splitEven('{}', 4), ['{', '}']);
});

test('synthArgs fills required properties only, by type', () => {
  const schema = {
    type: 'object',
    properties: {
      city: { type: 'string' },
      n: { type: 'number' },
      unit: { enum: ['c', 'f'] },
      opt: { type: 'string' },
      nested: { type: 'object', properties: { flag: { type: ['boolean', 'null'] } }, required: ['flag'] },
      list: { type: 'array' },
    },
    required: ['city', 'n', 'unit', 'nested', 'list'],
  };
  assert.deepEqual(synthArgs(schema), { city: 'simulated-city', n: 1, unit: 'c', nested: { flag: true }, list: [] });
  assert.deepEqual(synthArgs(undefined), {});
});

test('plan: text, tool call, tool result, tool_choice none, truncation, reasoning', () => {
  const text = plan(input());
  assert.equal(text.text, 'Simulated reply to: What is the capital of France?');
  assert.equal(text.finish, 'stop');
  assert.equal(text.inputTokens, 8);
  assert.equal(text.outputTokens, Math.ceil(text.text.length / 4));

  const tools = [{ name: 'lookup', schema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] } }];
  const call = plan(input({ tools }));
  assert.equal(call.finish, 'tool');
  assert.equal(call.tool!.args, '{"q":"simulated-q"}');
  assert.equal(call.tool!.argChunks.join(''), call.tool!.args);

  assert.equal(plan(input({ tools, lastIsToolResult: true })).finish, 'stop');
  assert.equal(plan(input({ tools, toolChoiceNone: true })).finish, 'stop');

  const cut = plan(input({ maxTokens: 2 }));
  assert.deepEqual([cut.text, cut.finish, cut.outputTokens], ['Simulate', 'length', 2]);

  const r = plan(input({ reasoning: true }));
  assert.ok(r.reasoning.length > 0 && r.reasoningTokens > 0);
  assert.equal(r.outputTokens, r.reasoningTokens + Math.ceil(r.text.length / 4));

  assert.equal(plan(input({ replyWords: 50 })).textChunks.length, 50);
});

test('embeddings: deterministic unit vectors; shared words are close, word order barely matters', () => {
  const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
  const a = embed('convert a list to a set', 64);
  assert.deepEqual(a, embed('convert a list to a set', 64));
  assert.ok(Math.abs(cos(a, a) - 1) < 1e-5);
  assert.ok(cos(a, embed('convert a set to a list', 64)) > 0.99);
  assert.ok(cos(a, embed('the weather in Lisbon tomorrow', 64)) < 0.6);
  assert.notDeepEqual(a, embed('convert a set to a list', 64));
  const back = fromBase64(toBase64(a));
  assert.deepEqual(back, a, 'values are float32 already, base64 round-trips exactly');
});

test('parseFaultHeader reads every key and rejects nonsense', () => {
  assert.deepEqual(parseFaultHeader('status=529, retryAfter=3'), { status: 529, retryAfter: 3 });
  assert.deepEqual(parseFaultHeader('latency=200,firstByte=10,tokenDelay=5'), { latencyMs: 200, firstByteMs: 10, tokenDelayMs: 5 });
  assert.deepEqual(parseFaultHeader('reset'), { reset: true });
  assert.deepEqual(parseFaultHeader('hang'), { hang: true });
  assert.deepEqual(parseFaultHeader('cut=3,rate=0.5'), { cutAfterChunks: 3, rate: 0.5 });
  assert.deepEqual(parseFaultHeader('status=429,fixture=openai/error-429-insufficient-quota.json').fixture, 'openai/error-429-insufficient-quota.json');
  assert.throws(() => parseFaultHeader('status=abc'), FaultSyntaxError);
  assert.throws(() => parseFaultHeader('boom'), FaultSyntaxError);
  assert.throws(() => parseFaultHeader('status=500,fixture=../../etc/passwd'), FaultSyntaxError);
});

test('FaultTable: header wins, longest scope wins, rate sequence repeats after set()', () => {
  const t = new FaultTable(5);
  t.set('/anthropic', { status: 529 });
  t.set('/anthropic/v1/messages/count_tokens', { status: 500 });
  t.set('*', { latencyMs: 1 });
  assert.equal(t.select('/anthropic/v1/messages', undefined)!.status, 529);
  assert.equal(t.select('/anthropic/v1/messages/count_tokens', undefined)!.status, 500);
  assert.equal(t.select('/anthropic-x/v1/messages', undefined)!.latencyMs, 1);
  assert.equal(t.select('/anthropic/v1/messages', { status: 418 })!.status, 418);

  const draw = () => Array.from({ length: 32 }, () => t.select('/openai/v1/chat/completions', undefined) !== undefined);
  t.set('/openai', { status: 500, rate: 0.3 });
  const first = draw();
  t.set('/openai', { status: 500, rate: 0.3 });
  assert.deepEqual(draw(), first);
  const hits = first.filter(Boolean).length;
  assert.ok(hits > 3 && hits < 20, `about 30% hit: ${hits}/32`);
});

test('splitSseEvents cuts after blank lines (LF and CRLF) and concatenates back', () => {
  const lf = Buffer.from('event: a\ndata: 1\n\ndata: 2\n\n');
  assert.deepEqual(splitSseEvents(lf).map(String), ['event: a\ndata: 1\n\n', 'data: 2\n\n']);
  const crlf = Buffer.from('data: {"x": 1}\r\n\r\ndata: {"x": 2}\r\n\r\n');
  assert.deepEqual(splitSseEvents(crlf).map(String), ['data: {"x": 1}\r\n\r\n', 'data: {"x": 2}\r\n\r\n']);
  const trailing = Buffer.from('data: 1\n\ndata: 2');
  assert.equal(Buffer.concat(splitSseEvents(trailing)).toString(), 'data: 1\n\ndata: 2');
});

test('eventstream: encode, split by length prefix, decode', () => {
  const bytes = Buffer.concat([encodeEvent('messageStart', { p: 'abc', role: 'assistant' }), encodeEvent('messageStop', { p: 'a', stopReason: 'end_turn' })]);
  assert.equal(splitEventStream(bytes).length, 2);
  assert.deepEqual(decodeEvents(bytes), [
    { type: 'messageStart', payload: { p: 'abc', role: 'assistant' } },
    { type: 'messageStop', payload: { p: 'a', stopReason: 'end_turn' } },
  ]);
});

test('directivePath', () => {
  assert.equal(directivePath('fixture:anthropic/messages-text.json'), 'anthropic/messages-text.json');
  assert.equal(directivePath('  fixture:openai/chat-text.json please'), 'openai/chat-text.json');
  assert.equal(directivePath('no fixture:here'), undefined);
  assert.equal(directivePath(undefined), undefined);
});
