// max_tokens above a deployment's known output limit: clamped with a warning header (default),
// or refused with a 400 naming the limit (route setting `max_tokens_above_limit: reject`),
// instead of a provider 400 after an upstream round trip.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startHarness, KEY, type Harness } from './harness.js';

let h: Harness;
let oc: OpenAI;

before(async () => {
  h = await startHarness({
    config: `
providers:
  sim: { format: openai-chat, base_url: SIM/openai/v1, api_key: k }
  ant: { format: anthropic-messages, base_url: SIM/anthropic/v1, api_key: k }
deployments:
  small-out: { provider: sim, model: m-a, capabilities: { max_output_tokens: 100 } }
  ant-out:   { provider: ant, model: m-b, capabilities: { max_output_tokens: 200 } }
  no-limit:  { provider: sim, model: m-c }
routes:
  clamped: { targets: [small-out] }
  clamped-ant: { targets: [ant-out] }
  strict: { targets: [small-out, ant-out], max_tokens_above_limit: reject }
  strict-mixed: { targets: [small-out, no-limit], max_tokens_above_limit: reject }
`,
  });
  oc = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: KEY, maxRetries: 0 });
});

after(async () => {
  await h.close();
});

const lastBody = () => h.sim.requests.at(-1)!.body as Record<string, unknown>;

test('clamp (the default): the upstream gets the limit, the caller a warning header', async () => {
  const r = await oc.chat.completions.create({ model: 'clamped', max_tokens: 1_000_000_000, messages: [{ role: 'user', content: 'x' }] }).withResponse();
  assert.equal(lastBody().max_tokens ?? lastBody().max_completion_tokens, 100);
  assert.match(r.response.headers.get('x-modelplane-warnings') ?? '', /max_tokens 1000000000 clamped to 100/);
  // Within the limit: untouched, no warning.
  const ok = await oc.chat.completions.create({ model: 'clamped', max_tokens: 50, messages: [{ role: 'user', content: 'x' }] }).withResponse();
  assert.equal(lastBody().max_tokens ?? lastBody().max_completion_tokens, 50);
  assert.equal(ok.response.headers.get('x-modelplane-warnings'), null);
  // Streaming to an Anthropic upstream: the same clamp.
  const s = await oc.chat.completions.create({ model: 'clamped-ant', stream: true, max_tokens: 5000, messages: [{ role: 'user', content: 'x' }] }).withResponse();
  for await (const _ of s.data) void _;
  assert.equal(lastBody().max_tokens, 200);
  assert.match(s.response.headers.get('x-modelplane-warnings') ?? '', /clamped to 200/);
});

test('reject: a 400 naming the limit, on both ingresses, with no upstream call', async () => {
  const before = h.sim.requests.length;
  const err = await oc.chat.completions.create({ model: 'strict', max_tokens: 1_000_000_000, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
  assert.ok(err instanceof OpenAI.BadRequestError, String(err));
  assert.equal(err.param, 'max_tokens');
  assert.match(err.message, /max_tokens 1000000000 is above the output limit of every target of route 'strict' \(the largest is 200\)/);
  const anthropic = new Anthropic({ baseURL: h.url, apiKey: KEY, maxRetries: 0 });
  const aerr = await anthropic.messages.create({ model: 'strict', max_tokens: 4096, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
  assert.ok(aerr instanceof Anthropic.BadRequestError, String(aerr));
  assert.match(aerr.message, /the largest is 200/);
  assert.equal(h.sim.requests.length, before, 'no upstream call');
  // A target without a known limit still serves it.
  await oc.chat.completions.create({ model: 'strict-mixed', max_tokens: 1_000_000, messages: [{ role: 'user', content: 'x' }] });
  assert.equal(h.sim.requests.at(-1)!.body && (lastBody().model as string), 'm-c');
});
