// Egress parsers on small hand-written data, so the quirks stay covered without the captures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CanonicalEvent } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import { openaiChat } from './index.js';
import { assemble, assertWellFormed, bytes, collect } from '../../../testkit/format-helpers/openai-chat.js';

const parse = (...parts: string[]) => collect(openaiChat.parseStream(bytes(...parts), { model: 'fallback' }));
const frame = (o: unknown) => `data: ${JSON.stringify(o)}\n\n`;
const chunk = (delta: unknown, finish: string | null = null, extra: Record<string, unknown> = {}) => ({
  id: 'r1',
  object: 'chat.completion.chunk',
  created: 9,
  model: 'model-a',
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...extra,
});

test('Mistral-style tool calls: no index, no type, whole call in the finish chunk', async () => {
  const evs = await parse(
    frame(chunk({ role: 'assistant', content: '' })),
    frame(
      chunk(
        {
          content: null,
          tool_calls: [
            { id: 'aaa', function: { name: 'f', arguments: '{"x":1}' } },
            { id: 'bbb', function: { name: 'g', arguments: '{}' } },
          ],
        },
        'tool_calls',
        { usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } },
      ),
    ),
    'data: [DONE]\n\n',
  );
  assertWellFormed(evs);
  assert.deepEqual(evs.slice(1), [
    { type: 'tool-call-start', index: 0, id: 'aaa', name: 'f' },
    { type: 'tool-call-delta', index: 0, argumentsDelta: '{"x":1}' },
    { type: 'tool-call-start', index: 1, id: 'bbb', name: 'g' },
    { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
    { type: 'usage', usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 } },
    { type: 'finish', reason: 'tool-calls', raw: 'tool_calls' },
  ]);
});

test('Qwen-style repeats: "" ids never overwrite the real id, empty deltas are dropped', async () => {
  const tc = (o: Record<string, unknown>) => chunk({ content: null, tool_calls: [{ index: 0, type: 'function', ...o }] });
  const evs = await parse(
    frame(tc({ id: 'call_real', function: { name: 'w', arguments: '' } })),
    frame(tc({ id: '', function: { arguments: '{"a":' } })),
    frame(tc({ id: '', function: { arguments: '2}' } })),
    frame(tc({ id: '', function: { arguments: '' } })),
    frame(chunk({}, 'tool_calls')),
    frame({ id: 'r1', choices: [], usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6, prompt_tokens_details: { cached_tokens: 2 } } }),
    'data: [DONE]\n\n',
  );
  assertWellFormed(evs);
  const a = assemble(evs);
  assert.deepEqual(a.toolCalls, [{ index: 0, id: 'call_real', name: 'w', arguments: '{"a":2}' }]);
  assert.equal(evs.filter((e) => e.type === 'tool-call-delta').length, 2);
  assert.deepEqual(a.usage?.usage, { inputTokens: 5, outputTokens: 1, totalTokens: 6, cacheReadTokens: 2 });
  assert.equal(evs.at(-1)?.type, 'usage', 'usage after finish is still delivered');
});

test('parallel OpenAI tool calls keep their own indexes; a reused index with a new id is a new call', async () => {
  const evs = await parse(
    frame(chunk({ tool_calls: [{ index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '' } }] })),
    frame(chunk({ tool_calls: [{ index: 1, id: 'b', type: 'function', function: { name: 'g', arguments: '{"y"' } }] })),
    frame(chunk({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] })),
    frame(chunk({ tool_calls: [{ index: 1, function: { arguments: ':1}' } }] })),
    frame(chunk({ tool_calls: [{ index: 0, id: 'c', function: { name: 'h', arguments: '[]' } }] })),
    frame(chunk({}, 'tool_calls')),
  );
  assert.deepEqual(assemble(evs).toolCalls, [
    { index: 0, id: 'a', name: 'f', arguments: '{}' },
    { index: 1, id: 'b', name: 'g', arguments: '{"y":1}' },
    { index: 2, id: 'c', name: 'h', arguments: '[]' },
  ]);
});

