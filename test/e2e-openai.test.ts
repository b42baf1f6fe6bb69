// The OpenAI-compatible data plane end to end: official SDKs as clients, the simulated providers
// as upstreams, a real gateway on loopback in between.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText, jsonSchema, tool } from 'ai';
import { KEY, post, requestLogs, startHarness, type Harness } from './harness.js';
import { SKIP_NO_FIXTURES } from '../testkit/fixtures.js';

const CONFIG = `
server: { body_limit: 64kb }
providers:
  sim-openai:   { format: openai-chat, base_url: SIM/openai/v1, api_key: sk-up-openai }
  sim-mistral:  { preset: mistral, base_url: SIM/mistral/v1, api_key: sk-up-mistral }
  sim-qwen:     { preset: qwen, base_url: SIM/qwen/v1, api_key: sk-up-qwen }
  sim-deepseek: { preset: deepseek, base_url: SIM/deepseek/v1, api_key: sk-up-deepseek }
  sim-ollama:   { preset: ollama, base_url: SIM/ollama/v1 }
  sim-down:     { format: openai-chat, base_url: SIM/down/v1, api_key: k }
  sim-slow:     { format: openai-chat, base_url: SIM/slow/v1, api_key: k }
  sim-e429:     { format: openai-chat, base_url: SIM/e429/v1, api_key: k }
  sim-e500:     { format: openai-chat, base_url: SIM/e500/v1, api_key: k }
  sim-e503:     { format: openai-chat, base_url: SIM/e503/v1, api_key: k }
  sim-reset:    { format: openai-chat, base_url: SIM/reset/v1, api_key: k }
  sim-flaky:    { format: openai-chat, base_url: SIM/flaky/v1, api_key: k }
  sim-claude:   { preset: anthropic, base_url: SIM/anthropic/v1, api_key: k }
deployments:
  oai:      { provider: sim-openai, model: up-model-1 }
  mistral:  { provider: sim-mistral, model: up-model-2 }
  qwen:     { provider: sim-qwen, model: up-model-3 }
  deepseek: { provider: sim-deepseek, model: up-model-4 }
  ollama:   { provider: sim-ollama, model: up-model-5 }
  down:     { provider: sim-down, model: up-model-6 }
  slow:     { provider: sim-slow, model: up-model-7, timeouts: { first_byte: 300ms, total: 2s } }
  embed:    { provider: sim-openai, model: up-embed, capabilities: { embeddings: true } }
  e429:     { provider: sim-e429, model: m }
  e500:     { provider: sim-e500, model: m }
  e503:     { provider: sim-e503, model: m }
  reset:    { provider: sim-reset, model: m }
  flaky:    { provider: sim-flaky, model: m }
  embed-bad: { provider: sim-claude, model: m, capabilities: { embeddings: true } }
  embed-503: { provider: sim-e503, model: m, capabilities: { embeddings: true } }
routes:
  chat:         { targets: [oai] }
  mistral:      { targets: [mistral] }
  qwen:         { targets: [qwen] }
  deepseek:     { targets: [deepseek] }
  ollama:       { targets: [ollama] }
  with-fallback: { targets: [down, oai] }
  only-down:    { targets: [down] }
  only-slow:    { targets: [slow] }
  embed:        { targets: [embed] }
  only-e429:    { targets: [e429] }
  only-e500:    { targets: [e500] }
  only-e503:    { targets: [e503] }
  only-reset:   { targets: [reset] }
  flaky-then-oai: { targets: [flaky, oai] }
  embed-wrong-format: { targets: [embed-bad] }
  embed-fallback: { targets: [embed-503, embed] }
  chat-hidden:  { targets: [oai], expose_deployment: false }
  embed-hidden: { targets: [embed], expose_deployment: false }
`;

let h: Harness;
let client: OpenAI;

