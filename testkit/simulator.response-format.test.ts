// The simulator answers JSON when a request asks for it, so the OpenAI SDK's structured-output
// helper (`chat.completions.parse` with a zod schema) works against the demo and the simulator.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { startSimulator } from './simulator.js';
import type { Simulator } from './types.js';

let sim: Simulator;
let client: OpenAI;

before(async () => {
  sim = await startSimulator({ port: 0 });
  client = new OpenAI({ baseURL: `${sim.url}/openai/v1`, apiKey: 'sim-key', maxRetries: 0 });
});

after(async () => {
  await sim.close();
});

const Weather = z.object({
  city: z.string(),
  celsius: z.number(),
  sunny: z.boolean(),
  wind: z.enum(['calm', 'breezy']),
  note: z.string().nullable(),
  hours: z.array(z.number()),
  where: z.object({ lat: z.number(), lon: z.number() }),
});

test('json_schema: chat.completions.parse gets an object of the schema\'s shape', async () => {
  const r = await client.chat.completions.parse({
    model: 'sim-model',
    messages: [{ role: 'user', content: 'Weather in Oslo?' }],
    response_format: zodResponseFormat(Weather, 'weather'),
  });
  const parsed = r.choices[0]!.message.parsed;
  assert.ok(parsed, 'parsed');
  assert.deepEqual(Object.keys(parsed).sort(), ['celsius', 'city', 'hours', 'note', 'sunny', 'where', 'wind']);
  assert.equal(typeof parsed.city, 'string');
  assert.equal(parsed.wind, 'calm');
  assert.equal(typeof parsed.where.lat, 'number');
});

test('json_object: the reply is a JSON object; without response_format it stays text', async () => {
  const r = await client.chat.completions.create({ model: 'sim-model', messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'json_object' } });
  const obj = JSON.parse(r.choices[0]!.message.content!) as { reply: string };
  assert.match(obj.reply, /^Simulated reply to: hi/);
  const plain = await client.chat.completions.create({ model: 'sim-model', messages: [{ role: 'user', content: 'hi' }] });
  assert.throws(() => JSON.parse(plain.choices[0]!.message.content!));
});

test('streamed json_schema answers concatenate to the same JSON', async () => {
  const stream = await client.chat.completions.create({
    model: 'sim-model',
    stream: true,
    messages: [{ role: 'user', content: 'x' }],
    response_format: { type: 'json_schema', json_schema: { name: 'n', strict: true, schema: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'], additionalProperties: false } } },
  });
  let text = '';
  for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
  assert.deepEqual(JSON.parse(text), { n: 1 });
});
