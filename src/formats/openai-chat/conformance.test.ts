// Replays every OpenAI-compatible capture in ../shared/fixtures/upstream through the egress
// parsers and checks the canonical result against values read off the captures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readChunks, readFixture, readFixtureJson, readFixtureText, SKIP_NO_FIXTURES } from '../../../testkit/fixtures.js';
import type { CanonicalEvent, Usage } from '../../spec/canonical.js';
import { openaiChat } from './index.js';
import { assemble, assertWellFormed, bytes, collect, replayChunks, replaySse } from '../../../testkit/format-helpers/openai-chat.js';

const skip = SKIP_NO_FIXTURES;
const meta200 = { status: 200, headers: {} };

type Chunk = { choices?: Array<{ delta?: { content?: string | null; reasoning_content?: string | null } }> };

/** The oracle: plain concatenation over the raw captured payloads. */
function concat(chunks: unknown[], field: 'content' | 'reasoning_content'): string {
  return (chunks as Chunk[]).map((c) => c.choices?.[0]?.delta?.[field] ?? '').join('');
}

const STREAMS: Array<{
  name: string;
  load: () => Promise<CanonicalEvent[]>;
  raw: () => unknown[] | undefined;
  model: string;
  finish: string;
  usage: Usage;
  reasoningPrefix?: string;
  textLiteral?: string;
  tool?: { id: string; name: string; args: unknown };
}> = [
  {
    name: 'openai/chat-text.stream.chunks.txt',
    load: () => replayChunks('openai/chat-text.stream.chunks.txt'),
    raw: () => readChunks('openai/chat-text.stream.chunks.txt'),
    model: 'gpt-4.1-nano-2025-04-14',
    finish: 'stop',
    usage: { inputTokens: 16, outputTokens: 300, totalTokens: 316, cacheReadTokens: 0, reasoningTokens: 0 },
  },
  {
    name: 'openai/chat-tool-call.stream.sse',
    load: () => replaySse('openai/chat-tool-call.stream.sse'),
    raw: () => undefined,
    model: 'gpt-4o-mini-2024-07-18',
    finish: 'tool_calls',
    usage: { inputTokens: 53, outputTokens: 15, totalTokens: 68, cacheReadTokens: 0, reasoningTokens: 0 },
    textLiteral: '',
    tool: { id: 'call_ZR5UUuTt3pf61kjwAJIYdVMj', name: 'get_capital', args: { country: 'UK' } },
  },
  {
    name: 'deepseek/chat-reasoning.stream.chunks.txt',
    load: () => replayChunks('deepseek/chat-reasoning.stream.chunks.txt'),
    raw: () => readChunks('deepseek/chat-reasoning.stream.chunks.txt'),
    model: 'deepseek-reasoner',
    finish: 'stop',
    usage: { inputTokens: 18, outputTokens: 219, totalTokens: 237, cacheReadTokens: 0, reasoningTokens: 205 },
    textLiteral: 'The word "strawberry" contains three "r"s.',
    reasoningPrefix: 'We need to count',
  },
  {
    name: 'deepseek/chat-reasoning.stream.sse',
    load: () => replaySse('deepseek/chat-reasoning.stream.sse'),
    raw: () =>
      readFixtureText('deepseek/chat-reasoning.stream.sse')
        .split('\n')
        .filter((l) => l.startsWith('data: {'))
        .map((l) => JSON.parse(l.slice(6))),
    model: 'deepseek-reasoner',
    finish: 'stop',
    usage: { inputTokens: 6, outputTokens: 212, totalTokens: 218, cacheReadTokens: 0, reasoningTokens: 198 },
    reasoningPrefix: 'Hmm,',
  },
  {
    name: 'deepseek/chat-reasoning-tool-call.stream.chunks.txt',
    load: () => replayChunks('deepseek/chat-reasoning-tool-call.stream.chunks.txt'),
    raw: () => readChunks('deepseek/chat-reasoning-tool-call.stream.chunks.txt'),
    model: 'deepseek-reasoner',
    finish: 'tool_calls',
    usage: { inputTokens: 339, outputTokens: 83, totalTokens: 422, cacheReadTokens: 320, reasoningTokens: 39 },
    textLiteral: '',
    reasoningPrefix: 'The user is asking for the weather in Sa',
    tool: { id: 'call_00_ioIn7yN9p1ZOMNpDLwd4MgAF', name: 'weather', args: { location: 'San Francisco' } },
  },
  {
    name: 'qwen/chat-reasoning.stream.chunks.txt',
    load: () => replayChunks('qwen/chat-reasoning.stream.chunks.txt'),
    raw: () => readChunks('qwen/chat-reasoning.stream.chunks.txt'),
    model: 'qwen3-max',
    finish: 'stop',
    usage: { inputTokens: 24, outputTokens: 1355, totalTokens: 1379, cacheReadTokens: 0, reasoningTokens: 1084 },
    reasoningPrefix: `We are asked: "How many 'r's are in the`,
  },
  {
    name: 'qwen/chat-tool-call.stream.chunks.txt',
    load: () => replayChunks('qwen/chat-tool-call.stream.chunks.txt'),
    raw: () => readChunks('qwen/chat-tool-call.stream.chunks.txt'),
    model: 'qwen3-max',
    finish: 'tool_calls',
    usage: { inputTokens: 295, outputTokens: 22, totalTokens: 317, cacheReadTokens: 0 },
    textLiteral: '',
    tool: { id: 'call_eee11723464a4b9eb8cee71d', name: 'weather', args: { location: 'San Francisco' } },
  },
  {
    name: 'mistral/chat-text.stream.chunks.txt',
    load: () => replayChunks('mistral/chat-text.stream.chunks.txt'),
    raw: () => readChunks('mistral/chat-text.stream.chunks.txt'),
    model: 'mistral-small-latest',
    finish: 'stop',
    usage: { inputTokens: 13, outputTokens: 8, totalTokens: 21 },
    textLiteral: 'Hello, world! This is a test response.',
  },
  {
    name: 'mistral/chat-tool-call.stream.chunks.txt',
    load: () => replayChunks('mistral/chat-tool-call.stream.chunks.txt'),
    raw: () => readChunks('mistral/chat-tool-call.stream.chunks.txt'),
    model: 'mistral-small-latest',
    finish: 'tool_calls',
    usage: { inputTokens: 124, outputTokens: 22, totalTokens: 146 },
    textLiteral: '',
    tool: { id: 'gSIMJiOkT', name: 'weather', args: { location: 'San Francisco' } },
  },
];

