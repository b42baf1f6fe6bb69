// The conformance scenarios: what every (client format, upstream format) pair must get right end
// to end. Each is written once, in neutral terms: the client side is an ingress adapter driving
// its official SDK (test/conformance-ingress.ts: OpenAI chat, Anthropic Messages, Responses), the
// upstream side an egress adapter reading back what the simulated provider received
// (test/conformance-egress.ts). Runner: test/conformance.test.ts.
import assert from 'node:assert/strict';
import type { Harness } from './harness.js';
import { fixtureAvailable } from '../testkit/fixtures.js';
import { faultRoute, simulatedReply, WEATHER_ARGS, WEATHER_PARAMS, type FaultTag } from './cross-format-kit.js';
import { defined, lastUpstreamBody, type EgressAdapter } from './conformance-egress.js';
import { KEY } from './harness.js';
import type { Ask, AskTurn, IngressAdapter } from './conformance-ingress.js';

export interface Scenario {
  name: string;
  /** A reason to skip this scenario for this pair, or false. */
  skip?: (i: IngressAdapter, e: EgressAdapter) => string | false;
  run: (h: Harness, i: IngressAdapter, e: EgressAdapter) => Promise<void>;
}

const user = (text: string): AskTurn => ({ role: 'user', text });
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const weatherDef = [{ name: 'get_weather', description: 'Weather for a city', parameters: WEATHER_PARAMS }];
const BOTH = [false, true] as const;

