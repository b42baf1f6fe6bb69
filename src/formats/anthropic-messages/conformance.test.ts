// Replays every captured Anthropic response under fixtures/upstream/anthropic through the egress
// parsers and asserts the exact canonical result; then round-trips each stream through our own
// encoder and parser. The SDK-level check of our encoder lives in sdk.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { SKIP_NO_FIXTURES, fixturePath, readChunks, readFixture, readFixtureJson, readFixtureText } from '../../../testkit/fixtures.js';
import type { CanonicalEvent } from '../../spec/index.js';
import { anthropicMessages } from './index.js';
import { CTX, collect, fold, frameChunks, iter, type Folded } from '../../../testkit/format-helpers/anthropic-messages.js';

const skip = { skip: SKIP_NO_FIXTURES };
const dir = 'anthropic';
const meta = { status: 200, headers: {} };

async function* once(b: Uint8Array) {
  yield b;
}

/** The stream bytes of a capture: `.sse` verbatim, `.chunks.txt` framed with `event:` lines. */
function streamBytes(file: string): Uint8Array {
  return file.endsWith('.sse') ? new Uint8Array(readFixture(`${dir}/${file}`)) : new TextEncoder().encode(frameChunks(readChunks(`${dir}/${file}`)));
}

async function parseCapture(file: string): Promise<CanonicalEvent[]> {
  return collect(anthropicMessages.parseStream(once(streamBytes(file)), { model: 'fallback' }));
}

interface Chunk {
  type: string;
  content_block?: { type: string };
  delta?: { type: string; text?: string; thinking?: string; signature?: string; partial_json?: string };
}

/** A deliberately naive oracle: concatenates the deltas straight from the data lines. */
function naive(file: string): { text: string; thinking: string; signature?: string; args: string[] } {
  const lines = file.endsWith('.sse')
    ? readFixtureText(`${dir}/${file}`).split('\n').filter((l) => l.startsWith('data:')).map((l) => JSON.parse(l.slice(5)) as Chunk)
    : (readChunks(`${dir}/${file}`) as Chunk[]);
  const out: { text: string; thinking: string; signature?: string; args: string[] } = { text: '', thinking: '', args: [] };
  for (const d of lines) {
    if (d.type === 'content_block_start' && d.content_block?.type === 'tool_use') out.args.push('');
    const delta = d.type === 'content_block_delta' ? d.delta : undefined;
    if (delta === undefined) continue;
    if (delta.type === 'text_delta') out.text += delta.text;
    if (delta.type === 'thinking_delta') out.thinking += delta.thinking;
    if (delta.type === 'signature_delta' && delta.signature !== undefined) out.signature = delta.signature;
    if (delta.type === 'input_json_delta') out.args[out.args.length - 1] = (out.args.at(-1) ?? '') + (delta.partial_json ?? '');
  }
  return out;
}