for (const s of STREAMS) {
  test(`parseStream replays ${s.name}`, { skip }, async () => {
    const evs = await s.load();
    assertWellFormed(evs);
    const a = assemble(evs);
    assert.equal(a.model, s.model);
    assert.deepEqual(a.errors, []);
    assert.equal(a.finish?.raw, s.finish);
    assert.equal(a.finish?.reason, s.finish === 'stop' ? 'stop' : 'tool-calls');
    assert.deepEqual(a.usage?.usage, s.usage);
    const raw = s.raw();
    if (raw) {
      assert.equal(a.text, concat(raw, 'content'));
      assert.equal(a.reasoning, concat(raw, 'reasoning_content'));
    }
    if (s.textLiteral !== undefined) assert.equal(a.text, s.textLiteral);
    else assert.ok(a.text.length > 20, 'has answer text');
    if (s.reasoningPrefix) assert.ok(a.reasoning.startsWith(s.reasoningPrefix), a.reasoning.slice(0, 60));
    else assert.equal(a.reasoning, '');
    if (s.tool) {
      assert.equal(a.toolCalls.length, 1);
      assert.equal(a.toolCalls[0]!.id, s.tool.id);
      assert.equal(a.toolCalls[0]!.name, s.tool.name);
      assert.deepEqual(JSON.parse(a.toolCalls[0]!.arguments), s.tool.args);
    } else assert.equal(a.toolCalls.length, 0);
  });
}

test('the DeepSeek SSE capture has exactly the captured text', { skip }, async () => {
  const a = assemble(await replaySse('deepseek/chat-reasoning.stream.sse'));
  assert.ok(a.text.endsWith(' you today?'), a.text);
});

test('a capture fed one byte at a time parses identically', { skip }, async () => {
  const all = new Uint8Array(readFixture('openai/chat-tool-call.stream.sse'));
  async function* oneByte() {
    for (let i = 0; i < all.length; i++) yield all.subarray(i, i + 1);
  }
  const split = await collect(openaiChat.parseStream(oneByte(), { model: 'x' }));
  assert.deepEqual(split, await replaySse('openai/chat-tool-call.stream.sse'));
});

test('a capture cut before its finish chunk ends in stream_interrupted', { skip }, async () => {
  const lines = readChunks('qwen/chat-tool-call.stream.chunks.txt').slice(0, 3);
  const sse = lines.map((l) => `data: ${JSON.stringify(l)}\n\n`).join('');
  const evs = await collect(openaiChat.parseStream(bytes(sse), { model: 'x' }));
  const last = evs.at(-1);
  assert.equal(last?.type, 'error');
  assert.equal(last?.type === 'error' && last.error.code, 'stream_interrupted');
});

// ---------------------------------------------------------------- non-streaming bodies

test('parseResponse: openai/chat-text.json', { skip }, () => {
  const json = readFixtureJson('openai/chat-text.json') as { choices: Array<{ message: { content: string } }> };
  const r = openaiChat.parseResponse(json, meta200);
  assert.equal(r.id, 'chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU');
  assert.equal(r.model, 'gpt-4.1-nano-2025-04-14');
  assert.equal(r.created, 1770933883);
  assert.deepEqual(r.content, [{ type: 'text', text: json.choices[0]!.message.content }]);
  assert.equal(r.finishReason, 'stop');
  assert.equal(r.usage?.inputTokens, (json as unknown as { usage: { prompt_tokens: number } }).usage.prompt_tokens);
});

