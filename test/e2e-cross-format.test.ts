// Cross-format end to end, beyond the scenario matrix of test/conformance.test.ts (which runs every
// client format against every upstream format: text, tools, reasoning, images, usage, finish
// reasons, errors, stream cuts): Gemini's minted call ids, count_tokens, captured provider streams
// replayed to a client of the other protocol, errors in the caller's own shape, fallback across
// formats, and warnings for fields a target format cannot express.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { KEY, post, startHarness, type Harness } from './harness.js';
import { readChunks, readFixture, readFixtureText, SKIP_NO_FIXTURES } from '../testkit/fixtures.js';
import { decodeEvents } from '../testkit/providers/bedrock.js';
import {
  anthropicClient,
  collectChat,
  CONFIG,
  faultRoute,
  MIXED_ROUTES,
  openaiClient,
  openaiWeatherTool,
  simulatedReply,
} from './cross-format-kit.js';
import { lastUpstreamBody } from './conformance-egress.js';

type Obj = Record<string, any>;

let h: Harness;
let oc: OpenAI;
let ac: Anthropic;

before(async () => {
  h = await startHarness({ config: CONFIG });
  oc = openaiClient(h);
  ac = anthropicClient(h);
});
after(async () => h.close());

const user = (content: string) => ({ role: 'user' as const, content });

test('tool call ids coming from Gemini are unique within a conversation', async () => {
  // Gemini has no call ids: the gateway mints random ones. Two answers to the same question must
  // not share an id, or a later fallback to Anthropic would send duplicate tool_use ids.
  const tools = [openaiWeatherTool];
  const ask = async () => (await oc.chat.completions.create({ model: 'gem', messages: [user('weather in Oslo?')], tools })).choices[0]!.message.tool_calls![0]!.id;
  const [a, b] = [await ask(), await ask()];
  assert.match(a, /^call_[0-9a-f]{16}/);
  assert.notEqual(a, b);
});

describe('@anthropic-ai/sdk: count_tokens and a captured reasoning stream', () => {
  test('count_tokens asks the upstream where its format can count (Anthropic, Gemini), else answers from the local estimate, and says which', async () => {
    h.sim.reset();
    const question = 'a much longer question about many things '.repeat(20);
    // Gemini: countTokens on the route's deployment; the answer is the upstream's figure.
    const gem = await ac.messages.countTokens({ model: 'gem', messages: [user(question)] }).withResponse();
    assert.equal(gem.response.headers.get('x-modelplane-token-count'), 'upstream; deployment=gem');
    const gemCall = h.sim.requests.find((r) => r.path.endsWith(':countTokens'))!;
    assert.ok(gemCall, 'the Gemini count endpoint was called');
    assert.equal((gemCall.body as Obj).generateContentRequest.model, 'models/up-gemini-model');
    // Anthropic: /v1/messages/count_tokens, with the prompt fields only (no max_tokens, no stream).
    const ant = await ac.messages.countTokens({ model: 'ant', system: 'be brief', messages: [user(question)] }).withResponse();
    assert.equal(ant.response.headers.get('x-modelplane-token-count'), 'upstream; deployment=ant');
    const antCall = h.sim.requests.find((r) => r.path.endsWith('/messages/count_tokens'))!;
    assert.deepEqual(Object.keys(antCall.body as Obj).sort(), ['messages', 'model', 'system']);
    // The simulator counts the same text the same way on both.
    assert.equal(ant.data.input_tokens > 0 && gem.data.input_tokens > 0, true);
    // Bedrock and OpenAI chat have no count endpoint: the local estimate, no upstream call.
    const before = h.sim.requests.length;
    const short = await ac.messages.countTokens({ model: 'bed', messages: [user('hi')] }).withResponse();
    const long = await ac.messages.countTokens({ model: 'oai', system: 'be brief', messages: [user(question)] }).withResponse();
    assert.equal(short.response.headers.get('x-modelplane-token-count'), 'estimate');
    assert.equal(long.response.headers.get('x-modelplane-token-count'), 'estimate');
    assert.ok(long.data.input_tokens > short.data.input_tokens && short.data.input_tokens > 0);
    assert.equal(h.sim.requests.length, before);
    // A failing count endpoint falls back to the estimate instead of failing the call.
    h.sim.setFault('/anthropic/v1/messages/count_tokens', { status: 500 });
    try {
      const failed = await ac.messages.countTokens({ model: 'ant', messages: [user(question)] }).withResponse();
      assert.equal(failed.response.headers.get('x-modelplane-token-count'), 'estimate');
      assert.ok(failed.data.input_tokens > 0);
    } finally {
      h.sim.setFault('/anthropic/v1/messages/count_tokens', null);
    }
    await assert.rejects(ac.messages.countTokens({ model: 'nope', messages: [user('hi')] }), Anthropic.NotFoundError);
  });

  test('a captured DeepSeek reasoning stream arrives as a thinking block, then text', { skip: SKIP_NO_FIXTURES }, async () => {
    const chunks = sseData(readFixtureText('deepseek/chat-reasoning.stream.sse'));
    const reasoning = chunks.map((c) => c.choices?.[0]?.delta?.reasoning_content ?? '').join('');
    const content = chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('');
    const usage = chunks.find((c) => c.usage)!.usage;
    const fm = await ac.messages.stream({ model: 'ds', max_tokens: 1024, messages: [user('fixture:deepseek/chat-reasoning.stream.sse')] }).finalMessage();
    assert.equal(fm.content.length, 2);
    assert.deepEqual(fm.content[0], { type: 'thinking', thinking: reasoning, signature: '' });
    assert.deepEqual(fm.content[1], { type: 'text', text: content });
    assert.equal(fm.usage.output_tokens, usage.completion_tokens);
    assert.equal(fm.usage.input_tokens, usage.prompt_tokens - usage.prompt_cache_hit_tokens);
    assert.equal(fm.usage.cache_read_input_tokens, usage.prompt_cache_hit_tokens);
  });
});