before(async () => {
  h = await startHarness({ config: CONFIG });
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: KEY, maxRetries: 0 });
});
after(async () => h.close());

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('openai SDK against the gateway', () => {
  test('non-streaming chat: the route name comes back as model, usage is there, the upstream got its model id', async () => {
    h.sim.reset();
    const r = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'Say hello to the gateway' }] });
    assert.equal(r.model, 'chat');
    assert.equal(r.object, 'chat.completion');
    assert.ok(r.choices[0]!.message.content!.length > 0);
    assert.equal(r.choices[0]!.finish_reason, 'stop');
    assert.ok(r.usage!.prompt_tokens > 0 && r.usage!.completion_tokens > 0);
    const up = h.sim.requests.at(-1)!;
    assert.equal(up.path, '/openai/v1/chat/completions');
    assert.equal((up.body as { model: string }).model, 'up-model-1');
    assert.equal(up.headers.authorization, 'Bearer sk-up-openai', 'the provider key, never the caller key');
  });

  test('the request fields reach the upstream translated (tools, tool_choice, response_format, stop, seed, user, metadata, max tokens)', async () => {
    h.sim.reset();
    await client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'weather?' }],
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      response_format: { type: 'json_schema', json_schema: { name: 'w', schema: { type: 'object', properties: {} } } },
      stop: ['END'],
      seed: 7,
      user: 'u-1',
      metadata: { team: 'support' },
      max_completion_tokens: 50,
      temperature: 0.3,
    });
    const body = h.sim.requests.at(-1)!.body as Record<string, any>;
    assert.deepEqual(body.tools[0].function.name, 'get_weather');
    assert.deepEqual(body.tool_choice, { type: 'function', function: { name: 'get_weather' } });
    assert.equal(body.response_format.type, 'json_schema');
    assert.deepEqual(body.stop, ['END']);
    assert.equal(body.seed, 7);
    assert.equal(body.user, 'u-1');
    assert.deepEqual(body.metadata, { team: 'support' });
    assert.equal(body.temperature, 0.3);
    assert.equal(body.max_tokens ?? body.max_completion_tokens, 50);
  });

  test('the mistral preset drops what Mistral rejects and says so in x-modelplane-warnings', async () => {
    h.sim.reset();
    const res = await client.chat.completions
      .create({ model: 'mistral', messages: [{ role: 'user', content: 'hi' }], seed: 3, user: 'u' })
      .withResponse();
    const body = h.sim.requests.at(-1)!.body as Record<string, unknown>;
    assert.equal(body.seed, undefined);
    assert.equal(body.user, undefined);
    assert.match(res.response.headers.get('x-modelplane-warnings') ?? '', /seed/);
  });

  test('streaming with include_usage: role first, text deltas, finish, a final usage chunk with choices []', async () => {
    const stream = await client.chat.completions.create({
      model: 'chat',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Stream me a sentence about gateways' }],
    });
    let text = '';
    const chunks = [];
    for await (const c of stream) {
      chunks.push(c);
      text += c.choices[0]?.delta?.content ?? '';
    }
    assert.ok(text.length > 10);
    assert.equal(chunks[0]!.choices[0]!.delta.role, 'assistant');
    assert.ok(chunks.some((c) => c.choices[0]?.finish_reason === 'stop'));
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.ok(last.usage!.total_tokens > 0);
    assert.ok(chunks.every((c) => c.model === 'chat'));
  });

  test('without include_usage the stream carries no usage chunk (the gateway still asked the upstream for it)', async () => {
    h.sim.reset();
    const { data: stream, response } = await client.chat.completions.create({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'x' }] }).withResponse();
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    assert.ok(chunks.every((c) => c.choices.length > 0 && !c.usage));
    assert.deepEqual((h.sim.requests.at(-1)!.body as any).stream_options, { include_usage: true });
    const line = await h.log.requestLine(response.headers.get('x-request-id'));
    assert.ok((line.tokens_out as number) > 0, 'usage is known to the gateway for metering');
  });

  for (const route of ['chat', 'mistral', 'qwen', 'deepseek', 'ollama']) {
    test(`chat.completions.stream() helper with tools through the ${route} upstream yields a complete tool call`, async () => {
      const runner = client.chat.completions.stream({
        model: route,
        messages: [{ role: 'user', content: 'What is the weather in Oslo?' }],
        tools: [weatherTool],
      });
      const final = await runner.finalChatCompletion();
      const call = final.choices[0]!.message.tool_calls?.[0];
      assert.ok(call, `tool call present (${JSON.stringify(final.choices[0]!.message)})`);
      assert.equal(call.type, 'function');
      assert.ok(call.id.length > 0);
      assert.equal(call.type === 'function' && call.function.name, 'get_weather');
      assert.doesNotThrow(() => JSON.parse(call.type === 'function' ? call.function.arguments : ''));
      assert.equal(final.choices[0]!.finish_reason, 'tool_calls');
    });
  }

  test('captured streams replayed by the simulator come out spec-conformant (Mistral tool call without index)', { skip: SKIP_NO_FIXTURES }, async () => {
    const runner = client.chat.completions.stream({
      model: 'mistral',
      messages: [{ role: 'user', content: 'fixture:mistral/chat-tool-call.stream.chunks.txt' }],
      tools: [weatherTool],
    });
    const final = await runner.finalChatCompletion();
    const calls = final.choices[0]!.message.tool_calls ?? [];
    assert.equal(calls.length, 1, 'the SDK helper keeps the tool call');
    assert.ok(calls[0]!.id.length > 0);
  });

  test('captured Qwen and DeepSeek reasoning streams: reasoning_content reaches the client, usage too', { skip: SKIP_NO_FIXTURES }, async () => {
    for (const [route, fixture] of [['qwen', 'qwen/chat-reasoning.stream.chunks.txt'], ['deepseek', 'deepseek/chat-reasoning.stream.sse']] as const) {
      const stream = await client.chat.completions.create({ model: route, stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: `fixture:${fixture}` }] });
      let reasoning = '';
      let content = '';
      let usage;
      for await (const c of stream) {
        const d = c.choices[0]?.delta as { reasoning_content?: string; content?: string } | undefined;
        reasoning += d?.reasoning_content ?? '';
        content += d?.content ?? '';
        if (c.usage) usage = c.usage;
      }
      assert.ok(reasoning.length > 20, `${route} reasoning`);
      assert.ok(content.length > 0, `${route} content`);
      assert.ok(usage && usage.completion_tokens > 0, `${route} usage`);
    }
  });

  test('expose_deployment: false hides the deployment id behind an opaque one, for chat and embeddings alike', async () => {
    const chat = await client.chat.completions.create({ model: 'chat-hidden', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    const emb = await client.embeddings.create({ model: 'embed-hidden', input: 'hi' }).withResponse();
    const shown = [chat.response.headers.get('x-modelplane-deployment'), emb.response.headers.get('x-modelplane-deployment')];
    for (const v of shown) assert.match(v ?? '', /^dep_[0-9a-f]+$/);
    assert.notEqual(shown[0], shown[1]);
    const open = await client.embeddings.create({ model: 'embed', input: 'hi' }).withResponse();
    assert.equal(open.response.headers.get('x-modelplane-deployment'), 'embed', 'exposed by default');
  });

  test('embeddings: base64 (the SDK default) and float both decode to the same vector', async () => {
    const b64 = await client.embeddings.create({ model: 'embed', input: ['hello world', 'second'] });
    const flt = await client.embeddings.create({ model: 'embed', input: ['hello world', 'second'], encoding_format: 'float' });
    assert.equal(b64.data.length, 2);
    assert.equal(b64.model, 'embed');
    assert.equal(b64.data[0]!.embedding.length, flt.data[0]!.embedding.length);
    b64.data[0]!.embedding.forEach((v, i) => assert.ok(Math.abs(v - flt.data[0]!.embedding[i]!) < 1e-6));
    assert.ok(flt.usage.prompt_tokens > 0);
  });

  test('a chat request to an embeddings route is a clear 400, not an upstream error', async () => {
    const before = h.sim.requests.length;
    const r = await post(`${h.url}/v1/chat/completions`, { model: 'embed', messages: [{ role: 'user', content: 'x' }] });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.param, 'model');
    assert.match(r.json.error.message, /serves embeddings/);
    assert.equal(h.sim.requests.length, before, 'no upstream call');
  });

  test('embeddings use the same attempt loop: fallback on a 503, a clear 400 for a format without embeddings', async () => {
    h.sim.setFault('/e503', { status: 503 });
    const res = await client.embeddings.create({ model: 'embed-fallback', input: 'x' }).withResponse();
    assert.equal(res.data.data.length, 1);
    assert.equal(res.response.headers.get('x-modelplane-deployment'), 'embed');
    assert.equal(res.response.headers.get('x-modelplane-fallback-reason'), 'upstream_unavailable');
    h.sim.setFault('/e503', null);
    const bad = await post(`${h.url}/v1/embeddings`, { model: 'embed-wrong-format', input: 'x' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error.message, /cannot serve embeddings/);
  });

  test('GET /v1/models lists routes, not provider models; GET /v1/models/{route} works', async () => {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    assert.ok(ids.includes('chat') && ids.includes('with-fallback'));
    assert.ok(!ids.some((id) => id.startsWith('up-model')));
    const one = await client.models.retrieve('chat');
    assert.equal(one.id, 'chat');
    await assert.rejects(client.models.retrieve('nope'), (e: unknown) => e instanceof OpenAI.NotFoundError);
  });
});

