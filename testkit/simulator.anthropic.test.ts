// Generated Anthropic Messages answers read back by the official @anthropic-ai/sdk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { parseSse } from '../src/formats/shared/sse.js';
import { startSimulator, type Simulator } from './simulator.js';

let sim: Simulator;
let client: Anthropic;
before(async () => {
  sim = await startSimulator();
  client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: `${sim.url}/anthropic`, maxRetries: 0 });
});
after(() => sim.close());

const tool = {
  name: 'lookup',
  description: 'Looks a thing up',
  input_schema: { type: 'object' as const, properties: { query: { type: 'string' }, limit: { type: 'number' } }, required: ['query', 'limit'] },
};

test('messages.create: text, stop_reason end_turn, usage', async () => {
  const m = await client.messages.create({ model: 'model-a', max_tokens: 100, messages: [{ role: 'user', content: 'Hello, how are you?' }] });
  assert.equal(m.type, 'message');
  assert.match(m.id, /^msg_01[A-Za-z0-9]{22}$/);
  assert.deepEqual(m.content, [{ type: 'text', text: 'Simulated reply to: Hello, how are you?' }]);
  assert.equal(m.stop_reason, 'end_turn');
  assert.equal(m.usage.input_tokens, Math.ceil('Hello, how are you?'.length / 4));
  assert.ok(m.usage.output_tokens > 0);
});

test('messages.stream(): text deltas and the final message agree', async () => {
  const stream = client.messages.stream({ model: 'model-a', max_tokens: 100, messages: [{ role: 'user', content: [{ type: 'text', text: 'Write a haiku about rain' }] }] });
  let deltas = '';
  stream.on('text', (t) => (deltas += t));
  const final = await stream.finalMessage();
  assert.equal(deltas, 'Simulated reply to: Write a haiku about rain');
  assert.equal(final.content.length, 1);
  assert.equal((final.content[0] as { text: string }).text, deltas);
  assert.equal(final.stop_reason, 'end_turn');
});

test('messages.stream(): tool_use input assembled from input_json_delta pieces', async () => {
  const final = await client.messages
    .stream({ model: 'model-a', max_tokens: 100, tools: [tool], messages: [{ role: 'user', content: 'find cats' }] })
    .finalMessage();
  const block = final.content.find((b) => b.type === 'tool_use');
  assert.ok(block && block.type === 'tool_use');
  assert.equal(block.name, 'lookup');
  assert.match(block.id, /^toolu_01/);
  assert.deepEqual(block.input, { query: 'simulated-query', limit: 1 });
  assert.equal(final.stop_reason, 'tool_use');
});

test('a tool_result as the last message gets text', async () => {
  const m = await client.messages.create({
    model: 'model-a',
    max_tokens: 100,
    tools: [tool],
    messages: [
      { role: 'user', content: 'find cats' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'three cats' }] },
    ],
  });
  assert.equal(m.stop_reason, 'end_turn');
  assert.equal(m.content[0]!.type, 'text');
});

test('thinking enabled: a thinking block with a signature first', async () => {
  const final = await client.messages
    .stream({ model: 'model-a', max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: '925 / 5?' }] })
    .finalMessage();
  assert.equal(final.content[0]!.type, 'thinking');
  const t = final.content[0] as { thinking: string; signature: string };
  assert.match(t.thinking, /925 \/ 5\?/);
  assert.ok(t.signature.length > 20);
  assert.equal(final.content[1]!.type, 'text');
});

test('max_tokens cut -> stop_reason max_tokens', async () => {
  const m = await client.messages.create({ model: 'model-a', max_tokens: 2, messages: [{ role: 'user', content: 'a question that is long' }] });
  assert.equal(m.stop_reason, 'max_tokens');
  assert.equal(m.usage.output_tokens, 2);
});

test('count_tokens', async () => {
  const r = await client.messages.countTokens({ model: 'model-a', messages: [{ role: 'user', content: '12345678' }] });
  assert.equal(r.input_tokens, 2);
});

test('missing max_tokens is a 400 invalid_request_error, like the real API', async () => {
  const res = await fetch(`${sim.url}/anthropic/v1/messages`, { method: 'POST', body: JSON.stringify({ model: 'm', messages: [] }) });
  assert.equal(res.status, 400);
  const body = (await res.json()) as { type: string; error: { type: string; message: string }; request_id: string };
  assert.equal(body.type, 'error');
  assert.equal(body.error.type, 'invalid_request_error');
  assert.match(body.request_id, /^req_/);
});

test('raw stream: event lines match data types, ping after the first block start, padding-free JSON', async () => {
  const res = await fetch(`${sim.url}/anthropic/v1/messages`, {
    method: 'POST',
    body: JSON.stringify({ model: 'm', max_tokens: 50, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const types: string[] = [];
  for await (const ev of parseSse(res.body!)) {
    const data = JSON.parse(ev.data) as { type: string };
    assert.equal(ev.event, data.type);
    assert.equal(ev.data, JSON.stringify(data), 'no whitespace padding in generated JSON');
    types.push(data.type);
  }
  assert.deepEqual(types.slice(0, 3), ['message_start', 'content_block_start', 'ping']);
  assert.deepEqual(types.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
});
