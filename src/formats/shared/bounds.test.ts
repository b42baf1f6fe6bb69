// The ingress bounds: each limit is enforced by each protocol's decoder, names the field and the
// config key, and a body at the limit still passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../spec/errors.js';
import { DEFAULT_INGRESS_LIMITS, type IngressLimits } from '../../spec/limits.js';
import { decodeRequest as decodeChat } from '../openai-chat/decode-request.js';
import { decodeEmbeddingRequest } from '../openai-chat/embeddings.js';
import { decodeRequest as decodeAnthropic } from '../anthropic-messages/decode-request.js';
import { decodeRequest as decodeResponses } from '../openai-responses/decode-request.js';
import { checkTree } from './bounds.js';

/** A JSON schema whose JSON nesting depth is `depth` (the root object counts as 1). */
export function deepSchema(depth: number): Record<string, unknown> {
  let s: Record<string, unknown> = { type: 'string' };
  for (let i = 1; i < depth; i++) s = { type: 'array', items: s };
  return s;
}

function deepArray(depth: number): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

function rejects(fn: () => unknown, key: string, param?: RegExp): GatewayError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof GatewayError, `expected a GatewayError, got ${String(e)}`);
    assert.equal(e.code, 'invalid_request');
    assert.equal(e.status, 400);
    assert.match(e.message, new RegExp(key.replaceAll('.', '\\.')));
    if (param) assert.match(e.param ?? '', param);
    return e;
  }
  assert.fail('expected the decoder to reject the body');
}

const chatTool = (parameters: unknown) => ({ type: 'function', function: { name: 'f', parameters } });
const chatBody = (extra: Record<string, unknown> = {}) => ({ model: 'r', messages: [{ role: 'user', content: 'hi' }], ...extra });
const anthBody = (extra: Record<string, unknown> = {}) => ({ model: 'r', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], ...extra });
const respBody = (extra: Record<string, unknown> = {}) => ({ model: 'r', input: 'hi', ...extra });

test('a 10,000-level tool schema is a 400 naming the schema limit, on every ingress', () => {
  const deep = deepSchema(10_000);
  rejects(() => decodeChat(chatBody({ tools: [chatTool(deep)] })), 'server.limits.max_', /^tools\[0\]\.function\.parameters/);
  rejects(() => decodeAnthropic(anthBody({ tools: [{ name: 'f', input_schema: deep }] })), 'server.limits.max_', /^tools\[0\]\.input_schema/);
  rejects(() => decodeResponses(respBody({ tools: [{ type: 'function', name: 'f', parameters: deep }] })), 'server.limits.max_', /^tools\[0\]\.parameters/);
});

test('tool schemas: depth 32 passes, 33 is refused with max_schema_depth', () => {
  const ok = deepSchema(DEFAULT_INGRESS_LIMITS.maxSchemaDepth);
  decodeChat(chatBody({ tools: [chatTool(ok)] }));
  decodeAnthropic(anthBody({ tools: [{ name: 'f', input_schema: ok }] }));
  decodeResponses(respBody({ tools: [{ type: 'function', name: 'f', parameters: ok }] }));
  const over = deepSchema(DEFAULT_INGRESS_LIMITS.maxSchemaDepth + 1);
  rejects(() => decodeChat(chatBody({ tools: [chatTool(over)] })), 'server.limits.max_schema_depth');
  rejects(() => decodeAnthropic(anthBody({ tools: [{ name: 'f', input_schema: over }] })), 'server.limits.max_schema_depth');
  rejects(() => decodeResponses(respBody({ tools: [{ type: 'function', name: 'f', parameters: over }] })), 'server.limits.max_schema_depth');
  rejects(() => decodeChat(chatBody({ response_format: { type: 'json_schema', json_schema: { name: 'n', schema: over } } })), 'server.limits.max_schema_depth', /^response_format/);
  rejects(() => decodeResponses(respBody({ text: { format: { type: 'json_schema', name: 'n', schema: over } } })), 'server.limits.max_schema_depth', /^text\.format\.schema/);
});

test('body depth: anything nested past max_depth is refused, wherever it is', () => {
  rejects(() => decodeChat(chatBody({ metadata: { a: deepArray(100) } })), 'server.limits.max_depth', /^metadata\.a/);
  rejects(() => decodeChat(chatBody({ vendor_extra: deepArray(100) })), 'server.limits.max_depth', /^vendor_extra/);
  rejects(() => decodeAnthropic(anthBody({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: deepArray(100) }] }] })), 'server.limits.max_depth');
  rejects(() => decodeEmbeddingRequest({ model: 'e', input: deepArray(100) }), 'server.limits.max_depth');
});

test('counts: messages, tools, content parts and embedding inputs', () => {
  const small: IngressLimits = { ...DEFAULT_INGRESS_LIMITS, maxMessages: 2, maxTools: 1, maxContentParts: 2, maxEmbeddingInputs: 2 };
  const msgs = (n: number) => Array.from({ length: n }, () => ({ role: 'user', content: 'hi' }));
  decodeChat(chatBody({ messages: msgs(2) }), small);
  rejects(() => decodeChat(chatBody({ messages: msgs(3) }), small), 'server.limits.max_messages', /^messages$/);
  rejects(() => decodeAnthropic(anthBody({ messages: msgs(3) }), small), 'server.limits.max_messages');
  rejects(() => decodeResponses(respBody({ input: msgs(3) }), small), 'server.limits.max_messages', /^input$/);
  rejects(() => decodeChat(chatBody({ tools: [chatTool({}), chatTool({})] }), small), 'server.limits.max_tools', /^tools$/);
  const parts = [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }, { type: 'text', text: 'c' }];
  rejects(() => decodeChat(chatBody({ messages: [{ role: 'user', content: parts }] }), small), 'server.limits.max_content_parts', /^messages\[0\]\.content$/);
  rejects(() => decodeAnthropic(anthBody({ messages: [{ role: 'user', content: parts }] }), small), 'server.limits.max_content_parts');
  rejects(() => decodeAnthropic(anthBody({ system: parts }), small), 'server.limits.max_content_parts', /^system$/);
  rejects(() => decodeEmbeddingRequest({ model: 'e', input: ['a', 'b', 'c'] }, small), 'server.limits.max_embedding_inputs', /^input$/);
});

test('string length is bounded, in values and in keys', () => {
  const small: IngressLimits = { ...DEFAULT_INGRESS_LIMITS, maxStringLength: 10 };
  decodeChat(chatBody({ messages: [{ role: 'user', content: 'x'.repeat(10) }] }), small);
  rejects(() => decodeChat(chatBody({ messages: [{ role: 'user', content: 'x'.repeat(11) }] }), small), 'server.limits.max_string_length', /^messages\[0\]\.content$/);
  rejects(() => decodeResponses(respBody({ metadata: { ['k'.repeat(11)]: 'v' } }), small), 'server.limits.max_string_length');
});

test('the checker itself survives a million-level body (no recursion past the limit)', () => {
  const v = deepArray(1_000_000);
  assert.throws(() => checkTree(v, [], 64, 100, 'maxDepth'), /nesting depth exceeds the limit of 64/);
});
