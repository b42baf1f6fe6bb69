// POST /v1/responses end to end: the official openai SDK and @ai-sdk/openai's default (Responses)
// model against a real gateway whose routes are backed by simulated OpenAI-compatible and
// Anthropic upstreams. Assertions look at what the SDKs parsed and at what the upstream received.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI, { APIError } from 'openai';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { KEY, startHarness, type Harness } from './harness.js';

const CONFIG = `
providers:
  sim-oai: { format: openai-chat, base_url: SIM/openai/v1, auth: none }
  sim-ant: { preset: anthropic, base_url: SIM/anthropic/v1, api_key: sk-sim }
deployments:
  oai-a: { provider: sim-oai, model: model-a }
  ant-a: { provider: sim-ant, model: model-b, default_max_tokens: 512 }
routes:
  chat-oai: { targets: [oai-a] }
  chat-ant: { targets: [ant-a] }
`;

const ROUTES = ['chat-oai', 'chat-ant'] as const;

/** The simulators answer a tool-result turn differently: OpenAI's echoes the last user text,
 * Anthropic's last user turn is the tool result itself, which has no text. */
function replyAfterTool(route: string, prompt: string): string {
  return route === 'chat-ant' ? 'Simulated reply.' : `Simulated reply to: ${prompt}`;
}

let h: Harness;
let client: OpenAI;

before(async () => {
  h = await startHarness({ config: CONFIG });
  client = new OpenAI({ apiKey: KEY, baseURL: `${h.url}/v1`, maxRetries: 0 });
});
after(async () => {
  await h?.close();
});

type Msg = { role: string; content?: unknown; tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>; tool_call_id?: string };

/** The last upstream request body for a scope (`/openai` or `/anthropic`). */
function lastUpstream(scope: string): Record<string, unknown> {
  const r = [...h.sim.requests].reverse().find((x) => x.scope === scope);
  assert.ok(r, `no upstream request under ${scope}`);
  return r.body as Record<string, unknown>;
}

const weatherTool = {
  type: 'function' as const,
  name: 'weather',
  description: 'Current weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  strict: true,
};

test('openai SDK responses.create: text, usage, ids, route name as model', async () => {
  const r = await client.responses.create({ model: 'chat-oai', input: 'Hello there', instructions: 'Be brief.' });
  assert.equal(r.object, 'response');
  assert.match(r.id, /^resp_[0-9a-f]{32}$/);
  assert.equal(r.status, 'completed');
  assert.equal(r.model, 'chat-oai');
  assert.equal(r.output_text, 'Simulated reply to: Hello there');
  assert.equal(r.instructions, 'Be brief.');
  const msg = r.output[0]!;
  assert.equal(msg.type, 'message');
  assert.ok(r.usage && r.usage.input_tokens > 0 && r.usage.output_tokens > 0);
  assert.equal(r.usage.total_tokens, r.usage.input_tokens + r.usage.output_tokens);
  const up = lastUpstream('/openai');
  assert.deepEqual((up.messages as Msg[]).map((m) => [m.role, m.content]), [['system', 'Be brief.'], ['user', 'Hello there']]);
});

