// Issue 15, end to end through the official SDKs: one caller's hostile body costs other callers
// nothing (§1), a malformed upstream stream is an upstream_protocol error that falls back
// before the first byte (§5), and upstream error texts reach callers redacted (§2).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { KEY, post, startHarness, type Harness } from './harness.js';
import { startHostileUpstream, type HostileUpstream } from './hostile-upstream.js';

// Provider keys built at run time (the sk- shape is what a leak would look like).
const UP_KEY = ['sk', 'live', 'Qm29xLe81vTz0pWr5Yh'].join('-');

const config = (hostile: string) => `
providers:
  sim-openai: { format: openai-chat, base_url: SIM/openai/v1, api_key: sk-sim-openai-key }
  sim-claude: { preset: anthropic, base_url: SIM/anthropic/v1, api_key: sk-sim-claude-key }
  wrong:      { format: openai-chat, base_url: ${hostile}/wrong/v1, api_key: ${UP_KEY} }
  echo:       { format: openai-chat, base_url: ${hostile}/echo/v1, api_key: ${UP_KEY} }
  html:       { format: openai-chat, base_url: ${hostile}/html/v1, api_key: ${UP_KEY} }
deployments:
  oai:    { provider: sim-openai, model: up-model-1 }
  claude: { provider: sim-claude, model: up-model-2 }
  wrong:  { provider: wrong, model: m }
  echo:   { provider: echo, model: m }
  html:   { provider: html, model: m }
routes:
  shared:         { targets: [oai, claude] }
  wrong-then-oai: { targets: [wrong, oai] }
  only-wrong:     { targets: [wrong], retry: { max_attempts: 1 } }
  only-echo:      { targets: [echo], retry: { max_attempts: 1 } }
  only-html:      { targets: [html], retry: { max_attempts: 1 } }
`;

let h: Harness;
let up: HostileUpstream;
let openai: OpenAI;
let anthropic: Anthropic;

before(async () => {
  up = await startHostileUpstream();
  h = await startHarness({ config: config(up.url) });
  openai = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: KEY, maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: h.url, apiKey: KEY, maxRetries: 0 });
});
after(async () => {
  await h.close();
  await up.close();
});

/** JSON text of a schema nested `depth` objects deep (JSON.stringify itself overflows on it). */
function deepSchema(depth: number): string {
  return '{"type":"object","properties":{"x":'.repeat(depth) + '{"type":"string"}' + '}}'.repeat(depth);
}

describe('§1: a hostile body is refused at ingress and poisons no breaker', () => {
  test('10,000-level tool schemas on every ingress: 400 in the caller\'s shape, no upstream call; then everyone else is served', async () => {
    const deep = deepSchema(10_000);
    h.sim.reset();
    for (let i = 0; i < 4; i++) {
      const chat = await post(`${h.url}/v1/chat/completions`, `{"model":"shared","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":${deep}}}]}`);
      assert.equal(chat.status, 400);
      assert.equal(chat.json.error.type, 'invalid_request_error');
      assert.match(chat.json.error.message, /server\.limits\.max_(schema_)?depth/);
      assert.match(chat.json.error.param, /^tools\[0\]\.function\.parameters/);

      const msg = await post(`${h.url}/v1/messages`, `{"model":"shared","max_tokens":5,"messages":[{"role":"user","content":"x"}],"tools":[{"name":"f","input_schema":${deep}}]}`, { 'anthropic-version': '2023-06-01' });
      assert.equal(msg.status, 400);
      assert.equal(msg.json.type, 'error');
      assert.equal(msg.json.error.type, 'invalid_request_error');
      assert.match(msg.json.error.message, /server\.limits\.max_/);

      const resp = await post(`${h.url}/v1/responses`, `{"model":"shared","input":"x","tools":[{"type":"function","name":"f","parameters":${deep}}]}`);
      assert.equal(resp.status, 400);
      assert.match(resp.json.error.message, /server\.limits\.max_/);

      const emb = await post(`${h.url}/v1/embeddings`, `{"model":"shared","input":[${deep}]}`);
      assert.equal(emb.status, 400);
      assert.match(emb.json.error.message, /server\.limits\.max_depth/);
    }
    // The same depth elsewhere: a tool_use input (JSON.stringify of it once overflowed: a 500),
    // metadata, an unknown field forwarded to the provider.
    const nest = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
    const elsewhere = [
      post(`${h.url}/v1/messages`, `{"model":"shared","max_tokens":5,"messages":[{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":${nest}}]},{"role":"user","content":"x"}]}`, { 'anthropic-version': '2023-06-01' }),
      post(`${h.url}/v1/responses`, `{"model":"shared","input":"x","metadata":${nest}}`),
      post(`${h.url}/v1/chat/completions`, `{"model":"shared","messages":[{"role":"user","content":"x"}],"vendor_field":${nest}}`),
    ];
    for (const r of await Promise.all(elsewhere)) {
      assert.equal(r.status, 400, r.text.slice(0, 200));
      assert.match(r.json.error.message, /server\.limits\.max_depth/);
    }
    assert.equal(h.sim.requests.length, 0, 'no hostile request reached an upstream');

    // 40 ordinary requests from other callers, across both providers of the route.
    for (let i = 0; i < 20; i++) {
      const r = await openai.chat.completions.create({ model: 'shared', messages: [{ role: 'user', content: `hello ${i}` }] });
      assert.ok(r.choices[0]!.message.content);
      const a = await anthropic.messages.create({ model: 'shared', max_tokens: 20, messages: [{ role: 'user', content: `hi ${i}` }] });
      assert.equal(a.type, 'message');
    }
    const health = await fetch(`${h.url}/admin/health`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.doesNotMatch(await health.text(), /"open"/, 'no breaker is open');
  });
});

describe('§1: configured limits reach the decoders', () => {
  test('server.limits.max_messages: 2 refuses a third message on chat and count_tokens', async () => {
    const small = await startHarness({ config: config(up.url), extra: 'server: { limits: { max_messages: 2 } }' });
    try {
      const three = [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content: 'c' }];
      const chat = await post(`${small.url}/v1/chat/completions`, { model: 'shared', messages: three });
      assert.equal(chat.status, 400);
      assert.match(chat.json.error.message, /3 messages exceeds the limit of 2 \(server\.limits\.max_messages\)/);
      const count = await post(`${small.url}/v1/messages/count_tokens`, { model: 'shared', messages: three }, { 'anthropic-version': '2023-06-01' });
      assert.equal(count.status, 400);
      assert.match(count.json.error.message, /server\.limits\.max_messages/);
      const two = await post(`${small.url}/v1/chat/completions`, { model: 'shared', messages: three.slice(1) });
      assert.equal(two.status, 200);
    } finally {
      await small.close();
    }
  });
});

