// What a caller reads in an error: why, and what to do, without the gateway's internals
// (credential ids, deployment and provider names, breaker cooldowns); the log line keeps those.
// And when a route's deadline is what ran out, the error says so.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startHarness, post, KEY, type Harness } from './harness.js';

let h: Harness;

before(async () => {
  h = await startHarness({
    config: `
providers:
  secret-provider: { format: openai-chat, base_url: SIM/openai/v1, api_keys: [k1] }
  slow-provider:   { format: openai-chat, base_url: SIM/slow/v1, api_key: k }
deployments:
  internal-dep-a: { provider: secret-provider, model: m-a }
  internal-dep-slow: { provider: slow-provider, model: m-s }
routes:
  limited: { targets: [internal-dep-a] }
  hurried: { targets: [internal-dep-slow], deadline: 300ms }
`,
    extra: 'health: { rate_limit_cooldown: 1h }',
  });
});

after(async () => {
  await h.close();
});

async function requestLine(route: string, status: number): Promise<Record<string, unknown>> {
  // Log lines are written asynchronously: wait for the one this request produced.
  for (;;) {
    const line = h.logs.find((l) => l.msg === 'request' && l.route === route && l.status === status);
    if (line) return line;
    await new Promise((r) => setImmediate(r));
  }
}

test('a cooling-down route tells the caller when to retry, not which credential failed', async () => {
  h.sim.setFault('/openai', { status: 429 });
  const first = await post(`${h.url}/v1/chat/completions`, { model: 'limited', messages: [{ role: 'user', content: 'x' }] });
  assert.equal(first.status, 429);
  const second = await post(`${h.url}/v1/chat/completions`, { model: 'limited', messages: [{ role: 'user', content: 'x' }] });
  assert.equal(second.json.error.code, 'no_healthy_deployment');
  const message: string = second.json.error.message;
  assert.match(message, /^no healthy deployment for route 'limited': every target is cooling down after recent upstream failures; retry in \d+s$/);
  for (const internal of ['secret-provider', 'internal-dep-a', '#0', 'cooldown', ' ms']) assert.ok(!message.includes(internal), `"${internal}" in: ${message}`);
  // The same over the Messages API, through the official SDK.
  const anthropic = new Anthropic({ baseURL: h.url, apiKey: KEY, maxRetries: 0 });
  const err = await anthropic.messages.create({ model: 'limited', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
  assert.ok(err instanceof Anthropic.APIError, String(err));
  assert.ok(!String(err.message).includes('#0') && !String(err.message).includes('secret-provider'), String(err.message));
  // The operator's log keeps the detail: the breaker line names the credential and the cause.
  // (A request refused before any attempt writes no request line.)
  const breaker = h.logs.find((l) => l.msg === 'health state changed');
  assert.match(JSON.stringify(breaker), /secret-provider#0@internal-dep-a.*rate_limited/);
  h.sim.setFault('/openai', null);
});

test('when the route deadline runs out first, the error names the deadline', async () => {
  h.sim.setFault('/slow', { hang: true });
  const r = await post(`${h.url}/v1/chat/completions`, { model: 'hurried', messages: [{ role: 'user', content: 'x' }] });
  assert.equal(r.json.error.code, 'upstream_timeout', r.text);
  assert.match(r.json.error.message, /deadline ran out/);
  assert.ok(!r.json.error.message.includes('internal-dep-slow'), r.json.error.message);
  const line = await requestLine('hurried', r.status);
  assert.match(String(line.error_message), /deployment internal-dep-slow .*deadline ran out/);
  h.sim.setFault('/slow', null);
});

test('validation errors read the same on every ingress: the field, what was expected, what came', async () => {
  const chat = await post(`${h.url}/v1/chat/completions`, { model: 'limited' });
  assert.equal(chat.status, 400);
  assert.equal(chat.json.error.message, 'messages: required field missing (expected array)');
  const messages = await post(`${h.url}/v1/messages`, { model: 'limited', max_tokens: 5 });
  assert.equal(messages.status, 400);
  assert.equal(messages.json.type, 'error');
  assert.equal(messages.json.error.message, 'messages: required field missing (expected array)');
  const typed = await post(`${h.url}/v1/messages`, { model: 'limited', max_tokens: 5, messages: [{ role: 'user', content: 5 }] });
  assert.match(typed.json.error.message, /^messages\.0\.content: expected string or array, got 5$/);
  const responses = await post(`${h.url}/v1/responses`, { model: 'limited', input: 5 });
  assert.equal(responses.status, 400);
  assert.match(responses.json.error.message, /^input: expected string or array, got 5$/);
  for (const r of [chat, messages, typed, responses]) assert.doesNotMatch(JSON.stringify(r.json), /Invalid input|received undefined/);
});
