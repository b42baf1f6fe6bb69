// The generated OpenAI-compatible answers, read back by the official openai SDK and by raw SSE
// parsing for the per-family quirks. None of these need the captured fixtures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { parseSse } from '../src/formats/shared/sse.js';
import { embed } from './embeddings.js';
import { startSimulator, type Simulator } from './simulator.js';

let sim: Simulator;
before(async () => {
  sim = await startSimulator({ seed: 7 });
});
after(() => sim.close());

const client = (family: string) => new OpenAI({ apiKey: 'sk-test', baseURL: `${sim.url}/${family}/v1`, maxRetries: 0 });
const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'weather',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, days: { type: 'integer' }, unit: { type: 'string', enum: ['c', 'f'] } },
      required: ['city', 'days', 'unit'],
    },
  },
};

/** Raw SSE payloads (JSON-parsed except the final [DONE]). */
async function rawStream(path: string, body: unknown): Promise<{ events: unknown[]; done: boolean }> {
  const res = await fetch(sim.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: unknown[] = [];
  let done = false;
  for await (const ev of parseSse(res.body!)) {
    if (ev.data === '[DONE]') done = true;
    else events.push(JSON.parse(ev.data));
  }
  return { events, done };
}

type Chunk = { choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }>; usage?: unknown };