/** JSON payloads of an SSE capture's data lines (tolerates padding, CRLF and [DONE]). */
function sseData(text: string): Obj[] {
  return text
    .split(/\r?\n/)
    .filter((l) => l.startsWith('data:') && l.slice(5).trim() !== '[DONE]')
    .map((l) => JSON.parse(l.slice(5)) as Obj);
}

async function replay(route: string, fixture: string) {
  return collectChat(await oc.chat.completions.create({ model: route, stream: true, stream_options: { include_usage: true }, messages: [user(`fixture:${fixture}`)] }));
}

describe('captured provider streams replayed to an openai SDK client', { skip: SKIP_NO_FIXTURES }, () => {
  test('Anthropic thinking stream (raw SSE, padded JSON): reasoning_content, text, usage', async () => {
    const ev = sseData(readFixtureText('anthropic/messages-thinking.stream.sse'));
    const deltas = ev.filter((e) => e.type === 'content_block_delta').map((e) => e.delta);
    const start = ev.find((e) => e.type === 'message_start')!.message.usage;
    const end = ev.find((e) => e.type === 'message_delta')!.usage;
    const s = await replay('ant', 'anthropic/messages-thinking.stream.sse');
    assert.equal(s.reasoning, deltas.map((d) => d.thinking ?? '').join(''));
    assert.equal(s.text, deltas.map((d) => d.text ?? '').join(''));
    assert.ok(s.reasoning.length > 20 && s.text.length > 20);
    assert.equal(s.finish, 'stop');
    const input = start.input_tokens + start.cache_read_input_tokens + start.cache_creation_input_tokens;
    assert.equal(s.usage!.prompt_tokens, input, 'canonical prompt tokens include cached ones');
    assert.equal(s.usage!.prompt_tokens_details!.cached_tokens, start.cache_read_input_tokens);
    assert.equal(s.usage!.completion_tokens, end.output_tokens);
  });

  test('Anthropic tool_use stream: one tool call with the upstream id, arguments reassembled', async () => {
    const ev = readChunks('anthropic/messages-tool-use.stream.chunks.txt') as Obj[];
    const block = ev.find((e) => e.type === 'content_block_start' && e.content_block.type === 'tool_use')!.content_block;
    const args = ev.filter((e) => e.delta?.type === 'input_json_delta').map((e) => e.delta.partial_json).join('');
    const s = await replay('ant', 'anthropic/messages-tool-use.stream.chunks.txt');
    assert.equal(s.calls.length, 1);
    assert.equal(s.calls[0]!.id, block.id);
    assert.equal(s.calls[0]!.name, block.name);
    assert.equal(s.calls[0]!.arguments, args);
    assert.doesNotThrow(() => JSON.parse(s.calls[0]!.arguments));
    assert.equal(s.finish, 'tool_calls');
    assert.equal(s.usage!.completion_tokens, ev.find((e) => e.type === 'message_delta')!.usage.output_tokens);
  });

  test('Gemini thinking + functionCall stream: reasoning, a tool call, reasoning tokens', async () => {
    const ev = sseData(readFixtureText('gemini/streamGenerateContent-thinking-function-call.sse'));
    const parts = ev.flatMap((e) => e.candidates?.[0]?.content?.parts ?? []);
    const fc = parts.find((p: Obj) => p.functionCall).functionCall;
    const meta = ev.at(-1)!.usageMetadata;
    const s = await replay('gem', 'gemini/streamGenerateContent-thinking-function-call.sse');
    assert.equal(s.reasoning, parts.filter((p: Obj) => p.thought).map((p: Obj) => p.text).join(''));
    assert.equal(s.calls.length, 1);
    assert.equal(s.calls[0]!.name, fc.name);
    assert.deepEqual(JSON.parse(s.calls[0]!.arguments), fc.args ?? {});
    assert.equal(s.finish, 'tool_calls');
    assert.equal(s.usage!.completion_tokens_details!.reasoning_tokens, meta.thoughtsTokenCount);
    assert.equal(s.usage!.prompt_tokens, meta.promptTokenCount);
    assert.equal(s.usage!.completion_tokens, meta.candidatesTokenCount + meta.thoughtsTokenCount);
  });

  test('Bedrock thinking eventstream (binary): reasoning, text, usage from the trailing metadata event', async () => {
    const ev = decodeEvents(readFixture('bedrock/converse-stream-thinking.eventstream'));
    const deltas = ev.filter((e) => e.type === 'contentBlockDelta').map((e) => (e.payload as Obj).delta);
    const usage = (ev.find((e) => e.type === 'metadata')!.payload as Obj).usage;
    const s = await replay('bed', 'bedrock/converse-stream-thinking.eventstream');
    assert.equal(s.reasoning, deltas.map((d) => d.reasoningContent?.text ?? '').join(''));
    assert.equal(s.text, deltas.map((d) => d.text ?? '').join(''));
    assert.equal(s.finish, 'stop');
    assert.equal(s.usage!.prompt_tokens, usage.inputTokens + (usage.cacheReadInputTokens ?? 0) + (usage.cacheWriteInputTokens ?? 0));
    assert.equal(s.usage!.completion_tokens, usage.outputTokens);
  });

  test('Anthropic thinking capture to an Anthropic client keeps the signature byte for byte', async () => {
    const ev = sseData(readFixtureText('anthropic/messages-thinking.stream.sse'));
    const signature = ev.filter((e) => e.delta?.type === 'signature_delta').map((e) => e.delta.signature).join('');
    const fm = await ac.messages.stream({ model: 'ant', max_tokens: 2048, messages: [user('fixture:anthropic/messages-thinking.stream.sse')] }).finalMessage();
    const t = fm.content[0];
    assert.ok(t?.type === 'thinking');
    assert.equal(t.signature, signature);
  });
});

