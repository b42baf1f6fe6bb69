// The conformance scenarios: what every egress wire format must get right end to end, each run
// through both official SDK clients against the format's simulated upstream (runner:
// test/conformance.test.ts, adapters: test/cross-format-kit.ts).
import assert from 'node:assert/strict';
import type OpenAI from 'openai';
import type Anthropic from '@anthropic-ai/sdk';
import { KEY, post, type Harness } from './harness.js';
import { fixtureAvailable } from '../testkit/fixtures.js';
import {
  anthropicWeatherTool,
  collectChat,
  defined,
  faultRoute,
  lastUpstreamBody,
  openaiWeatherTool,
  simulatedReply,
  WEATHER_ARGS,
  WEATHER_PARAMS,
  type EgressAdapter,
  type FaultTag,
} from './cross-format-kit.js';

export interface Ctx {
  h: Harness;
  oc: OpenAI;
  ac: Anthropic;
}

export interface Scenario {
  name: string;
  /** A reason to skip this scenario for this format, or false. */
  skip?: (a: EgressAdapter) => string | false;
  run: (c: Ctx, a: EgressAdapter) => Promise<void>;
}

const user = (content: string) => ({ role: 'user' as const, content });
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

export const SCENARIOS: Scenario[] = [
  {
    name: 'text: the exact reply, stream and not, for both client formats',
    async run({ h, oc, ac }, a) {
      const prompt = 'Say hello to the conformance suite';
      const r = await oc.chat.completions.create({ model: a.route, messages: [user(prompt)] });
      assert.equal(r.choices[0]!.message.content, simulatedReply(prompt));
      assert.deepEqual(a.turns(lastUpstreamBody(h)), [{ role: 'user', text: prompt }]);
      const s = await collectChat(await oc.chat.completions.create({ model: a.route, stream: true, messages: [user(prompt)] }));
      assert.equal(s.text, simulatedReply(prompt));
      const m = await ac.messages.create({ model: a.route, max_tokens: 256, messages: [user(prompt)] });
      assert.deepEqual(m.content, [{ type: 'text', text: simulatedReply(prompt) }]);
      assert.equal(m.model, a.route);
      const fm = await ac.messages.stream({ model: a.route, max_tokens: 256, messages: [user(prompt)] }).finalMessage();
      assert.deepEqual(fm.content, [{ type: 'text', text: simulatedReply(prompt) }]);
    },
  },
  {
    name: 'multi-turn: system prompt and history reach the upstream in order, in its own shape',
    async run({ h, oc, ac }, a) {
      const expected = [
        { role: 'user', text: 'first question' },
        { role: 'assistant', text: 'first answer' },
        { role: 'user', text: 'second question' },
      ];
      const r = await oc.chat.completions.create({
        model: a.route,
        messages: [{ role: 'system', content: 'Be brief.' }, user('first question'), { role: 'assistant', content: 'first answer' }, user('second question')],
      });
      assert.equal(r.choices[0]!.message.content, simulatedReply('second question'));
      assert.equal(a.system(lastUpstreamBody(h)), 'Be brief.');
      assert.deepEqual(a.turns(lastUpstreamBody(h)), expected);
      await ac.messages.create({
        model: a.route,
        max_tokens: 256,
        system: 'Be brief.',
        messages: [user('first question'), { role: 'assistant', content: 'first answer' }, user('second question')],
      });
      assert.equal(a.system(lastUpstreamBody(h)), 'Be brief.');
      assert.deepEqual(a.turns(lastUpstreamBody(h)), expected);
    },
  },
  {
    name: 'tools: one call, stream and not, both clients; the definition arrives intact',
    async run({ h, oc, ac }, a) {
      const messages = [user('What is the weather in Oslo?')];
      const r = await oc.chat.completions.create({ model: a.route, messages, tools: [openaiWeatherTool] });
      const call = r.choices[0]!.message.tool_calls?.[0];
      assert.ok(call && call.type === 'function', JSON.stringify(r.choices[0]));
      assert.ok(call.id.length > 0);
      assert.equal(call.function.name, 'get_weather');
      assert.deepEqual(JSON.parse(call.function.arguments), WEATHER_ARGS);
      assert.equal(r.choices[0]!.finish_reason, 'tool_calls');
      assert.deepEqual(a.toolDefs(lastUpstreamBody(h)), [{ name: 'get_weather', description: 'Weather for a city', parameters: WEATHER_PARAMS }]);

      const s = await collectChat(await oc.chat.completions.create({ model: a.route, stream: true, messages, tools: [openaiWeatherTool] }));
      assert.equal(s.calls.length, 1);
      assert.equal(s.calls[0]!.name, 'get_weather');
      assert.deepEqual(JSON.parse(s.calls[0]!.arguments), WEATHER_ARGS);
      assert.equal(s.finish, 'tool_calls');

      const m = await ac.messages.create({ model: a.route, max_tokens: 256, messages, tools: [anthropicWeatherTool] });
      const use = m.content.find((b) => b.type === 'tool_use');
      assert.ok(use && use.type === 'tool_use');
      assert.equal(use.name, 'get_weather');
      assert.deepEqual(use.input, WEATHER_ARGS);
      assert.equal(m.stop_reason, 'tool_use');
      assert.deepEqual(a.toolDefs(lastUpstreamBody(h)), [{ name: 'get_weather', description: 'Weather for a city', parameters: WEATHER_PARAMS }]);
    },
  },
  {
    name: 'tools: streamed arguments (split across deltas where the provider splits them) reassemble exactly',
    async run({ oc, ac }, a) {
      const messages = [user('weather please')];
      const s = await collectChat(await oc.chat.completions.create({ model: a.route, stream: true, messages, tools: [openaiWeatherTool] }));
      const c = s.calls[0]!;
      if (a.splitsToolArgs) assert.ok(c.fragments > 1, `arguments arrived in ${c.fragments} fragment(s)`);
      else assert.equal(c.fragments, 1);
      assert.equal(c.arguments, JSON.stringify(WEATHER_ARGS));

      const stream = ac.messages.stream({ model: a.route, max_tokens: 256, messages, tools: [anthropicWeatherTool] });
      let partials = 0;
      stream.on('inputJson', () => partials++);
      const fm = await stream.finalMessage();
      if (a.splitsToolArgs) assert.ok(partials > 1, `input_json_delta events: ${partials}`);
      else assert.ok(partials >= 1);
      const use = fm.content.find((b) => b.type === 'tool_use');
      assert.ok(use && use.type === 'tool_use');
      assert.deepEqual(use.input, WEATHER_ARGS);
      assert.equal(fm.stop_reason, 'tool_use');
    },
  },
  {
    name: 'tools: parallel calls in one answer (replayed), distinct ids, both clients',
    async run({ oc, ac }, a) {
      // Our own fixture always; a ../shared capture too where there is one and it is present.
      for (const fx of a.parallelFixtures.filter((f) => fixtureAvailable(f.path))) {
        const messages = [user(`fixture:${fx.path}`)];
        const r = await oc.chat.completions.create({ model: a.route, messages, tools: [openaiWeatherTool] });
        const calls = r.choices[0]!.message.tool_calls ?? [];
        assert.equal(calls.length, fx.calls, fx.path);
        assert.equal(new Set(calls.map((c) => c.id)).size, fx.calls, 'ids are distinct');
        for (const c of calls) assert.doesNotThrow(() => JSON.parse(c.type === 'function' ? c.function.arguments : ''));
        assert.equal(r.choices[0]!.finish_reason, 'tool_calls');
        const m = await ac.messages.create({ model: a.route, max_tokens: 256, messages, tools: [anthropicWeatherTool] });
        const uses = m.content.filter((b) => b.type === 'tool_use');
        assert.equal(uses.length, fx.calls, fx.path);
        assert.equal(new Set(uses.map((u) => u.id)).size, fx.calls, 'tool_use ids are distinct');
        assert.equal(m.stop_reason, 'tool_use');
      }
    },
  },
  {
    name: "tool_choice: auto, required, a named tool and none are expressed in the provider's terms",
    async run({ h, oc, ac }, a) {
      const ask = async (tool_choice: OpenAI.Chat.Completions.ChatCompletionToolChoiceOption) => {
        const res = await oc.chat.completions.create({ model: a.route, messages: [user('x')], tools: [openaiWeatherTool], tool_choice }).withResponse();
        return { body: lastUpstreamBody(h), warnings: res.response.headers.get('x-modelplane-warnings') ?? '' };
      };
      assert.equal(a.toolChoice((await ask('auto')).body), 'auto');
      assert.equal(a.toolChoice((await ask('required')).body), 'required');
      assert.deepEqual(a.toolChoice((await ask({ type: 'function', function: { name: 'get_weather' } })).body), { name: 'get_weather' });
      const none = await ask('none');
      if (a.format === 'bedrock-converse') {
        // Converse has no `none`: the tools are left out so the model cannot call one.
        assert.deepEqual(a.toolDefs(none.body), []);
        assert.match(none.warnings, /toolChoice none/);
      } else assert.equal(a.toolChoice(none.body), 'none');
      await ac.messages.create({ model: a.route, max_tokens: 64, messages: [user('x')], tools: [anthropicWeatherTool], tool_choice: { type: 'any' } });
      assert.equal(a.toolChoice(lastUpstreamBody(h)), 'required');
      await ac.messages.create({ model: a.route, max_tokens: 64, messages: [user('x')], tools: [anthropicWeatherTool], tool_choice: { type: 'tool', name: 'get_weather' } });
      assert.deepEqual(a.toolChoice(lastUpstreamBody(h)), { name: 'get_weather' });
    },
  },
  {
    name: 'tool round trip: the call and its result go back in the provider shape, ids and names intact',
    async run({ h, oc, ac }, a) {
      const expectedCall = defined({ id: a.toolIds ? 'call_rt_1' : undefined, name: 'get_weather', args: { city: 'Oslo' } });
      const expectedResult = defined({ id: a.toolIds ? 'call_rt_1' : undefined, name: a.toolIds ? undefined : 'get_weather', text: 'sunny, 21C' });
      const r = await oc.chat.completions.create({
        model: a.route,
        tools: [openaiWeatherTool],
        messages: [
          user('weather in Oslo?'),
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_rt_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
          { role: 'tool', tool_call_id: 'call_rt_1', content: 'sunny, 21C' },
        ],
      });
      assert.equal(r.choices[0]!.finish_reason, 'stop', 'after a tool result the simulator answers with text');
      assert.ok((r.choices[0]!.message.content ?? '').length > 0);
      const body = lastUpstreamBody(h);
      assert.deepEqual(a.toolCalls(body), [expectedCall]);
      assert.deepEqual(a.toolResults(body), [expectedResult]);

      const fm = await ac.messages
        .stream({
          model: a.route,
          max_tokens: 256,
          tools: [anthropicWeatherTool],
          messages: [
            user('weather in Oslo?'),
            { role: 'assistant', content: [{ type: 'tool_use', id: 'call_rt_1', name: 'get_weather', input: { city: 'Oslo' } }] },
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_rt_1', content: 'sunny, 21C' }] },
          ],
        })
        .finalMessage();
      assert.equal(fm.stop_reason, 'end_turn');
      assert.deepEqual(a.toolCalls(lastUpstreamBody(h)), [expectedCall]);
      assert.deepEqual(a.toolResults(lastUpstreamBody(h)), [expectedResult]);
    },
  },
  {
    name: 'reasoning: requested in the provider terms; comes back as reasoning_content / a thinking block',
    skip: (a) => (a.reasoningRoute === undefined ? `${a.format} has no reasoning` : false),
    async run({ h, oc, ac }, a) {
      const route = a.reasoningRoute!;
      const r = await oc.chat.completions.create({ model: route, reasoning_effort: 'low', messages: [user('think about this')] });
      assert.ok(a.reasoningAsked(lastUpstreamBody(h)), JSON.stringify(lastUpstreamBody(h)));
      const msg = r.choices[0]!.message as { reasoning_content?: string; content: string | null };
      assert.ok((msg.reasoning_content ?? '').length > 0, JSON.stringify(msg));
      assert.equal(msg.content, simulatedReply('think about this'));
      const s = await collectChat(await oc.chat.completions.create({ model: route, stream: true, reasoning_effort: 'low', messages: [user('think about this')] }));
      assert.equal(s.reasoning, msg.reasoning_content);
      assert.equal(s.text, msg.content);

      const body = { model: route, max_tokens: 4096, thinking: { type: 'enabled' as const, budget_tokens: 1024 }, messages: [user('think about this')] };
      const m = await ac.messages.create(body);
      const fm = await ac.messages.stream(body).finalMessage();
      for (const out of [m, fm]) {
        const thinking = out.content[0];
        assert.ok(thinking?.type === 'thinking', JSON.stringify(out.content));
        assert.equal(thinking.thinking, msg.reasoning_content);
        if (a.signsReasoning) assert.ok(thinking.signature.length > 0, 'the upstream signature reaches the client');
        assert.deepEqual(out.content[1], { type: 'text', text: simulatedReply('think about this') });
      }
    },
  },
  {
    name: 'images: base64 and URL images are mapped into the provider image shape',
    async run({ h, oc, ac }, a) {
      const res = await oc.chat.completions
        .create({
          model: a.route,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'what is in these?' },
                { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
                { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
              ],
            },
          ],
        })
        .withResponse();
      const inline = { kind: 'base64', mediaType: 'image/png', data: PNG };
      const url = { kind: 'url', url: 'https://example.com/cat.jpg' };
      if (a.imageUrls) assert.deepEqual(a.images(lastUpstreamBody(h)), [inline, url]);
      else {
        assert.deepEqual(a.images(lastUpstreamBody(h)), [inline]);
        assert.match(res.response.headers.get('x-modelplane-warnings') ?? '', /image URLs are not supported/);
      }
      await ac.messages.create({
        model: a.route,
        max_tokens: 64,
        messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } }, { type: 'text', text: 'describe' }] }],
      });
      assert.deepEqual(a.images(lastUpstreamBody(h)), [inline]);
    },
  },
  {
    name: 'usage: present and consistent (tokens > 0, total = sum), stream and not, both clients',
    async run({ oc, ac }, a) {
      const messages = [user('count my tokens please, all of them')];
      const r = await oc.chat.completions.create({ model: a.route, messages });
      const u = r.usage!;
      assert.ok(u.prompt_tokens > 0 && u.completion_tokens > 0, JSON.stringify(u));
      assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
      const s = await collectChat(await oc.chat.completions.create({ model: a.route, stream: true, stream_options: { include_usage: true }, messages }));
      assert.ok(s.usage, 'a usage chunk when include_usage is set');
      assert.equal(s.usage.prompt_tokens, u.prompt_tokens);
      assert.equal(s.usage.completion_tokens, u.completion_tokens);
      assert.equal(s.usage.total_tokens, s.usage.prompt_tokens + s.usage.completion_tokens);
      const m = await ac.messages.create({ model: a.route, max_tokens: 256, messages });
      assert.equal(m.usage.input_tokens, u.prompt_tokens, 'no cache in play: Anthropic input_tokens = prompt tokens');
      assert.equal(m.usage.output_tokens, u.completion_tokens);
      const fm = await ac.messages.stream({ model: a.route, max_tokens: 256, messages }).finalMessage();
      assert.equal(fm.usage.input_tokens, u.prompt_tokens);
      assert.equal(fm.usage.output_tokens, u.completion_tokens);
    },
  },
  {
    name: "finish reasons: stop, length (tiny max_tokens) and tool calls, in each client's vocabulary, stream and not",
    async run({ h, oc, ac }, a) {
      const long = [user('a prompt long enough that three tokens cannot hold the reply')];
      for (const stream of [false, true]) {
        const finish = async (body: Omit<OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, 'model'>) => {
          if (!stream) return (await oc.chat.completions.create({ ...body, model: a.route })).choices[0]!.finish_reason;
          return (await collectChat(await oc.chat.completions.create({ ...body, model: a.route, stream: true }))).finish;
        };
        assert.equal(await finish({ messages: long }), 'stop');
        assert.equal(await finish({ messages: long, max_tokens: 3 }), 'length');
        assert.equal(a.params(lastUpstreamBody(h)).maxTokens, 3);
        assert.equal(await finish({ messages: long, tools: [openaiWeatherTool] }), 'tool_calls');

        const stop = async (body: Omit<Anthropic.MessageCreateParamsNonStreaming, 'model'>) =>
          stream ? (await ac.messages.stream({ ...body, model: a.route }).finalMessage()).stop_reason : (await ac.messages.create({ ...body, model: a.route })).stop_reason;
        assert.equal(await stop({ max_tokens: 256, messages: long }), 'end_turn');
        assert.equal(await stop({ max_tokens: 3, messages: long }), 'max_tokens');
        assert.equal(await stop({ max_tokens: 256, messages: long, tools: [anthropicWeatherTool] }), 'tool_use');
      }
    },
  },
  {
    name: "errors: 429/500/503/529 map to the canonical statuses; 400 keeps the upstream message; both clients' shapes",
    async run({ h }, a) {
      const both = async (tag: FaultTag) => ({
        o: await post(`${h.url}/v1/chat/completions`, { model: faultRoute(a.route, tag, 'o'), messages: [user('x')] }),
        an: await post(`${h.url}/v1/messages`, { model: faultRoute(a.route, tag, 'a'), max_tokens: 16, messages: [user('x')] }, { authorization: '', 'x-api-key': KEY }),
      });

      h.sim.setFault(a.scope, { status: 429, retryAfter: 7 });
      let r = await both('429');
      assert.equal(r.o.status, 429, r.o.text);
      assert.equal(r.o.json.error.type, 'rate_limit_error');
      assert.equal(r.o.headers.get('retry-after'), '7');
      assert.equal(r.an.status, 429, r.an.text);
      assert.equal(r.an.json.type, 'error');
      assert.equal(r.an.json.error.type, 'rate_limit_error');
      assert.equal(r.an.headers.get('retry-after'), '7');

      for (const [status, expected] of [[500, 502], [503, 503], [529, a.status529]] as const) {
        h.sim.setFault(a.scope, { status });
        r = await both(String(status) as FaultTag);
        assert.equal(r.o.status, expected, `upstream ${status} -> openai client ${r.o.text}`);
        assert.equal(r.o.json.error.type, 'api_error');
        // Anthropic clients know 529 as "overloaded": an upstream 529 read as overloaded stays 529
        // for them (whatever the upstream format); the other clients get the table's 503.
        const anthropicExpected = status === 529 && expected === 503 ? 529 : expected;
        assert.equal(r.an.status, anthropicExpected, `upstream ${status} -> anthropic client ${r.an.text}`);
        assert.ok(['api_error', 'overloaded_error'].includes(r.an.json.error.type), r.an.text);
      }

      h.sim.setFault(a.scope, { status: 400 });
      r = await both('400');
      // What the upstream said, fetched straight from the simulator with the same fault in place.
      const rec = h.sim.requests.at(-1)!;
      const direct = await fetch(h.sim.url + rec.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rec.body) });
      const upstreamMessage = a.errorMessage((await direct.json()) as Record<string, unknown>);
      assert.equal(direct.status, 400);
      assert.equal(r.o.status, 400);
      assert.equal(r.o.json.error.type, 'invalid_request_error');
      assert.equal(r.o.json.error.message, upstreamMessage);
      assert.equal(r.an.status, 400);
      assert.equal(r.an.json.error.type, 'invalid_request_error');
      assert.equal(r.an.json.error.message, upstreamMessage);
    },
  },
  {
    name: 'a stream cut after content ends in a well-formed error event in the client format',
    async run({ h, oc, ac }, a) {
      h.sim.setFault(a.scope, { cutAfterChunks: a.chunksBeforeText + 2 });
      const prompt = 'a long enough prompt for several chunks of reply text here';
      let text = '';
      await assert.rejects(async () => {
        const s = await oc.chat.completions.create({ model: faultRoute(a.route, 'cut', 'o'), stream: true, messages: [user(prompt)] });
        for await (const c of s) text += c.choices[0]?.delta?.content ?? '';
      }, /stream/i);
      assert.ok(simulatedReply(prompt).startsWith(text), 'what arrived before the cut is a prefix of the reply');
      await assert.rejects(ac.messages.stream({ model: faultRoute(a.route, 'cut', 'a'), max_tokens: 256, messages: [user(prompt)] }).finalMessage(), (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.match(e.message, /stream|api_error/i);
        return true;
      });
    },
  },
  {
    name: 'round trip: sampling fields both sides can express arrive unchanged, from both clients',
    async run({ h, oc, ac }, a) {
      const expected = { maxTokens: 77, temperature: 0.5, topP: 0.9, stop: ['END'] };
      await oc.chat.completions.create({ model: a.route, messages: [user('x')], max_tokens: 77, temperature: 0.5, top_p: 0.9, stop: ['END'] });
      assert.deepEqual(a.params(lastUpstreamBody(h)), expected);
      // This SDK version's types no longer list the sampling fields; the API still takes them.
      const sampling = { model: a.route, messages: [user('x')], max_tokens: 77, temperature: 0.5, top_p: 0.9, stop_sequences: ['END'] };
      await ac.messages.create(sampling);
      assert.deepEqual(a.params(lastUpstreamBody(h)), expected);
    },
  },
];