test('a call whose id never comes gets a generated one at finish, with its buffered arguments', async () => {
  const evs = await parse(
    frame(chunk({ tool_calls: [{ index: 0, function: { name: 'f', arguments: '{"a"' } }] })),
    frame(chunk({ tool_calls: [{ index: 0, function: { arguments: ':1}' } }] })),
    frame(chunk({}, 'tool_calls')),
  );
  assertWellFormed(evs);
  assert.deepEqual(assemble(evs).toolCalls, [{ index: 0, id: 'call_r1_0', name: 'f', arguments: '{"a":1}' }]);
});

test('Ollama `reasoning`, DeepSeek `reasoning_content`, Mistral content arrays', async () => {
  const evs = await parse(
    frame(chunk({ role: 'assistant', reasoning: 'o1' })),
    frame(chunk({ reasoning_content: 'd1', content: null })),
    frame(chunk({ content: [{ type: 'thinking', thinking: [{ type: 'text', text: 'm1' }] }, { type: 'text', text: 'T' }] })),
    frame(chunk({ content: 'ext' }, 'stop')),
  );
  const a = assemble(evs);
  assert.equal(a.reasoning, 'o1d1m1');
  assert.equal(a.text, 'Text');
});

test('CRLF framing, comments, obfuscation fields, and message-start from the first chunk', async () => {
  const evs = await parse(
    ': OPENROUTER PROCESSING\r\n\r\n',
    `data: ${JSON.stringify({ ...chunk({ content: 'a' }), obfuscation: 'xx' })}\r\n\r\n`,
    `data: ${JSON.stringify(chunk({ content: 'b' }, 'length'))}\r\n\r\ndata: [DONE]\r\n\r\n`,
  );
  assert.deepEqual(evs, [
    { type: 'message-start', id: 'r1', model: 'model-a', created: 9 },
    { type: 'text-delta', text: 'a' },
    { type: 'text-delta', text: 'b' },
    { type: 'finish', reason: 'length', raw: 'length' },
  ]);
});

test('unknown finish reasons become other with the raw string kept', async () => {
  const evs = await parse(frame(chunk({ content: 'a' }, 'eos_token')));
  assert.deepEqual(evs.at(-1), { type: 'finish', reason: 'other', raw: 'eos_token' });
});