test('openai SDK responses.stream: typed events in order, final response has the text and usage', async () => {
  const stream = client.responses.stream({ model: 'chat-ant', input: 'Stream me please' });
  const types: string[] = [];
  const seqs: number[] = [];
  let deltas = '';
  for await (const e of stream) {
    types.push(e.type);
    seqs.push(e.sequence_number);
    if (e.type === 'response.output_text.delta') deltas += e.delta;
  }
  const final = await stream.finalResponse();
  assert.equal(final.output_text, 'Simulated reply to: Stream me please');
  assert.equal(deltas, final.output_text);
  assert.equal(final.status, 'completed');
  assert.ok(final.usage && final.usage.output_tokens > 0);
  assert.deepEqual(seqs, seqs.map((_, i) => i), 'sequence numbers count up from 0');
  assert.deepEqual(types.slice(0, 4), ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
  assert.deepEqual(types.slice(-4), ['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
});

for (const route of ROUTES) {
  test(`openai SDK tools round trip on ${route}: function_call, then function_call_output with previous_response_id`, async () => {
    const first = await client.responses.create({ model: route, input: 'Weather in Paris?', tools: [weatherTool] });
    const call = first.output.find((o) => o.type === 'function_call');
    assert.ok(call && call.type === 'function_call', 'a function_call item');
    assert.equal(call.name, 'weather');
    assert.deepEqual(JSON.parse(call.arguments), { city: 'simulated-city' });
    assert.match(call.id ?? '', /^fc_/);

    const second = await client.responses.create({
      model: route,
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'sunny, 21C' }],
      tools: [weatherTool],
    });
    assert.equal(second.status, 'completed');
    assert.equal(second.previous_response_id, first.id);
    assert.equal(second.output_text, replyAfterTool(route, 'Weather in Paris?'));

    // The upstream saw the whole conversation: the user turn, the tool call and its result.
    if (route === 'chat-oai') {
      const msgs = lastUpstream('/openai').messages as Msg[];
      assert.deepEqual(msgs.map((m) => m.role), ['user', 'assistant', 'tool']);
      assert.equal(msgs[1]!.tool_calls?.[0]?.id, call.call_id);
      assert.equal(msgs[2]!.tool_call_id, call.call_id);
      assert.equal(msgs[2]!.content, 'sunny, 21C');
    } else {
      const msgs = lastUpstream('/anthropic').messages as Array<{ role: string; content: Array<Record<string, unknown>> }>;
      assert.deepEqual(msgs.map((m) => m.role), ['user', 'assistant', 'user']);
      assert.equal(msgs[1]!.content.find((b) => b.type === 'tool_use')?.id, call.call_id);
      const result = msgs[2]!.content.find((b) => b.type === 'tool_result');
      assert.equal(result?.tool_use_id, call.call_id);
    }
  });
}

test('a three-turn chain carries every earlier turn upstream', async () => {
  const a = await client.responses.create({ model: 'chat-oai', input: 'first question' });
  const b = await client.responses.create({ model: 'chat-oai', input: 'second question', previous_response_id: a.id });
  await client.responses.create({ model: 'chat-oai', input: 'third question', previous_response_id: b.id });
  const msgs = lastUpstream('/openai').messages as Msg[];
  assert.deepEqual(msgs.map((m) => [m.role, m.content]), [
    ['user', 'first question'],
    ['assistant', 'Simulated reply to: first question'],
    ['user', 'second question'],
    ['assistant', 'Simulated reply to: second question'],
    ['user', 'third question'],
  ]);
});

test('previous_response_id unknown -> 404 APIError in the OpenAI error shape', async () => {
  await assert.rejects(
    client.responses.create({ model: 'chat-oai', input: 'hi', previous_response_id: 'resp_does_not_exist' }),
    (e: unknown) => {
      assert.ok(e instanceof APIError);
      assert.equal(e.status, 404);
      assert.equal(e.message, "404 Previous response with id 'resp_does_not_exist' not found.");
      assert.equal(e.code, 'previous_response_not_found');
      assert.equal(e.param, 'previous_response_id');
      assert.equal(e.type, 'invalid_request_error');
      return true;
    },
  );
});

test('store: false is not stored, so it cannot be continued', async () => {
  const r = await client.responses.create({ model: 'chat-oai', input: 'ephemeral', store: false });
  assert.equal((r as unknown as { store: boolean }).store, false, 'the response echoes store: false');
  await assert.rejects(client.responses.create({ model: 'chat-oai', input: 'more', previous_response_id: r.id }), (e: unknown) => e instanceof APIError && e.status === 404);
});

test('a built-in tool type is a 400 naming the field', async () => {
  await assert.rejects(
    client.responses.create({ model: 'chat-oai', input: 'hi', tools: [{ type: 'web_search_preview' }] }),
    (e: unknown) => e instanceof APIError && e.status === 400 && e.param === 'tools[0].type' && /web_search_preview/.test(e.message),
  );
});

test('an unknown route is a 404 from the pipeline, rendered in the OpenAI shape', async () => {
  await assert.rejects(client.responses.create({ model: 'no-such-route', input: 'hi' }), (e: unknown) => e instanceof APIError && e.status === 404 && e.param === 'model');
});

const provider = () => createOpenAI({ baseURL: `${h.url}/v1`, apiKey: KEY });

for (const route of ROUTES) {
  test(`@ai-sdk/openai generateText via the default Responses model on ${route}`, async () => {
    const r = await generateText({ model: provider()(route), prompt: 'Tell me a story' });
    assert.equal(r.text, 'Simulated reply to: Tell me a story');
    assert.equal(r.finishReason, 'stop');
    assert.ok((r.usage.inputTokens ?? 0) > 0 && (r.usage.outputTokens ?? 0) > 0);
    assert.match(r.response.id, /^resp_/);
    assert.equal(r.response.modelId, route);
  });

  test(`@ai-sdk/openai streamText via the default Responses model on ${route}`, async () => {
    const r = streamText({ model: provider()(route), prompt: 'Stream a story' });
    let text = '';
    for await (const chunk of r.textStream) text += chunk;
    assert.equal(text, 'Simulated reply to: Stream a story');
    assert.equal(await r.finishReason, 'stop');
    assert.ok(((await r.usage).outputTokens ?? 0) > 0);
  });

  test(`@ai-sdk/openai multi-step tool loop on ${route}`, async () => {
    let calledWith: unknown;
    const r = await generateText({
      model: provider()(route),
      prompt: 'What is the weather in Paris?',
      tools: {
        weather: tool({
          description: 'Current weather',
          inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }),
          execute: async (input) => {
            calledWith = input;
            return 'sunny';
          },
        }),
      },
      stopWhen: stepCountIs(3),
    });
    assert.deepEqual(calledWith, { city: 'simulated-city' });
    assert.equal(r.steps.length, 2);
    assert.equal(r.text, replyAfterTool(route, 'What is the weather in Paris?'));
  });
}