describe('our own documented-shape provider streams (testkit/fixtures-own) replayed to a client of the other protocol', () => {
  test('Anthropic thinking + tool_use stream to an openai client: reasoning_content, text, the call with its upstream id, usage', async () => {
    const s = await replay('ant', 'own/anthropic/messages-thinking-tool-use.stream.sse');
    assert.equal(s.reasoning, 'The user wants the weather; I should call get_weather for Oslo.');
    assert.equal(s.text, 'Let me look that up.');
    assert.deepEqual(s.calls.map((c) => [c.id, c.name, c.arguments]), [['toolu_01OwnStreamHhhhhhhhhhhh', 'get_weather', '{"city": "Oslo"}']]);
    assert.equal(s.finish, 'tool_calls');
    assert.deepEqual([s.usage!.prompt_tokens, s.usage!.completion_tokens], [512, 96]);
  });

  test('Gemini thinking + functionCall stream (CRLF SSE) to an openai client: reasoning, a minted call id, reasoning tokens', async () => {
    const s = await replay('gem', 'own/gemini/streamGenerateContent-thinking-function-call.sse');
    assert.equal(s.reasoning, '**Planning the lookup**\n\nThe user asks about Oslo weather; I will call get_weather.');
    assert.equal(s.calls.length, 1);
    assert.match(s.calls[0]!.id, /^call_[0-9a-f]{16}_s/, 'the thought signature rides in the id');
    assert.deepEqual(JSON.parse(s.calls[0]!.arguments), { city: 'Oslo' });
    assert.equal(s.finish, 'tool_calls');
    assert.deepEqual([s.usage!.prompt_tokens, s.usage!.completion_tokens, s.usage!.completion_tokens_details!.reasoning_tokens], [40, 69, 54]);
  });

  test('Bedrock reasoning stream (binary eventstream from the simulator) to an openai client: reasoning, text, usage from metadata', async () => {
    const s = await replay('bed', 'own/bedrock/converse-stream-reasoning.chunks.txt');
    assert.equal(s.reasoning, 'The user greets me; a short friendly reply fits.');
    assert.equal(s.text, 'Hello! How can I help?');
    assert.equal(s.finish, 'stop');
    assert.deepEqual([s.usage!.prompt_tokens, s.usage!.completion_tokens], [38, 49]);
  });

  test('Bedrock tool-use stream (raw eventstream bytes) to an Anthropic client, and OpenAI parallel tool calls to an Anthropic client', async () => {
    const bed = await ac.messages.stream({ model: 'bed', max_tokens: 256, messages: [user('fixture:own/bedrock/converse-stream-tool-use.eventstream')] }).finalMessage();
    assert.deepEqual(bed.content, [
      { type: 'text', text: 'Checking the weather.' },
      { type: 'tool_use', id: 'tooluse_OwnStreamCcccccccccc', name: 'get_weather', input: { city: 'Oslo' } },
    ]);
    assert.equal(bed.stop_reason, 'tool_use');
    const oai = await ac.messages.stream({ model: 'oai', max_tokens: 256, messages: [user('fixture:own/openai/chat-tool-calls.stream.sse')] }).finalMessage();
    assert.deepEqual(oai.content, [
      { type: 'tool_use', id: 'call_own_stream_1', name: 'get_weather', input: { city: 'Oslo' } },
      { type: 'tool_use', id: 'call_own_stream_2', name: 'get_time', input: { zone: 'Europe/Oslo' } },
    ]);
    assert.deepEqual([oai.usage.input_tokens, oai.usage.output_tokens], [96, 41]);
  });
});