test('an error payload mid-stream becomes a canonical error event', async () => {
  const evs = await parse(
    frame(chunk({ content: 'a' })),
    frame({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded', param: null } }),
    frame(chunk({ content: 'never' })),
  );
  const last = evs.at(-1) as CanonicalEvent & { type: 'error' };
  assert.equal(last.type, 'error');
  assert.equal(last.error.code, 'rate_limited');
  assert.equal(last.error.message, 'Rate limit reached');
  assert.equal(last.error.upstream?.type, 'rate_limit_exceeded');
  assert.ok(!evs.some((e) => e.type === 'text-delta' && e.text === 'never'));
});

test('a body that ends without a finish: stream_interrupted; [DONE] without a finish: closed', async () => {
  const cut = await parse(frame(chunk({ content: 'a' })));
  assert.equal(cut.at(-1)?.type, 'error');
  assert.equal((cut.at(-1) as { error: GatewayError }).error.code, 'stream_interrupted');
  // An orderly end with nothing in it is not an interruption: the upstream broke the protocol.
  const empty = await parse('');
  assert.equal((empty[0] as { error: GatewayError }).error.code, 'upstream_protocol');
  const done = await parse(frame(chunk({ content: 'a' })), 'data: [DONE]\n\n');
  assert.deepEqual(done.at(-1), { type: 'finish', reason: 'stop' });
});

test('invalid JSON and a failing body become error events', async () => {
  const bad = await parse('data: {"id":\n\n');
  assert.equal((bad.at(-1) as { error: GatewayError }).error.code, 'upstream_protocol');
  async function* failing() {
    yield new TextEncoder().encode(frame(chunk({ content: 'a' })));
    throw new Error('socket hang up');
  }
  const evs = await collect(openaiChat.parseStream(failing(), { model: 'm' }));
  const last = evs.at(-1) as { type: string; error: GatewayError };
  assert.equal(last.error.code, 'stream_interrupted');
  assert.match(last.error.message, /socket hang up/);
});

test('message-start falls back to the deployment model when the chunk has none', async () => {
  const evs = await parse(frame({ choices: [{ index: 0, delta: { content: 'a' }, finish_reason: 'stop' }] }));
  assert.equal((evs[0] as { model: string }).model, 'fallback');
});

// ---------------------------------------------------------------- parseResponse

const meta = { status: 200, headers: {} };

test('parseResponse: text, tool calls with object arguments, refusal, missing ids', () => {
  const r = openaiChat.parseResponse(
    {
      id: 'x1',
      model: 'model-a',
      created: 3,
      choices: [
        {
          message: { role: 'assistant', content: 'hi', tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }] },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 2, prompt_cache_hit_tokens: 8, prompt_tokens_details: { cached_tokens: 0 } },
    },
    meta,
  );
  assert.deepEqual(r, {
    id: 'x1',
    model: 'model-a',
    created: 3,
    content: [{ type: 'text', text: 'hi' }, { type: 'tool-call', id: 'call_x1_0', name: 'f', arguments: '{"a":1}' }],
    finishReason: 'tool-calls',
    rawFinishReason: 'tool_calls',
    usage: { inputTokens: 10, outputTokens: 2, cacheReadTokens: 8 },
  });
  const refused = openaiChat.parseResponse({ choices: [{ message: { content: null, refusal: 'no' }, finish_reason: 'stop' }] }, meta);
  assert.deepEqual(refused.content, [{ type: 'text', text: 'no' }]);
  assert.deepEqual(refused.providerMetadata, { refusal: 'no' });
});

test('parseResponse: no choices is a protocol error; an error body with 200 is mapped', () => {
  assert.throws(() => openaiChat.parseResponse({ choices: [] }, meta), (e: unknown) => e instanceof GatewayError && e.code === 'upstream_protocol');
  assert.throws(
    () => openaiChat.parseResponse({ error: { message: 'quota', code: 'insufficient_quota' } }, meta),
    (e: unknown) => e instanceof GatewayError && e.code === 'insufficient_quota',
  );
});

// ---------------------------------------------------------------- parseError

const err = (text: string, status: number, headers: Record<string, string> = {}) => openaiChat.parseError(text, { status, headers });

test('parseError refines the status by the body', () => {
  assert.equal(err('{"error":{"message":"q","type":"insufficient_quota","code":"insufficient_quota"}}', 429).retryable, false);
  assert.equal(err('{"error":{"message":"slow","type":"requests","code":"rate_limit_exceeded"}}', 429).code, 'rate_limited');
  assert.equal(err('{"error":{"message":"bad","code":"content_policy_violation"}}', 400).code, 'content_filter');
  assert.equal(err('{"error":{"message":"flagged","type":"content_filter"}}', 400).code, 'content_filter');
  assert.equal(err('{"error":{"message":"This model\'s maximum context length is 10 tokens"}}', 400).code, 'context_length_exceeded');
  assert.equal(err('{"error":{"message":"nope","type":"invalid_request_error"}}', 401).code, 'upstream_auth');
  assert.equal(err('{"error":{"message":"down"}}', 503).code, 'upstream_unavailable');
  assert.equal(err('{"error":{"message":"x"}}', 500).code, 'upstream_error');
});

test('parseError reads Ollama, vLLM/Mistral and FastAPI shapes, and non-JSON bodies', () => {
  const ollama = err('{"error":"model \\"m\\" not found, try pulling it first"}', 404);
  assert.equal(ollama.code, 'upstream_not_found');
  assert.equal(ollama.message, 'model "m" not found, try pulling it first');
  const vllm = err('{"object":"error","message":"too long","type":"BadRequestError","code":400}', 400);
  assert.equal(vllm.message, 'too long');
  assert.equal(vllm.upstream?.type, 'BadRequestError');
  assert.equal(err('{"detail":"Not Found"}', 404).message, 'Not Found');
  const html = err('<html>502 Bad Gateway</html>', 502, { 'retry-after-ms': '250' });
  assert.equal(html.code, 'upstream_error');
  assert.equal(html.retryable, true);
  assert.equal(html.message, 'upstream returned HTTP 502: <html>502 Bad Gateway</html>');
  assert.deepEqual(html.upstream, { status: 502, body: '<html>502 Bad Gateway</html>' });
  assert.equal(html.retryAfterMs, 250);
  assert.equal(err('', 504).code, 'upstream_timeout');
});
