// Generated Gemini / Vertex and Bedrock Converse answers, checked on the raw wire (no official
// clients for these are installed): CRLF SSE framing, per-chunk usageMetadata, eventstream
// framing with CRCs, event order and padding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { parseSse } from '../src/formats/shared/sse.js';
import { decodeEvents } from './providers/bedrock.js';
import { startSimulator, type Simulator } from './simulator.js';

let sim: Simulator;
before(async () => {
  sim = await startSimulator({ seed: 3 });
});
after(() => sim.close());

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(sim.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

const geminiBody = (text: string, extra: Record<string, unknown> = {}) => ({ contents: [{ role: 'user', parts: [{ text }] }], ...extra });

type GeminiChunk = {
  candidates: Array<{ content: { parts: Array<Record<string, unknown>>; role: string }; finishReason?: string }>;
  usageMetadata: { promptTokenCount: number; candidatesTokenCount?: number; totalTokenCount: number };
  modelVersion: string;
};

test('gemini generateContent: candidates, finishReason STOP, usageMetadata', async () => {
  const res = await post('/gemini/v1beta/models/model-g:generateContent', geminiBody('What is the capital of Wyoming?'));
  assert.equal(res.status, 200);
  const body = (await res.json()) as GeminiChunk;
  assert.equal(body.candidates[0]!.content.parts[0]!.text, 'Simulated reply to: What is the capital of Wyoming?');
  assert.equal(body.candidates[0]!.content.role, 'model');
  assert.equal(body.candidates[0]!.finishReason, 'STOP');
  assert.equal(body.modelVersion, 'model-g');
  const u = body.usageMetadata;
  assert.equal(u.totalTokenCount, u.promptTokenCount + u.candidatesTokenCount!);
});

test('gemini streamGenerateContent alt=sse: CRLF framing, usageMetadata in every chunk, finish in the last', async () => {
  const res = await post('/gemini/v1beta/models/model-g:streamGenerateContent?alt=sse', geminiBody('Tell me about the Eiffel tower and Paris'));
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const raw = await res.text();
  const events = raw.split('\r\n\r\n').filter((e) => e !== '');
  assert.ok(events.length >= 2);
  assert.ok(raw.endsWith('\r\n\r\n'));
  assert.ok(events.every((e) => e.startsWith('data: {"candidates": [')), 'Google JSON style with ": " separators');
  const chunks: GeminiChunk[] = [];
  async function* once() {
    yield raw;
  }
  for await (const ev of parseSse(once())) chunks.push(JSON.parse(ev.data) as GeminiChunk);
  assert.ok(chunks.every((c) => typeof c.usageMetadata.promptTokenCount === 'number'));
  assert.ok(chunks.slice(0, -1).every((c) => c.candidates[0]!.finishReason === undefined));
  assert.equal(chunks.at(-1)!.candidates[0]!.finishReason, 'STOP');
  const text = chunks.map((c) => c.candidates[0]!.content.parts[0]!.text).join('');
  assert.equal(text, 'Simulated reply to: Tell me about the Eiffel tower and Paris');
});

test('gemini stream without alt=sse is one JSON array', async () => {
  const res = await post('/gemini/v1beta/models/model-g:streamGenerateContent', geminiBody('hello'));
  const arr = JSON.parse(await res.text()) as GeminiChunk[];
  assert.ok(Array.isArray(arr) && arr.length >= 1);
  assert.equal(arr.at(-1)!.candidates[0]!.finishReason, 'STOP');
});

test('gemini function call, then text after a functionResponse', async () => {
  const tools = [{ functionDeclarations: [{ name: 'now', parameters: { type: 'object', properties: {} } }] }];
  const first = (await (await post('/gemini/v1beta/models/m:generateContent', geminiBody('what time?', { tools }))).json()) as GeminiChunk;
  assert.deepEqual(first.candidates[0]!.content.parts[0], { functionCall: { name: 'now', args: {} } });
  const contents = [
    { role: 'user', parts: [{ text: 'what time?' }] },
    { role: 'model', parts: [{ functionCall: { name: 'now', args: {} } }] },
    { role: 'user', parts: [{ functionResponse: { name: 'now', response: { time: 'noon' } } }] },
  ];
  const second = (await (await post('/gemini/v1beta/models/m:generateContent', { contents, tools })).json()) as GeminiChunk;
  assert.equal(typeof second.candidates[0]!.content.parts[0]!.text, 'string');
});

test('gemini maxOutputTokens -> MAX_TOKENS; thinking parts when includeThoughts', async () => {
  const cut = (await (await post('/gemini/v1beta/models/m:generateContent', geminiBody('a long question', { generationConfig: { maxOutputTokens: 2 } }))).json()) as GeminiChunk;
  assert.equal(cut.candidates[0]!.finishReason, 'MAX_TOKENS');
  const thought = (await (
    await post('/gemini/v1beta/models/m:generateContent', geminiBody('think', { generationConfig: { thinkingConfig: { includeThoughts: true } } }))
  ).json()) as GeminiChunk & { usageMetadata: { thoughtsTokenCount?: number } };
  assert.equal(thought.candidates[0]!.content.parts[0]!.thought, true);
  assert.ok((thought.usageMetadata.thoughtsTokenCount ?? 0) > 0);
});

test('vertex path variant and gemini embeddings', async () => {
  const res = await post('/vertex/v1/projects/p1/locations/us-central1/publishers/google/models/model-v:streamGenerateContent?alt=sse', geminiBody('hi'));
  assert.equal(res.status, 200);
  assert.match(await res.text(), /\r\n\r\n$/);
  const e = (await (await post('/gemini/v1beta/models/emb:embedContent', { content: { parts: [{ text: 'hi' }] }, outputDimensionality: 4 })).json()) as {
    embedding: { values: number[] };
  };
  assert.equal(e.embedding.values.length, 4);
  const b = (await (
    await post('/gemini/v1beta/models/emb:batchEmbedContents', { requests: [{ content: { parts: [{ text: 'a' }] } }, { content: { parts: [{ text: 'b' }] } }] })
  ).json()) as { embeddings: Array<{ values: number[] }> };
  assert.equal(b.embeddings.length, 2);
  assert.notDeepEqual(b.embeddings[0]!.values, b.embeddings[1]!.values);
});

const bedrockBody = (text: string, extra: Record<string, unknown> = {}) => ({ messages: [{ role: 'user', content: [{ text }] }], ...extra });

test('bedrock converse JSON', async () => {
  const res = await post('/bedrock/model/model-b/converse', bedrockBody('What is 2+2?'));
  const body = (await res.json()) as { output: { message: { content: Array<{ text: string }>; role: string } }; stopReason: string; usage: Record<string, number> };
  assert.equal(body.output.message.role, 'assistant');
  assert.equal(body.output.message.content[0]!.text, 'Simulated reply to: What is 2+2?');
  assert.equal(body.stopReason, 'end_turn');
  assert.equal(body.usage.totalTokens, body.usage.inputTokens! + body.usage.outputTokens!);
});

test('bedrock converse-stream: valid eventstream framing, padding, metadata after messageStop', async () => {
  const res = await post(`/bedrock/model/${encodeURIComponent('vendor.model-b-v1:0')}/converse-stream`, bedrockBody('Tell me about Paris please'));
  assert.equal(res.headers.get('content-type'), 'application/vnd.amazon.eventstream');
  const bytes = new Uint8Array(await res.arrayBuffer());
  // The official codec checks both CRCs of every message while decoding.
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  let off = 0;
  while (off < bytes.length) {
    const len = new DataView(bytes.buffer, bytes.byteOffset + off).getUint32(0);
    const msg = codec.decode(bytes.subarray(off, off + len));
    assert.equal(msg.headers[':message-type']!.value, 'event');
    assert.equal(msg.headers[':content-type']!.value, 'application/json');
    off += len;
  }
  const events = decodeEvents(bytes);
  const types = events.map((e) => e.type);
  assert.equal(types[0], 'messageStart');
  assert.deepEqual(types.slice(-3), ['contentBlockStop', 'messageStop', 'metadata']);
  assert.ok(!types.includes('contentBlockStart'), 'text blocks have no contentBlockStart');
  for (const e of events) assert.match((e.payload as { p: string }).p, /^[a-zA-Z0-9]+$/);
  const text = events
    .filter((e) => e.type === 'contentBlockDelta')
    .map((e) => (e.payload as { delta: { text: string } }).delta.text)
    .join('');
  assert.equal(text, 'Simulated reply to: Tell me about Paris please');
  const meta = events.at(-1)!.payload as { usage: { inputTokens: number; outputTokens: number; totalTokens: number } };
  assert.equal(meta.usage.totalTokens, meta.usage.inputTokens + meta.usage.outputTokens);
  assert.equal(sim.requests.at(-1)!.path.includes('converse-stream'), true);
});

test('bedrock converse-stream tool use: contentBlockStart with toolUse, input split over deltas', async () => {
  const toolConfig = {
    tools: [{ toolSpec: { name: 'get_weather', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } } }],
  };
  const res = await post('/bedrock/model/m/converse-stream', bedrockBody('weather?', { toolConfig }));
  const events = decodeEvents(new Uint8Array(await res.arrayBuffer()));
  const start = events.find((e) => e.type === 'contentBlockStart')!.payload as { start: { toolUse: { name: string; toolUseId: string } } };
  assert.equal(start.start.toolUse.name, 'get_weather');
  assert.match(start.start.toolUse.toolUseId, /^tooluse_/);
  const input = events
    .filter((e) => e.type === 'contentBlockDelta')
    .map((e) => (e.payload as { delta: { toolUse: { input: string } } }).delta.toolUse.input);
  assert.ok(input.length >= 2);
  assert.deepEqual(JSON.parse(input.join('')), { city: 'simulated-city' });
  const stop = events.find((e) => e.type === 'messageStop')!.payload as { stopReason: string };
  assert.equal(stop.stopReason, 'tool_use');
});

test('bedrock errors carry x-amzn-errortype and a {"message"} body', async () => {
  const res = await post('/bedrock/model/m/converse', bedrockBody('x'), { 'x-sim-fault': 'status=429' });
  assert.equal(res.status, 429);
  assert.match(res.headers.get('x-amzn-errortype') ?? '', /^ThrottlingException(:|$)/);
  const body = (await res.json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['message']);
});
