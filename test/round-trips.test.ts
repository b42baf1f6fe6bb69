// Pure round trips, the translator half of the conformance suite (test/conformance.test.ts runs
// the same formats over HTTP): provider body -> canonical -> client body, and client's next
// request -> canonical -> provider body, with the translators alone (no I/O) and hand-written
// data, so that these run without the captured fixtures. Cache counters are the field most often
// lost in translation.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { anthropicMessages, egressFormats, gemini, openaiChat } from '../src/formats/index.js';
import type { CanonicalRequest } from '../src/spec/canonical.js';
import type { EgressFormat, EgressTarget } from '../src/spec/wire.js';
import { anthropicWeatherTool, CACHED_ANSWERS, openaiWeatherTool } from './cross-format-kit.js';
import { defined, EGRESS } from './conformance-egress.js';

const TARGET: EgressTarget = { deploymentId: 'd', model: 'model-a', baseUrl: 'http://upstream.invalid', auth: 'none', quirks: {} };
const ENC = { model: 'route-a', requestId: 'req_1', created: 1700000000 };
const META = { status: 200, headers: {} };

async function upstreamBody(format: EgressFormat, req: CanonicalRequest): Promise<Record<string, unknown>> {
  const up = await format.buildRequest(req, TARGET);
  return JSON.parse(up.body as string) as Record<string, unknown>;
}

describe('round trips through the canonical form (translators only, hand-written data)', () => {
  for (const a of EGRESS) {
    const egress = egressFormats[a.format]!;
    test(`${a.format}: cached prompt tokens survive to both clients (inputTokens includes cached)`, () => {
      const canonical = egress.parseResponse(CACHED_ANSWERS[a.format], META);
      assert.equal(canonical.usage?.inputTokens, 125);
      assert.equal(canonical.usage?.cacheReadTokens, 100);
      assert.equal(canonical.usage?.outputTokens, 10);
      const o = openaiChat.encodeResponse(canonical, ENC) as { usage: Record<string, any> };
      assert.equal(o.usage.prompt_tokens, 125);
      assert.equal(o.usage.prompt_tokens_details.cached_tokens, 100);
      assert.equal(o.usage.total_tokens, 135);
      const an = anthropicMessages.encodeResponse(canonical, ENC) as { usage: Record<string, number> };
      assert.deepEqual(an.usage, { input_tokens: 25, output_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 100 });
    });

    for (const [client, ingress] of [['openai-chat', openaiChat], ['anthropic-messages', anthropicMessages]] as const) {
      test(`${a.format} -> ${client} client -> ${a.format}: the tool call goes back as it came (id, name, arguments)`, async () => {
        const canonical = egress.parseResponse(CACHED_ANSWERS[a.format], META);
        const shown = ingress.encodeResponse(canonical, ENC) as Record<string, any>;
        // The client's next request: its own rendering of the answer, plus the tool's result.
        const next =
          client === 'openai-chat'
            ? { model: 'route-a', messages: [{ role: 'user', content: 'weather?' }, shown.choices[0].message, { role: 'tool', tool_call_id: shown.choices[0].message.tool_calls[0].id, content: 'sunny' }], tools: [openaiWeatherTool] }
            : { model: 'route-a', max_tokens: 64, messages: [{ role: 'user', content: 'weather?' }, { role: 'assistant', content: shown.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: shown.content.find((b: any) => b.type === 'tool_use').id, content: 'sunny' }] }], tools: [anthropicWeatherTool] };
        const body = await upstreamBody(egress, ingress.decodeRequest(next));
        const expectedId = a.toolIds ? 'call_9' : undefined;
        assert.deepEqual(a.toolCalls(body), [defined({ id: expectedId, name: 'get_weather', args: { city: 'Oslo' } })]);
        assert.deepEqual(a.toolResults(body), [defined({ id: expectedId, name: a.toolIds ? undefined : 'get_weather', text: 'sunny' })]);
        assert.deepEqual(a.turns(body).filter((t) => t.role === 'assistant').map((t) => t.text), ['hi']);
      });
    }
  }

  test('Gemini thoughtSignature on a functionCall survives a round trip through the client (packed into the call id)', async () => {
    const answer = {
      candidates: [{ content: { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Oslo' } }, thoughtSignature: 'SIG-abc' }] }, finishReason: 'STOP' }],
    };
    for (const ingress of [openaiChat, anthropicMessages]) {
      const shown = ingress.encodeResponse(gemini.parseResponse(answer, META), ENC) as Record<string, any>;
      const next =
        ingress === openaiChat
          ? { model: 'r', messages: [{ role: 'user', content: 'q' }, shown.choices[0].message, { role: 'tool', tool_call_id: shown.choices[0].message.tool_calls[0].id, content: 'sunny' }] }
          : { model: 'r', max_tokens: 64, messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: shown.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: shown.content.find((b: { type: string }) => b.type === 'tool_use').id, content: 'sunny' }] }] };
      const body = (await upstreamBody(gemini, ingress.decodeRequest(next))) as { contents: Array<{ parts: Array<Record<string, unknown>> }> };
      const call = body.contents.flatMap((c) => c.parts).find((p) => p.functionCall);
      assert.equal(call?.thoughtSignature, 'SIG-abc', `through ${ingress.name}`);
    }
  });
});