export const SCENARIOS: Scenario[] = [
  {
    name: "text: the exact reply, stream and not; the upstream gets its own path and credentials, never the caller's key",
    async run(h, i, e) {
      const prompt = 'Say hello to the conformance suite';
      for (const stream of BOTH) {
        const r = await i.ask(h, { route: e.route, turns: [user(prompt)] }, stream);
        assert.equal(r.text, simulatedReply(prompt));
        assert.equal(r.model, e.route, 'the client sees the route, not the provider model');
        assert.equal(r.finish, 'stop');
        if (stream) assert.ok(r.textDeltas > 1, `several text deltas (${r.textDeltas})`);
        const rec = h.sim.requests.at(-1)!;
        assert.equal(rec.path, e.upstreamPath(stream));
        assert.ok(e.authorized(rec.headers), `provider credentials: ${JSON.stringify(rec.headers)}`);
        assert.ok(!JSON.stringify(rec.headers).includes(KEY), "the caller's key never reaches the upstream");
        assert.deepEqual(e.turns(lastUpstreamBody(h)), [{ role: 'user', text: prompt }]);
      }
    },
  },
  {
    name: 'multi-turn: system prompt and history reach the upstream in order, in its own shape',
    async run(h, i, e) {
      const turns: AskTurn[] = [user('first question'), { role: 'assistant', text: 'first answer' }, user('second question')];
      const r = await i.ask(h, { route: e.route, system: 'Be brief.', turns }, false);
      assert.equal(r.text, simulatedReply('second question'));
      assert.equal(e.system(lastUpstreamBody(h)), 'Be brief.');
      assert.deepEqual(e.turns(lastUpstreamBody(h)), [
        { role: 'user', text: 'first question' },
        { role: 'assistant', text: 'first answer' },
        { role: 'user', text: 'second question' },
      ]);
    },
  },
  {
    name: 'tools: one call, stream and not; the definition arrives intact; arguments split where the provider splits them reassemble exactly',
    async run(h, i, e) {
      for (const stream of BOTH) {
        const r = await i.ask(h, { route: e.route, turns: [user('What is the weather in Oslo?')], tools: true }, stream);
        assert.equal(r.toolCalls.length, 1, JSON.stringify(r.toolCalls));
        const call = r.toolCalls[0]!;
        assert.ok(call.id.length > 0);
        assert.equal(call.name, 'get_weather');
        assert.deepEqual(call.args, WEATHER_ARGS);
        assert.equal(r.finish, 'tool_calls');
        assert.deepEqual(e.toolDefs(lastUpstreamBody(h)), weatherDef);
        if (stream && e.splitsToolArgs) assert.ok(call.fragments > 1, `arguments arrived in ${call.fragments} fragment(s)`);
        if (stream && !e.splitsToolArgs) assert.equal(call.fragments, 1, 'sent whole by the upstream, relayed whole');
      }
    },
  },
  {
    name: 'tools: the call the client assembled goes back with its result, ids and names intact, in the upstream shape',
    async run(h, i, e) {
      for (const stream of BOTH) {
        const first = await i.ask(h, { route: e.route, turns: [user('What is the weather in Oslo?')], tools: true }, stream);
        const call = first.toolCalls[0]!;
        const turns: AskTurn[] = [user('What is the weather in Oslo?'), { role: 'assistant', call }, { role: 'tool', id: call.id, name: call.name, text: 'sunny, 21C' }];
        const second = await i.ask(h, { route: e.route, turns, tools: true }, stream);
        assert.equal(second.finish, 'stop', 'after a tool result the simulator answers with text');
        assert.ok(second.text.length > 0);
        const body = lastUpstreamBody(h);
        assert.deepEqual(e.toolCalls(body), [defined({ id: e.toolIds ? call.id : undefined, name: 'get_weather', args: WEATHER_ARGS })]);
        assert.deepEqual(e.toolResults(body), [defined({ id: e.toolIds ? call.id : undefined, name: e.toolIds ? undefined : 'get_weather', text: 'sunny, 21C' })]);
      }
    },
  },
  {
    name: 'tools: parallel calls in one answer (replayed), distinct ids',
    async run(h, i, e) {
      // Our own fixture always; a ../shared capture too where there is one and it is present.
      for (const fx of e.parallelFixtures.filter((f) => fixtureAvailable(f.path))) {
        const r = await i.ask(h, { route: e.route, turns: [user(`fixture:${fx.path}`)], tools: true }, false);
        assert.equal(r.toolCalls.length, fx.calls, fx.path);
        assert.equal(new Set(r.toolCalls.map((c) => c.id)).size, fx.calls, 'ids are distinct');
        assert.equal(r.finish, 'tool_calls');
      }
    },
  },
  {
    name: "tool_choice: auto, required, a named tool and none are expressed in the provider's terms",
    async run(h, i, e) {
      const ask = async (toolChoice: Ask['toolChoice']) => {
        const r = await i.ask(h, { route: e.route, turns: [user('x')], tools: true, toolChoice, maxTokens: 64 }, false);
        return { body: lastUpstreamBody(h), warnings: r.headers.get('x-modelplane-warnings') ?? '' };
      };
      assert.equal(e.toolChoice((await ask('auto')).body), 'auto');
      assert.equal(e.toolChoice((await ask('required')).body), 'required');
      assert.deepEqual(e.toolChoice((await ask({ name: 'get_weather' })).body), { name: 'get_weather' });
      const none = await ask('none');
      if (e.format === 'bedrock-converse') {
        // Converse has no `none`: the tools are left out so the model cannot call one.
        assert.deepEqual(e.toolDefs(none.body), []);
        assert.match(none.warnings, /toolChoice none/);
      } else assert.equal(e.toolChoice(none.body), 'none');
    },
  },
  {
    name: 'reasoning: asked for in the provider terms; comes back as reasoning, the same stream and not',
    skip: (_i, e) => (e.reasoningRoute === undefined ? `${e.format} has no reasoning` : false),
    async run(h, i, e) {
      const q: Ask = { route: e.reasoningRoute!, turns: [user('think about this')], reasoning: true };
      const r = await i.ask(h, q, false);
      assert.ok(e.reasoningAsked(lastUpstreamBody(h)), JSON.stringify(lastUpstreamBody(h)));
      assert.ok(r.reasoning.length > 0, 'reasoning reached the client');
      assert.equal(r.text, simulatedReply('think about this'));
      const s = await i.ask(h, q, true);
      assert.equal(s.reasoning, r.reasoning);
      assert.equal(s.text, r.text);
      // The simulator signs each answer afresh: the two signatures differ, both must arrive.
      if (i.seesSignatures && e.signsReasoning) {
        for (const a of [r, s]) assert.ok((a.reasoningSignature ?? '').length > 0, 'the upstream signature reaches the client');
      }
    },
  },
  {
    name: 'images: base64 and URL images are mapped into the provider image shape',
    async run(h, i, e) {
      const r = await i.ask(h, { route: e.route, turns: [{ role: 'user', text: 'what is in these?', images: [{ base64: PNG, mediaType: 'image/png' }, { url: 'https://example.com/cat.jpg' }] }] }, false);
      const inline = { kind: 'base64', mediaType: 'image/png', data: PNG };
      const url = { kind: 'url', url: 'https://example.com/cat.jpg' };
      if (e.imageUrls) assert.deepEqual(e.images(lastUpstreamBody(h)), [inline, url]);
      else {
        assert.deepEqual(e.images(lastUpstreamBody(h)), [inline]);
        assert.match(r.headers.get('x-modelplane-warnings') ?? '', /image URLs are not supported/);
      }
    },
  },
  {
    name: 'usage: present and consistent (tokens > 0, total = sum), the same stream and not',
    async run(h, i, e) {
      const q: Ask = { route: e.route, turns: [user('count my tokens please, all of them')] };
      const u = (await i.ask(h, q, false)).usage!;
      assert.ok(u.input > 0 && u.output > 0, JSON.stringify(u));
      assert.equal(u.total, u.input + u.output);
      assert.deepEqual((await i.ask(h, q, true)).usage, u);
    },
  },
  {
    name: "finish reasons: stop, length (tiny max_tokens) and tool calls, in the client's vocabulary, stream and not",
    async run(h, i, e) {
      const long = [user('a prompt long enough that three tokens cannot hold the reply')];
      for (const stream of BOTH) {
        assert.equal((await i.ask(h, { route: e.route, turns: long }, stream)).finish, 'stop');
        assert.equal((await i.ask(h, { route: e.route, turns: long, maxTokens: 3 }, stream)).finish, 'length');
        assert.equal(e.params(lastUpstreamBody(h)).maxTokens, 3);
        assert.equal((await i.ask(h, { route: e.route, turns: long, tools: true }, stream)).finish, 'tool_calls');
      }
    },
  },
  {
    name: "errors: 429/500/503/529 map to the canonical statuses; 400 keeps the upstream message; the client's own error shape",
    async run(h, i, e) {
      const send = (tag: FaultTag) => i.raw(h, faultRoute(e.route, tag, i.faultClient), 'x');

      h.sim.setFault(e.scope, { status: 429, retryAfter: 7 });
      let r = await send('429');
      assert.equal(r.status, 429, r.text);
      assert.equal(i.errorType(r.json), 'rate_limit_error');
      assert.equal(r.headers.get('retry-after'), '7');

      for (const [status, expected] of [[500, 502], [503, 503], [529, e.status529]] as const) {
        h.sim.setFault(e.scope, { status });
        r = await send(String(status) as FaultTag);
        // Anthropic clients know 529 as "overloaded": an upstream 529 read as overloaded stays 529
        // for them (whatever the upstream format); the other clients get the table's 503.
        const want = i.keeps529 && status === 529 && expected === 503 ? 529 : expected;
        assert.equal(r.status, want, `upstream ${status} -> ${i.format} client: ${r.text}`);
        const type = i.errorType(r.json);
        if (i.format === 'anthropic-messages') assert.ok(['api_error', 'overloaded_error'].includes(type), r.text);
        else assert.equal(type, 'api_error');
      }

      h.sim.setFault(e.scope, { status: 400 });
      r = await send('400');
      // What the upstream said, fetched straight from the simulator with the same fault in place.
      const rec = h.sim.requests.at(-1)!;
      const direct = await fetch(h.sim.url + rec.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rec.body) });
      assert.equal(direct.status, 400);
      assert.equal(r.status, 400);
      assert.equal(i.errorType(r.json), 'invalid_request_error');
      assert.equal(i.errorMessage(r.json), e.errorMessage((await direct.json()) as Record<string, unknown>));
    },
  },
  {
    name: 'a stream cut after content ends in a well-formed error event the SDK raises',
    async run(h, i, e) {
      h.sim.setFault(e.scope, { cutAfterChunks: e.chunksBeforeText + 2 });
      const q: Ask = { route: faultRoute(e.route, 'cut', i.faultClient), turns: [user('a long enough prompt for several chunks of reply text here')] };
      await assert.rejects(i.ask(h, q, true), (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.match(err.message, /stream|api_error/i);
        return true;
      });
    },
  },
  {
    name: 'round trip: sampling fields both sides can express arrive unchanged',
    async run(h, i, e) {
      await i.ask(h, { route: e.route, turns: [user('x')], maxTokens: 77, temperature: 0.5, topP: 0.9, ...(i.hasStop ? { stop: ['END'] } : {}) }, false);
      const expected = { maxTokens: 77, temperature: 0.5, topP: 0.9, ...(i.hasStop ? { stop: ['END'] } : {}) };
      assert.deepEqual(defined(e.params(lastUpstreamBody(h))), expected);
    },
  },
];