for (const family of ['openai', 'mistral', 'deepseek', 'qwen', 'ollama', 'vllm']) {
  test(`${family}: SDK non-stream text echoes the prompt with usage`, async () => {
    const r = await client(family).chat.completions.create({ model: 'model-a', messages: [{ role: 'user', content: 'What is the capital of France?' }] });
    assert.equal(r.choices[0]!.message.content, 'Simulated reply to: What is the capital of France?');
    assert.equal(r.choices[0]!.finish_reason, 'stop');
    assert.equal(r.model, 'model-a');
    assert.equal(r.usage!.prompt_tokens, Math.ceil('What is the capital of France?'.length / 4));
    assert.equal(r.usage!.total_tokens, r.usage!.prompt_tokens + r.usage!.completion_tokens);
  });

  test(`${family}: SDK stream concatenates to the same text`, async () => {
    const prompt = 'Tell me a story about a lighthouse keeper';
    const stream = await client(family).chat.completions.create({
      model: 'model-a',
      messages: [{ role: 'user', content: prompt }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: unknown;
    let chunks = 0;
    for await (const c of stream) {
      chunks++;
      text += c.choices[0]?.delta.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
      if (c.usage) usage = c.usage;
    }
    assert.equal(text, `Simulated reply to: ${prompt.slice(0, 40)}`);
    assert.equal(finish, 'stop');
    assert.ok(chunks >= 8, `several chunks, got ${chunks}`);
    assert.ok(usage, 'usage arrives when include_usage is set');
  });

  test(`${family}: SDK tool call with arguments synthesised from the schema`, async () => {
    const r = await client(family).chat.completions.create({
      model: 'model-a',
      messages: [{ role: 'user', content: 'weather in Paris?' }],
      tools: [weatherTool],
    });
    const call = r.choices[0]!.message.tool_calls![0]!;
    assert.equal(r.choices[0]!.finish_reason, 'tool_calls');
    assert.ok(call.type === 'function' || call.type === undefined);
    assert.equal((call as { function: { name: string } }).function.name, 'weather');
    assert.deepEqual(JSON.parse((call as { function: { arguments: string } }).function.arguments), { city: 'simulated-city', days: 1, unit: 'c' });
  });
}

test('openai: streamed tool call arguments are split over several deltas and reassemble', async () => {
  const stream = await client('openai').chat.completions.create({
    model: 'model-a',
    messages: [{ role: 'user', content: 'weather?' }],
    tools: [weatherTool],
    stream: true,
  });
  const pieces: string[] = [];
  let id = '';
  for await (const c of stream) {
    for (const tc of c.choices[0]?.delta.tool_calls ?? []) {
      if (tc.id) id = tc.id;
      if (tc.function?.arguments) pieces.push(tc.function.arguments);
    }
  }
  assert.match(id, /^call_[A-Za-z0-9]{24}$/);
  assert.ok(pieces.length >= 3);
  assert.deepEqual(JSON.parse(pieces.join('')), { city: 'simulated-city', days: 1, unit: 'c' });
});

test('openai: the .stream() helper assembles the tool call', async () => {
  const final = await client('openai')
    .chat.completions.stream({ model: 'model-a', messages: [{ role: 'user', content: 'weather?' }], tools: [weatherTool] })
    .finalChatCompletion();
  const call = final.choices[0]!.message.tool_calls![0] as { function: { name: string; arguments: string } };
  assert.equal(call.function.name, 'weather');
  assert.equal(JSON.parse(call.function.arguments).city, 'simulated-city');
});

test('a tool result as the last message gets a text answer', async () => {
  const r = await client('openai').chat.completions.create({
    model: 'model-a',
    tools: [weatherTool],
    messages: [
      { role: 'user', content: 'weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
    ],
  });
  assert.equal(r.choices[0]!.finish_reason, 'stop');
  assert.equal(r.choices[0]!.message.content, 'Simulated reply to: weather?');
});

test('max_tokens truncates and finishes with length', async () => {
  const r = await client('openai').chat.completions.create({ model: 'model-a', max_tokens: 3, messages: [{ role: 'user', content: 'a long question here' }] });
  assert.equal(r.choices[0]!.finish_reason, 'length');
  assert.equal(r.choices[0]!.message.content, 'Simulated re');
  assert.equal(r.usage!.completion_tokens, 3);
});

test('openai stream: obfuscation on every chunk, usage only in a final choices:[] chunk', async () => {
  const { events, done } = await rawStream('/openai/v1/chat/completions', {
    model: 'model-a', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true },
  });
  assert.ok(done);
  const last = events.at(-1) as Chunk;
  assert.deepEqual(last.choices, []);
  assert.ok(last.usage);
  for (const e of events) assert.equal(typeof (e as { obfuscation?: unknown }).obfuscation, 'string');
  for (const e of events.slice(0, -1)) assert.equal((e as Chunk).usage, null);
  const noUsage = await rawStream('/openai/v1/chat/completions', { model: 'model-a', messages: [{ role: 'user', content: 'hi' }], stream: true });
  assert.ok(noUsage.events.every((e) => !('usage' in (e as object))), 'no usage field without include_usage');
});

test('unprefixed /v1/chat/completions is OpenAI', async () => {
  const { events } = await rawStream('/v1/chat/completions', { model: 'model-a', messages: [{ role: 'user', content: 'hi' }], stream: true });
  assert.equal(typeof (events[0] as { obfuscation?: unknown }).obfuscation, 'string');
  assert.equal(sim.stats()['/openai']! > 0, true);
});

test('mistral stream: the whole tool call in the finish chunk, no index, no type', async () => {
  const { events } = await rawStream('/mistral/v1/chat/completions', { model: 'model-a', messages: [{ role: 'user', content: 'x' }], tools: [weatherTool], stream: true });
  const last = events.at(-1) as Chunk;
  assert.equal(last.choices[0]!.finish_reason, 'tool_calls');
  const tc = (last.choices[0]!.delta.tool_calls as Array<Record<string, unknown>>)[0]!;
  assert.deepEqual(Object.keys(tc).sort(), ['function', 'id']);
  assert.match(tc.id as string, /^[A-Za-z0-9]{9}$/);
  assert.ok(last.usage, 'usage rides in the finish chunk');
});

test('qwen stream: tool deltas repeat id "" and type, then one empty-arguments delta', async () => {
  const { events } = await rawStream('/qwen/v1/chat/completions', { model: 'model-a', messages: [{ role: 'user', content: 'x' }], tools: [weatherTool], stream: true });
  const calls = events.flatMap((e) => ((e as Chunk).choices[0]?.delta.tool_calls as Array<Record<string, unknown>> | undefined) ?? []);
  assert.match(calls[0]!.id as string, /^call_[0-9a-f]{24}$/);
  assert.ok(calls.slice(1).every((c) => c.id === '' && c.type === 'function'));
  assert.equal((calls.at(-1)!.function as { arguments: string }).arguments, '');
});

test('ollama: reasoning (not reasoning_content) for a thinking request', async () => {
  const r = await fetch(`${sim.url}/ollama/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ model: 'model-think', messages: [{ role: 'user', content: 'why?' }] }),
  });
  const body = (await r.json()) as { choices: Array<{ message: Record<string, unknown> }>; system_fingerprint: string };
  assert.equal(typeof body.choices[0]!.message.reasoning, 'string');
  assert.equal('reasoning_content' in body.choices[0]!.message, false);
  assert.equal(body.system_fingerprint, 'fp_ollama');
});

test('deepseek stream: reasoning_content first, usage with cache counters in the finish chunk', async () => {
  const { events, done } = await rawStream('/deepseek/v1/chat/completions', { model: 'model-reasoner', messages: [{ role: 'user', content: 'count the rs' }], stream: true });
  assert.ok(done);
  const deltas = events.map((e) => (e as Chunk).choices[0]!.delta);
  assert.ok(deltas.some((d) => typeof d.reasoning_content === 'string' && d.reasoning_content !== ''));
  const last = events.at(-1) as Chunk & { usage: Record<string, unknown> };
  assert.equal(last.choices[0]!.finish_reason, 'stop');
  assert.equal(typeof last.usage.prompt_cache_miss_tokens, 'number');
  assert.ok(events.slice(0, -1).every((e) => (e as Chunk).usage === null));
});

test('embeddings: base64 through the SDK decodes to the deterministic vector', async () => {
  const r = await client('openai').embeddings.create({ model: 'embed-a', input: ['hello world', 'goodbye'], dimensions: 16 });
  assert.equal(r.data.length, 2);
  assert.equal(r.data[0]!.embedding.length, 16);
  const expected = embed('hello world', 16);
  r.data[0]!.embedding.forEach((x, i) => assert.ok(Math.abs(x - expected[i]!) < 1e-6));
  const recorded = sim.requests.at(-1)!;
  assert.equal((recorded.body as { encoding_format: string }).encoding_format, 'base64', 'the SDK asked for base64');
});

test('embeddings: float format, default dimension 8', async () => {
  const res = await fetch(`${sim.url}/mistral/v1/embeddings`, { method: 'POST', body: JSON.stringify({ model: 'e', input: 'hello' }) });
  const body = (await res.json()) as { object: string; data: Array<{ embedding: number[]; object: string }> };
  assert.equal(body.object, 'list');
  assert.equal(body.data[0]!.embedding.length, 8);
  assert.deepEqual(body.data[0]!.embedding, embed('hello', 8));
});

test('requests are recorded with headers and parsed body', async () => {
  sim.reset();
  await client('groq').chat.completions.create({ model: 'model-b', messages: [{ role: 'user', content: 'ping' }] });
  assert.equal(sim.requests.length, 1);
  const r = sim.requests[0]!;
  assert.equal(r.path, '/groq/v1/chat/completions');
  assert.equal(r.scope, '/groq');
  assert.equal(r.headers.authorization, 'Bearer sk-test');
  assert.equal((r.body as { model: string }).model, 'model-b');
  assert.deepEqual(sim.stats(), { '/groq': 1 });
});