test('parseResponse: openai/chat-tool-call.json', { skip }, () => {
  const r = openaiChat.parseResponse(readFixtureJson('openai/chat-tool-call.json'), meta200);
  assert.deepEqual(r.content, [{ type: 'tool-call', id: 'call_SkEQ3ZGSJC8m6AvaIGNuuKdm', name: 'get_capital', arguments: '{"country":"England"}' }]);
  assert.equal(r.finishReason, 'tool-calls');
  assert.equal(r.rawFinishReason, 'tool_calls');
  assert.deepEqual(r.usage, { inputTokens: 104, outputTokens: 16, totalTokens: 120, cacheReadTokens: 0, reasoningTokens: 0 });
});

test('parseResponse: deepseek/chat-reasoning.json keeps reasoning_content and cache fields', { skip }, () => {
  const r = openaiChat.parseResponse(readFixtureJson('deepseek/chat-reasoning.json'), meta200);
  assert.equal(r.content.length, 2);
  assert.equal(r.content[0]!.type, 'reasoning');
  assert.ok((r.content[0] as { text: string }).text.startsWith('We are asked: "How many'));
  assert.deepEqual(r.content[1], { type: 'text', text: 'The word "strawberry" contains three instances of the letter "r": one after the "t" and two before the "y".' });
  assert.deepEqual(r.usage, { inputTokens: 18, outputTokens: 345, totalTokens: 363, cacheReadTokens: 0, reasoningTokens: 315 });
});

test('parseResponse: ollama/chat-v1-reasoning.json reads `reasoning`', { skip }, () => {
  const r = openaiChat.parseResponse(readFixtureJson('ollama/chat-v1-reasoning.json'), meta200);
  assert.equal(r.content[0]!.type, 'reasoning');
  assert.ok((r.content[0] as { text: string }).text.startsWith('Okay, the user is asking for the capital of France.'));
  assert.deepEqual(r.content[1], { type: 'text', text: '{ "city": "Paris", "country": "France" }' });
  assert.deepEqual(r.usage, { inputTokens: 136, outputTokens: 15, totalTokens: 151 });
  assert.equal(r.model, 'qwen3:0.6b');
});

test('parseResponse: ollama/chat-v1-tool-call.json: reasoning + tool call, empty content dropped', { skip }, () => {
  const r = openaiChat.parseResponse(readFixtureJson('ollama/chat-v1-tool-call.json'), meta200);
  assert.deepEqual(r.content.map((p) => p.type), ['reasoning', 'tool-call']);
  const call = r.content[1] as { id: string; name: string; arguments: string };
  assert.equal(call.id, 'call_o2vnpxrw');
  assert.equal(call.name, 'final_result');
  assert.deepEqual(JSON.parse(call.arguments), { city: 'Paris', country: 'France' });
  assert.equal(r.finishReason, 'tool-calls');
  assert.deepEqual(r.usage, { inputTokens: 206, outputTokens: 194, totalTokens: 400 });
});

// ---------------------------------------------------------------- errors

const ERRORS: Array<[file: string, status: number, code: string, retryable: boolean, upstreamType: string]> = [
  ['openai/error-400-context-length-exceeded.json', 400, 'context_length_exceeded', false, 'context_length_exceeded'],
  ['openai/error-400-unsupported-parameter.json', 400, 'upstream_bad_request', false, 'unsupported_parameter'],
  ['openai/error-404-model-not-found.json', 404, 'upstream_not_found', false, 'model_not_found'],
  ['openai/error-429-insufficient-quota.json', 429, 'insufficient_quota', false, 'insufficient_quota'],
  ['openai/error-429-rate-limit-exceeded.json', 429, 'rate_limited', true, 'rate_limit_exceeded'],
];

for (const [file, status, code, retryable, upstreamType] of ERRORS) {
  test(`parseError: ${file} -> ${code}`, { skip }, () => {
    const text = readFixtureText(file);
    const body = JSON.parse(text) as { error: { message: string; param: string | null } };
    const e = openaiChat.parseError(text, { status, headers: { 'retry-after': '7' } });
    assert.equal(e.code, code);
    assert.equal(e.retryable, retryable);
    assert.equal(e.message, body.error.message);
    assert.deepEqual(e.upstream, { status, body, type: upstreamType });
    assert.equal(e.retryAfterMs, 7000);
    assert.equal(e.param, body.error.param ?? undefined);
  });
}

// ---------------------------------------------------------------- embeddings

test('parseEmbeddingResponse decodes the base64 float32 capture', { skip }, () => {
  const r = openaiChat.parseEmbeddingResponse!(readFixtureJson('openai/embeddings.base64.json'), meta200);
  assert.equal(r.vectors.length, 1);
  assert.equal(r.vectors[0]!.length, 1536);
  assert.ok(r.vectors[0]!.every((x) => Number.isFinite(x) && Math.abs(x) < 1));
  // Embeddings of this model are unit length: a wrong byte order would not be.
  const norm = Math.sqrt(r.vectors[0]!.reduce((s, x) => s + x * x, 0));
  assert.ok(Math.abs(norm - 1) < 1e-3, String(norm));
  assert.deepEqual(r.usage, { inputTokens: 4 });
  assert.equal(r.model, 'text-embedding-3-small');
});