describe('Vercel AI SDK (@ai-sdk/openai chat model) against the gateway', () => {
  test('generateText and streamText work unmodified, tools included', async () => {
    const provider = createOpenAI({ baseURL: `${h.url}/v1`, apiKey: KEY });
    const g = await generateText({ model: provider.chat('chat'), prompt: 'Say something' });
    assert.ok(g.text.length > 0);
    assert.ok((g.usage.inputTokens ?? 0) > 0);
    const s = streamText({ model: provider.chat('deepseek'), prompt: 'Stream something' });
    let text = '';
    for await (const t of s.textStream) text += t;
    assert.ok(text.length > 0);
    const withTool = await generateText({
      model: provider.chat('mistral'),
      prompt: 'weather in Oslo?',
      tools: { get_weather: tool({ description: 'w', inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }) }) },
    });
    assert.equal(withTool.toolCalls[0]?.toolName, 'get_weather');
  });
});

describe('errors come back in OpenAI shape with the right status', () => {
  test('malformed JSON -> 400 invalid_json', async () => {
    const r = await post(`${h.url}/v1/chat/completions`, '{"model":');
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'invalid_json');
    assert.equal(r.json.error.type, 'invalid_request_error');
  });

  test('schema violations name the field', async () => {
    const r = await post(`${h.url}/v1/chat/completions`, { model: 'chat', messages: [{ role: 'user' }] });
    assert.equal(r.status, 400);
    assert.match(r.json.error.message, /messages\[0\]/);
    assert.equal(r.json.error.param?.startsWith('messages[0]'), true);
    const t = await post(`${h.url}/v1/chat/completions`, { model: 'chat', messages: [{ role: 'user', content: 'x' }], temperature: 'hot' });
    assert.equal(t.status, 400);
    assert.equal(t.json.error.param, 'temperature');
  });

  test('unknown route -> 404 model_not_found, via the SDK too', async () => {
    await assert.rejects(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }), (e: any) => {
      assert.ok(e instanceof OpenAI.NotFoundError);
      assert.equal(e.code, 'model_not_found');
      return true;
    });
  });

  test('missing or wrong key -> 401', async () => {
    const noKey = await fetch(`${h.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    assert.equal(noKey.status, 401);
    assert.equal(((await noKey.json()) as any).error.type, 'authentication_error');
    const bad = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: 'sk-wrong', maxRetries: 0 });
    await assert.rejects(bad.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }), OpenAI.AuthenticationError);
    // Same length as the real key, one character off (first, last); and the key plus a suffix.
    for (const wrong of ['x' + KEY.slice(1), KEY.slice(0, -1) + 'x', KEY + 'x', `${KEY.toUpperCase()}`]) {
      const r = await fetch(`${h.url}/v1/models`, { headers: { authorization: `Bearer ${wrong}` } });
      assert.equal(r.status, 401, wrong);
    }
    const ok = await fetch(`${h.url}/v1/models`, { headers: { authorization: `bearer   ${KEY}` } });
    assert.equal(ok.status, 200, 'the scheme is case-insensitive and extra spaces are ignored');
  });

  test('a body over the limit -> 413 without a hang', async () => {
    const r = await post(`${h.url}/v1/chat/completions`, { model: 'chat', messages: [{ role: 'user', content: 'x'.repeat(70_000) }] });
    assert.equal(r.status, 413);
    assert.equal(r.json.error.code, 'payload_too_large');
  });

  test('upstream 429 keeps its retry-after and message; 5xx -> 502/503; timeouts -> 504', async () => {
    // One deployment per fault: the router's health state (a 429 cools its key down) is shared.
    const ask = (route: string) => post(`${h.url}/v1/chat/completions`, { model: route, messages: [{ role: 'user', content: 'x' }] });
    h.sim.setFault('/e429', { status: 429, retryAfter: 7 });
    const r429 = await ask('only-e429');
    assert.equal(r429.status, 429);
    assert.equal(r429.headers.get('retry-after'), '7');
    assert.equal(r429.json.error.type, 'rate_limit_error');
    assert.ok(r429.json.error.message.length > 0);
    const cooling = await ask('only-e429');
    assert.equal(cooling.status, 503, 'the key is cooling down for its retry-after: no upstream call');
    assert.equal(cooling.json.error.code, 'no_healthy_deployment');
    assert.ok(Number(cooling.headers.get('retry-after')) >= 1);
    h.sim.setFault('/e500', { status: 500 });
    const r500 = await ask('only-e500');
    assert.equal(r500.status, 502);
    assert.equal(r500.json.error.type, 'api_error');
    assert.ok(r500.json.error.message.length > 0, 'the upstream message is kept');
    h.sim.setFault('/e503', { status: 503 });
    const r503 = await ask('only-e503');
    assert.equal(r503.status, 503);
    h.sim.setFault('/reset', { reset: true });
    const reset = await ask('only-reset');
    assert.equal(reset.status, 502);
    assert.equal(reset.json.error.code, 'upstream_connection');
    h.sim.setFault('/slow', { latencyMs: 1500 });
    const slow = await ask('only-slow');
    assert.equal(slow.status, 504);
    assert.equal(slow.json.error.code, 'upstream_timeout');
    for (const s of ['/e429', '/e500', '/e503', '/reset', '/slow']) h.sim.setFault(s, null);
  });

  test('unknown path -> 404 in OpenAI shape; wrong method -> 405', async () => {
    const r = await fetch(`${h.url}/v1/nothing`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(r.status, 404);
    assert.equal(((await r.json()) as any).error.code, 'not_found');
    const m = await fetch(`${h.url}/v1/chat/completions`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(m.status, 405);
  });
});

describe('fallback, streams and logs', () => {
  test('a retryable failure on the first target falls back; headers say what happened', async () => {
    h.sim.setFault('/flaky', { status: 503 });
    const res = await client.chat.completions.create({ model: 'flaky-then-oai', messages: [{ role: 'user', content: 'x' }] }).withResponse();
    assert.ok(res.data.choices[0]!.message.content);
    assert.equal(res.response.headers.get('x-modelplane-route'), 'flaky-then-oai');
    assert.equal(res.response.headers.get('x-modelplane-deployment'), 'oai');
    assert.equal(res.response.headers.get('x-modelplane-attempts'), '2');
    assert.equal(res.response.headers.get('x-modelplane-fallback-reason'), 'upstream_unavailable');
    h.sim.setFault('/flaky', null);
  });

  test('a stream that dies before any content falls back silently', async () => {
    // The gateway commits on the upstream's first event (its role chunk); the cut comes after it,
    // before any content. The client sees one well-formed stream, from the fallback target.
    h.sim.setFault('/down', { cutAfterChunks: 1 });
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'with-fallback', stream: true, messages: [{ role: 'user', content: 'hello there' }] })
      .withResponse();
    let text = '';
    let roles = 0;
    let finish: string | null | undefined;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? '';
      if (c.choices[0]?.delta?.role) roles++;
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    assert.ok(text.length > 0);
    assert.equal(roles, 1, 'one role chunk, not one per attempt');
    assert.equal(finish, 'stop');
    const line = await h.log.requestLine(response.headers.get('x-request-id'));
    assert.equal(line.status, 200);
    assert.equal(line.attempts, 2);
    assert.equal(line.deployment, 'oai', 'the log names the target that answered');
    assert.deepEqual(line.fallback_reasons, ['stream_interrupted']);
    assert.equal(line.error, undefined);
    h.sim.setFault('/down', null);
  });

  test('a stream whose every target dies after its first event ends with an error event, not a hang', async () => {
    h.sim.setFault('/down', { cutAfterChunks: 1 });
    h.sim.setFault('/openai', { cutAfterChunks: 1 });
    const stream = await client.chat.completions.create({ model: 'with-fallback', stream: true, messages: [{ role: 'user', content: 'hello there' }] });
    await assert.rejects(async () => {
      for await (const c of stream) void c;
    }, (e: unknown) => e instanceof OpenAI.APIError && /stream/i.test((e as Error).message));
    h.sim.setFault('/down', null);
    h.sim.setFault('/openai', null);
  });

  test('a stream cut after content ends with a well-formed error event the SDK raises', async () => {
    h.sim.setFault('/openai', { cutAfterChunks: 4 });
    const stream = await client.chat.completions.create({ model: 'chat', stream: true, messages: [{ role: 'user', content: 'a long enough prompt for several chunks of reply text' }] });
    let text = '';
    await assert.rejects(async () => {
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    }, (e: unknown) => {
      assert.ok(e instanceof OpenAI.APIError, String(e));
      assert.match((e as Error).message, /stream/i);
      return true;
    });
    assert.ok(text.length > 0, 'content before the cut was delivered');
    h.sim.setFault('/openai', null);
  });

  test('one structured log line per request with the promised fields, and no prompt text or keys', async () => {
    const secretPrompt = 'TOP-SECRET-PROMPT-TEXT';
    const json = await client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: secretPrompt }] }).withResponse();
    const s = await client.chat.completions.create({ model: 'chat', stream: true, messages: [{ role: 'user', content: secretPrompt }] }).withResponse();
    for await (const _ of s.data) void _;
    const lines = [await h.log.requestLine(json.response.headers.get('x-request-id')), await h.log.requestLine(s.response.headers.get('x-request-id'))];
    for (const l of lines) assert.equal(requestLogs(h).filter((x) => x.request_id === l.request_id).length, 1, 'one line per request');
    for (const l of lines) {
      for (const k of ['request_id', 'route', 'deployment', 'status', 'latency_ms', 'tokens_in', 'tokens_out']) assert.ok(l[k] !== undefined, `${k} in ${JSON.stringify(l)}`);
    }
    assert.ok(typeof lines[1]!.ttft_ms === 'number');
    const all = JSON.stringify(h.logs);
    assert.ok(!all.includes(secretPrompt), 'prompt text never logged');
    assert.ok(!all.includes(KEY) && !all.includes('sk-up-openai'), 'keys never logged');
  });

  test('bad input leaves no request log line', async () => {
    const bad = [
      await post(`${h.url}/v1/chat/completions`, { model: 'chat', messages: 'nope' }),
      await post(`${h.url}/v1/chat/completions`, { model: 'nope', messages: [{ role: 'user', content: 'x' }] }),
    ];
    for (const r of bad) assert.equal(r.status >= 400 && r.status < 500, true, r.text);
    // A good request sent after them: once its line is written, a line for either bad request
    // (written when its response left, before this one was even sent) would be there too.
    const marker = await post(`${h.url}/v1/chat/completions`, { model: 'chat', messages: [{ role: 'user', content: 'marker' }] });
    await h.log.requestLine(marker.headers.get('x-request-id'));
    const badIds = bad.map((r) => r.headers.get('x-request-id')).filter((id) => id !== null);
    assert.deepEqual(requestLogs(h).filter((l) => badIds.includes(l.request_id as string)), []);
    assert.equal(requestLogs(h).filter((l) => l.status !== 200 && l.route === 'nope').length, 0);
  });

  test('healthz and readyz answer without a key', async () => {
    assert.equal((await fetch(`${h.url}/healthz`)).status, 200);
    const ready = (await (await fetch(`${h.url}/readyz`)).json()) as { status: string; config_version: number };
    assert.equal(ready.status, 'ready');
    assert.equal(ready.config_version, 1);
  });
});
