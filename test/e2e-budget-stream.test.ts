// Budgets beyond refusal: a stream cut off once it has used its reservation (cutoff: true), and a
// refused request served from a route's cheaper tier (on_budget_exhausted).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startSimulator, type Simulator } from '../testkit/simulator.js';
import { startGateway, type Gateway } from '../src/server/app.js';
import { LogSink } from '../testkit/log-sink.js';

const CUT = `mp-${'c'.repeat(32)}`;
const THRIFTY = `mp-${'t'.repeat(32)}`;
let sim: Simulator;
let gw: Gateway;

before(async () => {
  // Replies of 400 words: far more than the 20 tokens a request reserves without max_tokens.
  sim = await startSimulator({ port: 0, replyWords: 400 });
  gw = await startGateway({
    configText: `
providers: { sim: { format: openai-chat, base_url: ${sim.url}/openai/v1, api_key: k } }
deployments:
  big:   { provider: sim, model: m-big, price: { input: 1, output: 10 }, default_max_tokens: 20 }
  small: { provider: sim, model: m-small, tier: small, price: { input: 0.01, output: 0.1 } }
routes:
  chat: { targets: [big], on_budget_exhausted: { tier: small } }
  plain: { targets: [big] }
keys:
  cut: { key: ${CUT}, budget: { usd: 1, period: day, cutoff: true } }
  thrifty: { key: ${THRIFTY}, budget: { usd: 0.0005, period: day } }
`,
    port: 0,
    logger: new LogSink().logger,
    env: {},
  });
});
after(async () => {
  await gw.close();
  await sim.close();
});

test('cutoff: a stream longer than its reservation ends with a well-formed budget_exceeded error event', async () => {
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: CUT, maxRetries: 0 });
  const stream = await client.chat.completions.create({ model: 'plain', messages: [{ role: 'user', content: 'hello' }], stream: true });
  let text = '';
  await assert.rejects(
    (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })(),
    (e: unknown) => e instanceof OpenAI.APIError && /stream was cut off/.test(e.message),
  );
  // 20 tokens reserved: about 80 characters of output, then the cut (the reply is thousands long).
  assert.ok(text.length > 0 && text.length < 400, `${text.length} characters before the cut`);
});

test('on_budget_exhausted: a request the budget refuses on the big target is served by the cheaper tier, and says so', async () => {
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: THRIFTY, maxRetries: 0 });
  // 100 output tokens: $0.001 on big (over the $0.0005 cap), $0.00001 on small.
  const r = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hello' }], max_tokens: 100 }).withResponse();
  assert.equal(r.response.headers.get('x-modelplane-budget-fallback'), 'tier small');
  assert.equal(r.response.headers.get('x-modelplane-deployment'), 'small');
  // Without a fallback, the same request is refused.
  await assert.rejects(client.chat.completions.create({ model: 'plain', messages: [{ role: 'user', content: 'hello' }], max_tokens: 100 }), (e: unknown) => e instanceof OpenAI.APIError && e.code === 'budget_exceeded');
});
