import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { GatewayError } from '../../spec/errors.js';
import type { EgressTarget } from '../../spec/wire.js';
import { decodeEmbeddingRequest, encodeEmbeddingResponse, openaiChat } from './index.js';
import { ctx } from '../../../testkit/format-helpers/openai-chat.js';

test('decodeEmbeddingRequest: string, strings, tokens; base64 and float', () => {
  assert.deepEqual(decodeEmbeddingRequest({ model: 'emb', input: 'a' }), { model: 'emb', input: ['a'], encodingFormat: 'float' });
  assert.deepEqual(decodeEmbeddingRequest({ model: 'emb', input: ['a', 'b'], encoding_format: 'base64', dimensions: 8, user: 'u' }), {
    model: 'emb',
    input: ['a', 'b'],
    encodingFormat: 'base64',
    dimensions: 8,
    user: 'u',
  });
  assert.deepEqual(decodeEmbeddingRequest({ model: 'emb', input: [1, 2] }).input, [[1, 2]]);
  assert.deepEqual(decodeEmbeddingRequest({ model: 'emb', input: [[1], [2, 3]] }).input, [[1], [2, 3]]);
});

test('decodeEmbeddingRequest: clear errors', () => {
  const check = (body: unknown, param: string, pattern: RegExp) =>
    assert.throws(() => decodeEmbeddingRequest(body), (e: unknown) => e instanceof GatewayError && e.param === param && pattern.test(e.message));
  check({ input: 'a' }, 'model', /required/);
  check({ model: 'e', input: '' }, 'input', /^input: expected string to have >=1 characters/);
  check({ model: 'e', input: 'a', encoding_format: 'hex' }, 'encoding_format', /expected one of float, base64, got "hex"/);
  check({ model: 'e', input: ['a', 3] }, 'input[1]', /expected string, got 3/);
});

const vectors = [[0.5, -0.25, 1e-7], [3, 0, -1]];

test('encodeEmbeddingResponse: float and float32-LE base64', () => {
  const asFloat = encodeEmbeddingResponse({ model: 'p', vectors, usage: { inputTokens: 4 } }, { ...ctx, encodingFormat: 'float' });
  assert.deepEqual(asFloat, {
    object: 'list',
    data: [
      { object: 'embedding', index: 0, embedding: vectors[0] },
      { object: 'embedding', index: 1, embedding: vectors[1] },
    ],
    model: 'route-a',
    usage: { prompt_tokens: 4, total_tokens: 4 },
  });
  const asB64 = encodeEmbeddingResponse({ model: 'p', vectors: [[1, -2]], usage: { inputTokens: 1 } }, { ...ctx, encodingFormat: 'base64' }) as {
    data: Array<{ embedding: string }>;
  };
  // 1.0f = 00 00 80 3f, -2.0f = 00 00 00 c0 (little-endian)
  assert.equal(asB64.data[0]!.embedding, Buffer.from([0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]).toString('base64'));
});

test('the openai SDK (base64 by default) reads our embeddings response', async () => {
  let seen: unknown;
  const client = new OpenAI({
    apiKey: 'k',
    baseURL: 'http://gateway.invalid/v1',
    maxRetries: 0,
    fetch: async (_url, init) => {
      seen = JSON.parse(String(init?.body));
      const req = decodeEmbeddingRequest(seen);
      const body = encodeEmbeddingResponse({ model: 'p', vectors, usage: { inputTokens: 2 } }, { ...ctx, encodingFormat: req.encodingFormat });
      return new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
    },
  });
  const res = await client.embeddings.create({ model: 'route-a', input: ['x', 'y'] });
  assert.equal((seen as { encoding_format: string }).encoding_format, 'base64');
  assert.deepEqual(res.data.map((d) => d.embedding), vectors.map((v) => Array.from(new Float32Array(v))));
});

const target: EgressTarget = { deploymentId: 'd', model: 'emb-model', baseUrl: 'http://h/v1', auth: 'bearer', apiKey: 'k', quirks: { unsupportedParams: ['dimensions'] } };

test('buildEmbeddingRequest asks for floats and honours unsupported params', async () => {
  const r = await openaiChat.buildEmbeddingRequest!({ model: 'route', input: ['a'], dimensions: 4, encodingFormat: 'base64' }, target);
  assert.equal(r.url, 'http://h/v1/embeddings');
  assert.equal(r.headers.authorization, 'Bearer k');
  assert.deepEqual(JSON.parse(r.body as string), { model: 'emb-model', input: ['a'], encoding_format: 'float' });
  assert.deepEqual(r.warnings, ['dimensions dropped: not supported by this provider']);
});

test('parseEmbeddingResponse: floats or base64, ordered by index', () => {
  const b64 = Buffer.from(new Float32Array([0.5, 2]).buffer).toString('base64');
  const r = openaiChat.parseEmbeddingResponse!(
    { model: 'emb-model', data: [{ index: 1, embedding: b64 }, { index: 0, embedding: [1, 2] }], usage: { prompt_tokens: 3 } },
    { status: 200, headers: {} },
  );
  assert.deepEqual(r, { model: 'emb-model', vectors: [[1, 2], [0.5, 2]], usage: { inputTokens: 3 } });
  assert.throws(() => openaiChat.parseEmbeddingResponse!({ data: [{ index: 0 }] }, { status: 200, headers: {} }), /no usable embedding/);
});
