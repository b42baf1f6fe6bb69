// Opt-in mid-stream resumption: a stream cut after text reached the client continues on the next
// prefill-capable deployment, and the client sees one seamless stream.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { KEY, startHarness, type Harness } from './harness.js';

let h: Harness;
let client: OpenAI;

before(async () => {
  h = await startHarness({
    config: `
providers:
  sim-cutter:    { format: openai-chat, base_url: SIM/cutter/v1, api_key: k }
  sim-anthropic: { preset: anthropic, base_url: SIM/anthropic/v1, api_key: k }
deployments:
  cutter: { provider: sim-cutter, model: m-1 }
  claude: { provider: sim-anthropic, model: m-2 }
routes:
  resumable: { targets: [cutter, claude], resume_streams: true }
  plain:     { targets: [cutter, claude] }
`,
  });
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: KEY, maxRetries: 0 });
});
after(async () => h.close());

const prompt = 'Tell me a long story about gateways and routes and models';

test('a stream cut after text continues on the next prefill-capable deployment, seamlessly', async () => {
  h.sim.reset();
  h.sim.setFault('/cutter', { cutAfterChunks: 4 });
  const { data: stream, response } = await client.chat.completions
    .create({ model: 'resumable', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: prompt }] })
    .withResponse();
  const deltas: string[] = [];
  let finish: string | null | undefined;
  let roles = 0;
  for await (const c of stream) {
    if (c.choices[0]?.delta?.role) roles++;
    deltas.push(c.choices[0]?.delta?.content ?? '');
    finish = c.choices[0]?.finish_reason ?? finish;
  }
  const text = deltas.join('');
  assert.equal(finish, 'stop');
  assert.equal(roles, 1, 'one message, not two');
  const cont = h.sim.requests.find((r) => r.path === '/anthropic/v1/messages');
  assert.ok(cont, 'the continuation went to the prefill-capable deployment');
  const msgs = (cont.body as { messages: Array<{ role: string; content: unknown }> }).messages;
  const prefill = msgs.at(-1)!;
  assert.equal(prefill.role, 'assistant');
  const prefillText = typeof prefill.content === 'string' ? prefill.content : (prefill.content as Array<{ text: string }>).map((p) => p.text).join('');
  assert.ok(prefillText.length > 0 && !/\s$/.test(prefillText), 'non-empty prefill without trailing white space');
  assert.ok(text.startsWith(prefillText), 'the client got the partial text first');
  assert.ok(text.length > prefillText.length, 'then the continuation');
  const line = await h.log.requestLine(response.headers.get('x-request-id'));
  assert.equal(line.resumed, 1);
  assert.equal(line.deployment, 'claude');
  assert.equal(line.error, undefined);
  h.sim.setFault('/cutter', null);
});

test('without resume_streams, or for a reasoning request, the cut ends the stream with an error event', async () => {
  h.sim.setFault('/cutter', { cutAfterChunks: 4 });
  for (const extra of [{ model: 'plain' }, { model: 'resumable', reasoning_effort: 'low' as const }]) {
    const stream = await client.chat.completions.create({ stream: true, messages: [{ role: 'user', content: prompt }], ...extra });
    await assert.rejects(async () => {
      for await (const _ of stream) void _;
    }, OpenAI.APIError, JSON.stringify(extra));
  }
  h.sim.setFault('/cutter', null);
});