describe('§5: a stream of the wrong schema is upstream_protocol, never an empty success', () => {
  test('openai SDK: falls back before the first byte to a real answer', async () => {
    const stream = await openai.chat.completions.create({ model: 'wrong-then-oai', stream: true, messages: [{ role: 'user', content: 'hello there' }] });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    assert.match(text, /Simulated reply/);
  });

  test('anthropic SDK: falls back too', async () => {
    const stream = anthropic.messages.stream({ model: 'wrong-then-oai', max_tokens: 50, messages: [{ role: 'user', content: 'hello there' }] });
    const final = await stream.finalMessage();
    const text = final.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
    assert.match(text, /Simulated reply/);
  });

  test('with no other target: a 502 upstream_protocol on chat, messages and responses (and non-streaming)', async () => {
    await assert.rejects(
      (async () => {
        const s = await openai.chat.completions.create({ model: 'only-wrong', stream: true, messages: [{ role: 'user', content: 'x' }] });
        for await (const _ of s) void _;
      })(),
      (e: unknown) => e instanceof OpenAI.APIError && e.status === 502 && /upstream_protocol/.test(String((e.error as { code?: string })?.code)),
    );
    await assert.rejects(
      anthropic.messages.stream({ model: 'only-wrong', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }).finalMessage(),
      (e: unknown) => e instanceof Anthropic.APIError && e.status === 502,
    );
    await assert.rejects(
      (async () => {
        const s = await openai.responses.create({ model: 'only-wrong', stream: true, input: 'x' });
        for await (const _ of s) void _;
      })(),
      (e: unknown) => e instanceof OpenAI.APIError && e.status === 502,
    );
    const plain = await post(`${h.url}/v1/chat/completions`, { model: 'only-wrong', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(plain.status, 502);
    assert.equal(plain.json.error.code, 'upstream_protocol');
  });
});

// These need the attempt loop (gateway/attempts.ts, the lead's) to call
// sanitizeUpstreamError(err, redactorFor(snapshot)) on every upstream error: see the report.

describe('§2: upstream error texts reach callers redacted', () => {
  test('an upstream that echoes the key: the caller sees neither the key nor its shape', async () => {
    const r = await post(`${h.url}/v1/chat/completions`, { model: 'only-echo', messages: [{ role: 'user', content: 'x' }] });
    assert.ok(r.status >= 400);
    assert.ok(!r.text.includes(UP_KEY), r.text);
    assert.match(r.json.error.message, /\[redacted\]/);
    await new Promise((res) => setTimeout(res, 300)); // the log batcher's flush interval
    assert.ok(!JSON.stringify(h.logs).includes(UP_KEY), 'nor does any log line');
  });

  test('an HTML 500 with a traceback: summarised for the caller', async () => {
    const r = await post(`${h.url}/v1/chat/completions`, { model: 'only-html', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(r.json.error.message, 'upstream returned an HTML error page, HTTP 500');
    for (const leak of ['corp.internal', '10.20.30.40', 'Traceback', UP_KEY]) assert.ok(!r.text.includes(leak), leak);
  });
});
