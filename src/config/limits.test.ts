// server.limits and the storage durability settings compile into the snapshot, with the
// documented defaults when absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSnapshotFromText } from './load.js';
import { DEFAULT_INGRESS_LIMITS, DEFAULT_UPSTREAM_LIMITS } from '../spec/limits.js';

const BASE = `
providers:
  p: { format: openai-chat, base_url: http://127.0.0.1:1/v1, auth: none }
deployments:
  d: { provider: p, model: m }
routes:
  r: { targets: [d] }
`;

test('defaults: the ingress and upstream limits of src/spec/limits.ts, on the server and every deployment', () => {
  const s = loadSnapshotFromText(BASE, { env: {} });
  assert.deepEqual(s.server.limits, DEFAULT_INGRESS_LIMITS);
  assert.deepEqual(s.server.upstreamLimits, DEFAULT_UPSTREAM_LIMITS);
  assert.deepEqual(s.deployments.get('d')!.upstreamLimits, DEFAULT_UPSTREAM_LIMITS);
  assert.equal(s.server.shutdownGraceMs, 30_000);
  assert.equal(s.storage.responsesDurability, undefined);
});

test('configured: sizes accept units, every key reaches the snapshot', () => {
  const s = loadSnapshotFromText(
    `server:
  shutdown_grace: 5s
  limits: { max_depth: 20, max_schema_depth: 8, max_messages: 3, max_tools: 2, max_content_parts: 4, max_string_length: 100, max_embedding_inputs: 5, upstream_body: 2mb, upstream_event: 64kb, upstream_stream: 10mb }
storage:
  responses: { write_behind: 50ms, durability: strict }
${BASE}`,
    { env: {} },
  );
  assert.deepEqual(s.server.limits, { maxDepth: 20, maxSchemaDepth: 8, maxMessages: 3, maxTools: 2, maxContentParts: 4, maxStringLength: 100, maxEmbeddingInputs: 5 });
  assert.deepEqual(s.deployments.get('d')!.upstreamLimits, { maxBodyBytes: 2 * 1024 * 1024, maxEventBytes: 64 * 1024, maxStreamBytes: 10 * 1024 * 1024 });
  assert.equal(s.server.shutdownGraceMs, 5_000);
  assert.equal(s.storage.responsesWriteBehindMs, 50);
  assert.equal(s.storage.responsesDurability, 'strict');
});

test('a typo under server.limits is a config error naming the path', () => {
  assert.throws(() => loadSnapshotFromText(`server: { limits: { max_dept: 3 } }\n${BASE}`, { env: {} }), /server\.limits/);
});
