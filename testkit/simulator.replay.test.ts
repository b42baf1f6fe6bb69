// Replay of the captured provider bytes (`fixture:` prompts). Every test here reads the captures
// and skips, saying so, on a clone without ../shared.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { readChunks, readFixture, readFixtureText, SKIP_NO_FIXTURES } from './fixtures.js';
import { decodeEvents } from './providers/bedrock.js';
import { startSimulator, type Simulator } from './simulator.js';

let sim: Simulator;
before(async () => {
  sim = await startSimulator();
});
after(() => sim.close());

const skip = { skip: SKIP_NO_FIXTURES };

type Kind = 'openai' | 'anthropic' | 'gemini' | 'bedrock';

function request(kind: Kind, family: string, prompt: string, stream: boolean): { path: string; body: unknown } {
  switch (kind) {
    case 'openai':
      return { path: `/${family}/v1/chat/completions`, body: { model: 'm', stream, messages: [{ role: 'user', content: prompt }] } };
    case 'anthropic':
      return { path: '/anthropic/v1/messages', body: { model: 'm', max_tokens: 10, stream, messages: [{ role: 'user', content: prompt }] } };
    case 'gemini':
      return {
        path: `/gemini/v1beta/models/m:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
        body: { contents: [{ role: 'user', parts: [{ text: prompt }] }] },
      };
    case 'bedrock':
      return { path: `/bedrock/model/m/${stream ? 'converse-stream' : 'converse'}`, body: { messages: [{ role: 'user', content: [{ text: prompt }] }] } };
  }
}

async function fetchReplay(kind: Kind, family: string, rel: string, stream: boolean, headers: Record<string, string> = {}) {
  const { path, body } = request(kind, family, `fixture:${rel}`, stream);
  const res = await fetch(sim.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { res, bytes: Buffer.from(await res.arrayBuffer()) };
}

const RAW: Array<[Kind, string, string]> = [
  ['anthropic', 'anthropic', 'anthropic/messages-text.stream.sse'],
  ['anthropic', 'anthropic', 'anthropic/messages-thinking.stream.sse'],
  ['openai', 'openai', 'openai/chat-tool-call.stream.sse'],
  ['openai', 'deepseek', 'deepseek/chat-reasoning.stream.sse'],
  ['gemini', 'gemini', 'gemini/streamGenerateContent-text-crlf.sse'],
  ['gemini', 'gemini', 'gemini/streamGenerateContent-thinking-function-call.sse'],
  ['gemini', 'gemini', 'gemini/streamGenerateContent-prompt-blocked.sse'],
  ['bedrock', 'bedrock', 'bedrock/converse-stream-text.eventstream'],
  ['bedrock', 'bedrock', 'bedrock/converse-stream-thinking.eventstream'],
];

for (const [kind, family, rel] of RAW) {
  test(`replays ${rel} byte for byte`, skip, async () => {
    const { res, bytes } = await fetchReplay(kind, family, rel, true);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-sim-source'), `replay:${rel}`);
    assert.ok(bytes.equals(readFixture(rel)), 'body bytes equal the capture');
  });
}

const JSON_CAPTURES: Array<[Kind, string, string, number]> = [
  ['openai', 'openai', 'openai/chat-text.json', 200],
  ['openai', 'ollama', 'ollama/chat-v1-reasoning.json', 200],
  ['anthropic', 'anthropic', 'anthropic/messages-thinking.json', 200],
  ['gemini', 'gemini', 'gemini/generateContent-thinking-function-call.json', 200],
  ['bedrock', 'bedrock', 'bedrock/converse-text.json', 200],
  ['anthropic', 'anthropic', 'anthropic/error-529-overloaded.json', 529],
  ['openai', 'openai', 'openai/error-400-context-length-exceeded.json', 400],
];

for (const [kind, family, rel, status] of JSON_CAPTURES) {
  test(`replays ${rel} with status ${status}`, skip, async () => {
    const { res, bytes } = await fetchReplay(kind, family, rel, false);
    assert.equal(res.status, status);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    assert.ok(bytes.equals(readFixture(rel)));
  });
}

test('bedrock error capture gets its x-amzn-errortype header', skip, async () => {
  const { res, bytes } = await fetchReplay('bedrock', 'bedrock', 'bedrock/error-400-invalid-model.json', true);
  assert.equal(res.status, 400);
  assert.match(res.headers.get('x-amzn-errortype') ?? '', /^ValidationException/);
  assert.ok(bytes.equals(readFixture('bedrock/error-400-invalid-model.json')));
});

test('.chunks.txt framing: Anthropic gets event: lines', skip, async () => {
  const rel = 'anthropic/messages-text.stream.chunks.txt';
  const { bytes } = await fetchReplay('anthropic', 'anthropic', rel, true);
  const lines = readFixtureText(rel).split('\n').filter((l) => l.trim() !== '');
  const expected = lines.map((l) => `event: ${(JSON.parse(l) as { type: string }).type}\ndata: ${l}\n\n`).join('');
  assert.equal(bytes.toString('utf8'), expected);
});

test('.chunks.txt framing: OpenAI-compatible ends with data: [DONE]', skip, async () => {
  for (const [family, rel] of [
    ['openai', 'openai/chat-text.stream.chunks.txt'],
    ['mistral', 'mistral/chat-tool-call.stream.chunks.txt'],
    ['qwen', 'qwen/chat-tool-call.stream.chunks.txt'],
  ] as const) {
    const { bytes } = await fetchReplay('openai', family, rel, true);
    const lines = readFixtureText(rel).split('\n').filter((l) => l.trim() !== '');
    assert.equal(bytes.toString('utf8'), lines.map((l) => `data: ${l}\n\n`).join('') + 'data: [DONE]\n\n');
  }
});

test('.chunks.txt framing: Gemini uses CRLF, Bedrock re-encodes the decoded events', skip, async () => {
  const g = 'gemini/streamGenerateContent-gemini3-tool-call.chunks.txt';
  const { bytes } = await fetchReplay('gemini', 'gemini', g, true);
  const lines = readFixtureText(g).split('\n').filter((l) => l.trim() !== '');
  assert.equal(bytes.toString('utf8'), lines.map((l) => `data: ${l}\r\n\r\n`).join(''));

  const b = 'bedrock/converse-stream-reasoning.chunks.txt';
  const res = await fetchReplay('bedrock', 'bedrock', b, true);
  assert.equal(res.res.headers.get('content-type'), 'application/vnd.amazon.eventstream');
  const decoded = decodeEvents(res.bytes).map((e) => ({ [e.type]: e.payload }));
  assert.deepEqual(decoded, readChunks(b));
});

test('delays and cuts act between events, never inside one: replay stays byte-exact', skip, async () => {
  const rel = 'anthropic/messages-text.stream.sse';
  const { bytes } = await fetchReplay('anthropic', 'anthropic', rel, true, { 'x-sim-fault': 'tokenDelay=1,firstByte=5' });
  assert.ok(bytes.equals(readFixture(rel)));
});

test('the Anthropic SDK reads a replayed capture (thinking + text)', skip, async () => {
  const client = new Anthropic({ apiKey: 'k', baseURL: `${sim.url}/anthropic`, maxRetries: 0 });
  const final = await client.messages
    .stream({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'fixture:anthropic/messages-thinking.stream.sse' }] })
    .finalMessage();
  assert.deepEqual(
    final.content.map((b) => b.type),
    ['thinking', 'text'],
  );
});

test('the openai SDK reads a replayed tool-call capture', skip, async () => {
  const client = new OpenAI({ apiKey: 'k', baseURL: `${sim.url}/openai/v1`, maxRetries: 0 });
  const final = await client.chat.completions
    .stream({ model: 'm', messages: [{ role: 'user', content: 'fixture:openai/chat-tool-call.stream.sse' }] })
    .finalChatCompletion();
  const call = final.choices[0]!.message.tool_calls![0] as { function: { name: string; arguments: string } };
  assert.equal(call.function.name, 'get_capital');
  assert.deepEqual(JSON.parse(call.function.arguments), { country: 'UK' });
});

test('mismatches answer a clear 400 / 404 in the provider shape', skip, async () => {
  const notStreaming = await fetchReplay('anthropic', 'anthropic', 'anthropic/messages-text.stream.sse', false);
  assert.equal(notStreaming.res.status, 400);
  assert.match(JSON.parse(notStreaming.bytes.toString()).error.message, /streaming capture/);

  const streaming = await fetchReplay('openai', 'openai', 'openai/chat-text.json', true);
  assert.equal(streaming.res.status, 400);
  assert.match(JSON.parse(streaming.bytes.toString()).error.message, /non-stream capture/);

  const wrongDir = await fetchReplay('openai', 'openai', 'anthropic/messages-text.json', false);
  assert.equal(wrongDir.res.status, 400);

  const traversal = await fetchReplay('openai', 'openai', 'openai/../../secret.json', false);
  assert.equal(traversal.res.status, 400);

  const missing = await fetchReplay('gemini', 'gemini', 'gemini/nope.json', false);
  assert.equal(missing.res.status, 404);
  assert.equal(JSON.parse(missing.bytes.toString()).error.status, 'NOT_FOUND');
});

test('status faults and spent keys answer with the captured error bodies', skip, async () => {
  const overloaded = await fetchReplay('anthropic', 'anthropic', 'x', false, { 'x-sim-fault': 'status=529' });
  assert.equal(overloaded.res.status, 529);
  assert.ok(overloaded.bytes.equals(readFixture('anthropic/error-529-overloaded.json')));

  const quota = await fetch(`${sim.url}/openai/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: 'Bearer sk-quota-exhausted-1' },
    body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.equal(quota.status, 429);
  assert.ok(Buffer.from(await quota.arrayBuffer()).equals(readFixture('openai/error-429-insufficient-quota.json')));

  const badKey = await fetch(`${sim.url}/gemini/v1beta/models/m:generateContent`, {
    method: 'POST',
    headers: { 'x-goog-api-key': 'invalid-key' },
    body: JSON.stringify({ contents: [{ parts: [{ text: 'hi' }] }] }),
  });
  assert.equal(badKey.status, 400);
  const badKeyBody = (await badKey.json()) as { error: { details: Array<{ reason?: string }> } };
  assert.equal(badKeyBody.error.details[0]!.reason, 'API_KEY_INVALID');

  const explicit = await fetchReplay('openai', 'openai', 'x', false, { 'x-sim-fault': 'status=429,fixture=openai/error-429-insufficient-quota.json' });
  assert.equal(explicit.res.status, 429);
  assert.equal(JSON.parse(explicit.bytes.toString()).error.code, 'insufficient_quota');
});