const STREAMS: Record<string, (f: Folded, file: string) => void> = {
  'messages-text.stream.sse': (f) => {
    assert.equal(f.id, 'msg_01Ju7oPaDmjgrhWq8gNP4AUj');
    assert.equal(f.text, '1\n2\n3\n4\n5');
    assert.deepEqual(f.usage, { inputTokens: 15, outputTokens: 13, totalTokens: 28, cacheReadTokens: 0, cacheWriteTokens: 0 });
    assert.deepEqual(f.finish, { reason: 'stop', raw: 'end_turn' });
    assert.deepEqual(f.order, ['text']);
  },
  'messages-thinking.stream.sse': (f, file) => {
    const n = naive(file);
    assert.equal(f.reasoning.length, 1);
    assert.equal(f.reasoning[0]!.text, 'This is a straightforward question about pedestrian safety. I should provide clear, helpful advice about how to safely cross a street. This is basic safety information that could help prevent accidents.');
    assert.equal(f.reasoning[0]!.signature, n.signature);
    assert.equal(f.reasoning[0]!.signature!.length, 504);
    assert.ok(f.reasoning[0]!.signature!.startsWith('EvMCCkYICxgCKkCHP2cS'));
    assert.equal(f.text, n.text);
    assert.equal(f.text.length, 1021);
    assert.ok(f.text.startsWith('Here are the basic steps for safely crossing the street:\n\n**At intersections'));
    assert.ok(f.text.endsWith('. Always prioritize safety over speed when crossing streets.'));
    assert.deepEqual(f.usage, { inputTokens: 43, outputTokens: 282, totalTokens: 325, cacheReadTokens: 0, cacheWriteTokens: 0 });
    assert.deepEqual(f.finish, { reason: 'stop', raw: 'end_turn' });
    assert.deepEqual(f.order, ['reasoning', 'text']);
  },
  'messages-text.stream.chunks.txt': (f) => {
    assert.equal(f.text, "Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?");
    assert.deepEqual(f.usage, { inputTokens: 12, outputTokens: 30, totalTokens: 42, cacheReadTokens: 0, cacheWriteTokens: 0 });
    assert.deepEqual(f.finish, { reason: 'stop', raw: 'end_turn' });
  },
  'messages-thinking.stream.chunks.txt': (f, file) => {
    assert.deepEqual(f.reasoning, [{ text: 'The previous result was 925. Now I need to divide that by 5.\n\n925 ÷ 5 = 185', signature: naive(file).signature }]);
    assert.ok(f.reasoning[0]!.signature!.startsWith('EvQBCkYICxgCKkAxhD4N'));
    assert.equal(f.text, '925 ÷ 5 = 185');
    assert.deepEqual(f.usage, { inputTokens: 69, outputTokens: 53, totalTokens: 122, cacheReadTokens: 0, cacheWriteTokens: 0 });
    assert.deepEqual(f.order, ['reasoning', 'text']);
  },
  'messages-tool-use.stream.chunks.txt': (f) => {
    assert.equal(f.text, '');
    assert.equal(f.toolCalls.length, 1);
    assert.deepEqual({ ...f.toolCalls[0], arguments: undefined }, { index: 0, id: 'toolu_01KFbKqPYSuAKujiL6mTfzYA', name: 'json', arguments: undefined });
    assert.deepEqual(JSON.parse(f.toolCalls[0]!.arguments), { elements: [{ location: 'San Francisco', temperature: 58, condition: 'sunny' }] });
    assert.deepEqual(f.usage, { inputTokens: 849, outputTokens: 47, totalTokens: 896, cacheReadTokens: 0, cacheWriteTokens: 0 });
    assert.deepEqual(f.finish, { reason: 'tool-calls', raw: 'tool_use' });
  },
  'messages-text-then-tool-no-args.stream.chunks.txt': (f) => {
    assert.equal(f.text, "I'll update the issue list for you.");
    assert.deepEqual(f.toolCalls, [{ index: 0, id: 'toolu_01QE1WLsSVp5hy5Q3GmGTmjP', name: 'updateIssueList', arguments: '' }]);
    assert.deepEqual(f.usage, { inputTokens: 565, outputTokens: 48, totalTokens: 613, cacheReadTokens: 0, cacheWriteTokens: 0 });
    assert.deepEqual(f.finish, { reason: 'tool-calls', raw: 'tool_use' });
    assert.deepEqual(f.order, ['text', 'tool:0']);
  },
};