test('@ai-sdk/openai second turn sends the assistant text as an item_reference; the gateway resolves it from the store', async () => {
  const sent: Array<{ input: Array<Record<string, unknown>> }> = [];
  const p = createOpenAI({
    baseURL: `${h.url}/v1`,
    apiKey: KEY,
    fetch: async (url, init) => {
      sent.push(JSON.parse(String(init?.body)) as { input: Array<Record<string, unknown>> });
      return fetch(url, init);
    },
  });
  const first = await generateText({ model: p('chat-oai'), prompt: 'remember me' });
  const second = await generateText({ model: p('chat-oai'), messages: [{ role: 'user', content: 'remember me' }, ...first.response.messages, { role: 'user', content: 'and now?' }] });
  assert.equal(second.text, 'Simulated reply to: and now?');
  const ref = sent[1]!.input.find((i) => i.type === 'item_reference');
  assert.ok(ref, `the SDK sent an item_reference: ${JSON.stringify(sent[1]!.input)}`);
  assert.match(String(ref.id), /^msg_/);
  const msgs = lastUpstream('/openai').messages as Msg[];
  assert.deepEqual(msgs.map((m) => [m.role, m.content]), [
    ['user', 'remember me'],
    ['assistant', 'Simulated reply to: remember me'],
    ['user', 'and now?'],
  ]);
});

test('an item_reference to an unknown item is a 404', async () => {
  await assert.rejects(
    client.responses.create({ model: 'chat-oai', input: [{ type: 'item_reference', id: 'msg_nope_0' }, { role: 'user', content: 'hi' }] }),
    (e: unknown) => e instanceof APIError && e.status === 404 && e.message.includes("Item with id 'msg_nope_0' not found."),
  );
});

test('Anthropic thinking streams as a reasoning item whose signature survives previous_response_id', async () => {
  const stream = client.responses.stream({ model: 'chat-ant', input: 'Why is the sky blue?', reasoning: { effort: 'low', summary: 'auto' }, max_output_tokens: 2048 });
  const types = new Set<string>();
  for await (const e of stream) types.add(e.type);
  const first = await stream.finalResponse();
  assert.ok(types.has('response.reasoning_summary_text.delta'));
  const reasoning = first.output[0]!;
  assert.ok(reasoning.type === 'reasoning' && reasoning.encrypted_content, 'the thinking signature is carried as encrypted_content');
  assert.equal(reasoning.summary[0]?.text, 'Considering the request: Why is the sky blue?');

  await client.responses.create({ model: 'chat-ant', input: 'and?', previous_response_id: first.id, reasoning: { effort: 'low' }, max_output_tokens: 2048 });
  const msgs = lastUpstream('/anthropic').messages as Array<{ role: string; content: Array<Record<string, unknown>> }>;
  assert.deepEqual(msgs[1]!.content[0], { type: 'thinking', thinking: reasoning.summary[0]!.text, signature: reasoning.encrypted_content });
});