describe("errors come back in the caller's own format", () => {
  const asAnthropic = { authorization: '', 'x-api-key': KEY };

  test('Anthropic client: a bad request is a 400 invalid_request_error naming the field', async () => {
    const noMax = await post(`${h.url}/v1/messages`, { model: 'oai', messages: [user('x')] }, asAnthropic);
    assert.equal(noMax.status, 400);
    assert.deepEqual(Object.keys(noMax.json), ['type', 'error']);
    assert.equal(noMax.json.type, 'error');
    assert.equal(noMax.json.error.type, 'invalid_request_error');
    assert.match(noMax.json.error.message, /^max_tokens/);
    const badTemp = await post(`${h.url}/v1/messages`, { model: 'oai', max_tokens: 5, temperature: 'hot', messages: [user('x')] }, asAnthropic);
    assert.equal(badTemp.status, 400);
    assert.match(badTemp.json.error.message, /temperature/);
    await assert.rejects(
      ac.messages.create({ model: 'oai', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: 'y' }] }, { role: 'user', content: [{ type: 'tool_use', id: 'a', name: 'b', input: {} }] }] }),
      (e: unknown) => {
        assert.ok(e instanceof Anthropic.BadRequestError, String(e));
        assert.match(e.message, /messages\.1\.content\.0/);
        return true;
      },
    );
  });

  test('Anthropic client: unknown route -> 404 not_found_error; missing key -> 401; x-api-key is accepted as the key', async () => {
    await assert.rejects(ac.messages.create({ model: 'nope', max_tokens: 5, messages: [user('x')] }), (e: unknown) => {
      assert.ok(e instanceof Anthropic.NotFoundError);
      assert.equal((e.error as Obj).error.type, 'not_found_error');
      return true;
    });
    const none = await fetch(`${h.url}/v1/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'oai', max_tokens: 5, messages: [user('x')] }) });
    assert.equal(none.status, 401);
    assert.deepEqual(((await none.json()) as Obj).error.type, 'authentication_error');
    const viaHeader = await post(`${h.url}/v1/messages`, { model: 'oai', max_tokens: 5, messages: [user('x')] }, asAnthropic);
    assert.equal(viaHeader.status, 200, viaHeader.text);
    await assert.rejects(anthropicClient(h, 'sk-wrong').messages.create({ model: 'oai', max_tokens: 5, messages: [user('x')] }), Anthropic.AuthenticationError);
  });

  test('an Anthropic upstream 529 reaching an openai client is an OpenAI-shaped error', async () => {
    h.sim.reset();
    h.sim.setFault('/anthropic', { status: 529 });
    await assert.rejects(oc.chat.completions.create({ model: faultRoute('ant', '529', 'o'), messages: [user('x')] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.APIError, String(e));
      assert.equal(e.status, 503);
      assert.equal(e.type, 'api_error');
      assert.equal(e.code, 'overloaded_error', "the provider's own code is kept");
      assert.deepEqual(Object.keys(e.error as Obj).sort(), ['code', 'message', 'param', 'type']);
      return true;
    });
    h.sim.setFault('/anthropic', null);
  });
});

describe('a route that mixes formats falls back across formats without the client seeing it', () => {
  const check = (headers: { get(name: string): string | null }) => {
    assert.equal(headers.get('x-modelplane-fallback-reason'), 'upstream_overloaded');
    assert.equal(headers.get('x-modelplane-deployment'), 'gem');
    assert.equal(headers.get('x-modelplane-attempts'), '2');
    const scopes = h.sim.requests.map((r) => r.scope);
    assert.deepEqual(scopes.slice(-2), ['/anthropic', '/gemini']);
  };

  test('openai SDK, stream and not', async () => {
    h.sim.reset();
    h.sim.setFault('/anthropic', { status: 529 });
    const r = await oc.chat.completions.create({ model: MIXED_ROUTES[0], messages: [user('fall back please')] }).withResponse();
    assert.equal(r.data.choices[0]!.message.content, simulatedReply('fall back please'));
    assert.equal(r.data.model, MIXED_ROUTES[0]);
    check(r.response.headers);
    const s = await oc.chat.completions.create({ model: MIXED_ROUTES[1], stream: true, stream_options: { include_usage: true }, messages: [user('fall back please')] }).withResponse();
    check(s.response.headers);
    const got = await collectChat(s.data);
    assert.equal(got.text, simulatedReply('fall back please'));
    assert.equal(got.finish, 'stop');
    assert.ok(got.usage!.total_tokens > 0);
  });

  test('anthropic SDK, stream and not', async () => {
    h.sim.reset();
    h.sim.setFault('/anthropic', { status: 529 });
    const r = await ac.messages.create({ model: MIXED_ROUTES[2], max_tokens: 256, messages: [user('fall back please')] }).withResponse();
    assert.deepEqual(r.data.content, [{ type: 'text', text: simulatedReply('fall back please') }]);
    check(r.response.headers);
    const stream = ac.messages.stream({ model: MIXED_ROUTES[3], max_tokens: 256, messages: [user('fall back please')] });
    const { response } = await stream.withResponse();
    const fm = await stream.finalMessage();
    check(response.headers);
    assert.deepEqual(fm.content, [{ type: 'text', text: simulatedReply('fall back please') }]);
    assert.equal(fm.stop_reason, 'end_turn');
    h.sim.setFault('/anthropic', null);
  });
});

describe('fields the target format cannot express are dropped with a warning, never forwarded', () => {
  test('seed and response_format json_schema to an Anthropic upstream', async () => {
    h.sim.reset();
    const res = await oc.chat.completions
      .create({
        model: 'ant',
        messages: [user('x')],
        seed: 7,
        response_format: { type: 'json_schema', json_schema: { name: 'w', schema: { type: 'object', properties: {} } } },
      })
      .withResponse();
    const warnings = res.response.headers.get('x-modelplane-warnings') ?? '';
    assert.match(warnings, /seed/);
    assert.match(warnings, /response_format/);
    const body = lastUpstreamBody(h);
    for (const k of ['seed', 'response_format', 'responseFormat', 'output_format']) assert.equal(body[k], undefined, k);
    assert.ok(!JSON.stringify(body).includes('json_schema'));
  });

  test('streaming requests carry the warning header too; Bedrock drops seed, Gemini forwards it', async () => {
    h.sim.reset();
    const s = await oc.chat.completions.create({ model: 'bed', stream: true, seed: 7, messages: [user('x')] }).withResponse();
    await collectChat(s.data);
    assert.match(s.response.headers.get('x-modelplane-warnings') ?? '', /seed/);
    assert.ok(!JSON.stringify(lastUpstreamBody(h)).includes('seed'));
    const g = await oc.chat.completions.create({ model: 'gem', seed: 7, messages: [user('x')] }).withResponse();
    assert.equal(g.response.headers.get('x-modelplane-warnings'), null);
    assert.equal(lastUpstreamBody(h).generationConfig.seed, 7);
  });

  test('an Anthropic client to an OpenAI upstream: the thinking budget has no OpenAI word and is reported', async () => {
    h.sim.reset();
    const r = await ac.messages.create({ model: 'oai', max_tokens: 4096, thinking: { type: 'enabled', budget_tokens: 2048 }, messages: [user('x')] }).withResponse();
    assert.match(r.response.headers.get('x-modelplane-warnings') ?? '', /budgetTokens/);
    const body = lastUpstreamBody(h);
    assert.equal(body.thinking, undefined);
    assert.equal(body.reasoning_effort, undefined);
  });
});