const RESPONSES: Record<string, (r: ReturnType<typeof anthropicMessages.parseResponse>) => void> = {
  'messages-text.json': (r) => {
    assert.deepEqual({ ...r, created: 0 }, {
      id: 'msg_01VdEjxAP5ahtHKrrRdNBteQ',
      model: 'claude-sonnet-4-5-20250929',
      created: 0,
      content: [{ type: 'text', text: "Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?" }],
      finishReason: 'stop',
      rawFinishReason: 'end_turn',
      usage: { inputTokens: 12, outputTokens: 29, totalTokens: 41, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
  },
  'messages-thinking.json': (r) => {
    const raw = readFixtureJson(`${dir}/messages-thinking.json`) as { content: Array<{ signature?: string }> };
    assert.deepEqual(r.content, [
      { type: 'reasoning', text: '925 divided by 5 = 185', signature: raw.content[0]!.signature },
      { type: 'text', text: '925 ÷ 5 = 185' },
    ]);
    assert.deepEqual(r.usage, { inputTokens: 69, outputTokens: 33, totalTokens: 102, cacheReadTokens: 0, cacheWriteTokens: 0 });
  },
  'messages-tool-use.json': (r) => {
    const raw = readFixtureJson(`${dir}/messages-tool-use.json`) as { content: Array<{ input: unknown }> };
    assert.equal(r.content.length, 1);
    const call = r.content[0]!;
    assert.ok(call.type === 'tool-call');
    assert.deepEqual([call.id, call.name], ['toolu_01Q9ExVZnzZj7E2QQYHYtNUa', 'json']);
    assert.deepEqual(JSON.parse(call.arguments), raw.content[0]!.input);
    assert.deepEqual([r.finishReason, r.rawFinishReason, r.stopSequence], ['tool-calls', 'tool_use', undefined]);
    assert.deepEqual(r.usage, { inputTokens: 1151, outputTokens: 87, totalTokens: 1238, cacheReadTokens: 0, cacheWriteTokens: 0 });
  },
  'messages-parallel-tool-use.json': (r) => {
    assert.deepEqual(r.content[0], {
      type: 'text',
      text: "I'll help you find out who is the youngest by retrieving information about each family member. I'll retrieve their entity information to compare their ages.",
    });
    const calls = r.content.slice(1).map((c) => (c.type === 'tool-call' ? [c.id, c.name, JSON.parse(c.arguments)] : c));
    assert.deepEqual(calls, [
      ['toolu_0167cfEnoQaPviGdVXA95zcu', 'retrieve_entity_info', { name: 'Alice' }],
      ['toolu_01EEe2V5HD1Ac4rKiUR4HD2T', 'retrieve_entity_info', { name: 'Bob' }],
      ['toolu_01XFyAjstT3966qvRynZyVPo', 'retrieve_entity_info', { name: 'Charlie' }],
      ['toolu_013mnQZbgtK2oe3Mo3XKJsx3', 'retrieve_entity_info', { name: 'Daisy' }],
    ]);
    assert.equal(r.finishReason, 'tool-calls');
    assert.deepEqual(r.usage, { inputTokens: 423, outputTokens: 202, totalTokens: 625, cacheReadTokens: 0, cacheWriteTokens: 0 });
  },
};

const ERRORS: Record<string, [string, boolean, string]> = {
  'error-400-prompt-too-long.json': ['context_length_exceeded', false, 'prompt is too long: 203284 tokens > 200000 maximum'],
  'error-429-rate-limit.json': ['rate_limited', true, "This request would exceed your account's rate limit. Please try again later."],
  'error-500-api-error.json': ['upstream_error', true, 'Internal server error'],
  'error-529-overloaded.json': ['upstream_overloaded', true, 'Overloaded'],
};

test('every anthropic capture is covered by a conformance case', skip, () => {
  const files = readdirSync(fixturePath(dir)).filter((f) => f !== 'cassettes').sort();
  assert.deepEqual(files, [...Object.keys(STREAMS), ...Object.keys(RESPONSES), ...Object.keys(ERRORS)].sort());
});

for (const [file, check] of Object.entries(STREAMS)) {
  test(`parseStream replays ${file}`, skip, async () => {
    const events = await parseCapture(file);
    const f = fold(events);
    assert.equal(f.error, undefined, f.error?.message);
    // Text and thinking must equal what the wire carried, and the tool arguments too.
    const n = naive(file);
    assert.equal(f.text, n.text);
    assert.equal(f.reasoning.map((r) => r.text).join(''), n.thinking);
    assert.deepEqual(f.toolCalls.map((t) => t.arguments), n.args);
    for (const e of events) {
      if (e.type === 'text-delta') assert.notEqual(e.text, '');
      if (e.type === 'tool-call-delta') assert.notEqual(e.argumentsDelta, '');
    }
    assert.equal(events[0]!.type, 'message-start');
    assert.equal(events.at(-1)!.type, 'finish');
    check(f, file);
  });

  test(`round trip ${file}: capture -> canonical -> encodeEvents -> parseStream`, skip, async () => {
    const first = await parseCapture(file);
    const sse = (await collect(anthropicMessages.encodeEvents(iter(first), CTX))).join('');
    const second = await collect(anthropicMessages.parseStream(once(new TextEncoder().encode(sse)), { model: 'fallback' }));
    const a = fold(first);
    const b = fold(second);
    assert.deepEqual(b, a);
    // Byte split does not matter: the same bytes one at a time give the same result.
    async function* oneByOne() {
      for (const c of new TextEncoder().encode(sse)) yield new Uint8Array([c]);
    }
    assert.deepEqual(fold(await collect(anthropicMessages.parseStream(oneByOne(), { model: 'fallback' }))), a);
  });
}

for (const [file, check] of Object.entries(RESPONSES)) {
  test(`parseResponse replays ${file}`, skip, () => {
    check(anthropicMessages.parseResponse(readFixtureJson(`${dir}/${file}`), meta));
  });

  test(`round trip ${file}: parseResponse -> encodeResponse keeps content and usage`, skip, () => {
    const raw = readFixtureJson(`${dir}/${file}`) as { content: unknown[]; stop_reason: string; usage: Record<string, number> };
    const out = anthropicMessages.encodeResponse(anthropicMessages.parseResponse(raw, meta), CTX) as Record<string, unknown>;
    assert.deepEqual(out.content, raw.content);
    assert.equal(out.stop_reason, raw.stop_reason);
    const { input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens } = raw.usage;
    assert.deepEqual(out.usage, { input_tokens, output_tokens, cache_creation_input_tokens, cache_read_input_tokens });
  });
}

for (const [file, [code, retryable, message]] of Object.entries(ERRORS)) {
  test(`parseError replays ${file}`, skip, () => {
    const status = Number(/^error-(\d+)-/.exec(file)![1]);
    const text = readFixtureText(`${dir}/${file}`);
    const e = anthropicMessages.parseError(text, { status, headers: { 'retry-after': '3' } });
    assert.deepEqual([e.code, e.retryable, e.message], [code, retryable, message]);
    assert.equal(e.retryAfterMs, 3000);
    assert.deepEqual(e.upstream, { status, body: JSON.parse(text), type: (JSON.parse(text) as { error: { type: string } }).error.type });
    // Rendered back to an Anthropic client, the error keeps its Anthropic type.
    const rendered = anthropicMessages.encodeError(e);
    assert.equal((rendered.body as { error: { type: string } }).error.type, code === 'upstream_overloaded' ? 'overloaded_error' : code === 'rate_limited' ? 'rate_limit_error' : code === 'upstream_error' ? 'api_error' : 'invalid_request_error');
    if (status === 529) assert.equal(rendered.status, 529);
  });
}
