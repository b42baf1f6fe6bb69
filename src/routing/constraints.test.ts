import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eligible } from './constraints.js';
import type { RequestNeeds } from './estimate.js';
import { testDeployment } from '../../testkit/routing-builders.js';

const needs = (over: Partial<RequestNeeds> = {}): RequestNeeds => ({
  tools: false,
  vision: false,
  jsonSchema: false,
  embeddings: false,
  stream: false,
  estimatedInputTokens: 1000,
  maxOutputTokens: undefined,
  ...over,
});

test('capabilities rule a deployment out with a reason', () => {
  const plain = testDeployment('plain', { capabilities: { tools: false, vision: false, jsonSchema: false } });
  assert.deepEqual(eligible(plain, needs()), { ok: true });
  assert.deepEqual(eligible(plain, needs({ tools: true })), { ok: false, kind: 'tools', reason: 'deployment plain does not support tools' });
  assert.equal(eligible(plain, needs({ vision: true })).ok, false);
  assert.equal(eligible(plain, needs({ jsonSchema: true })).ok, false);
  assert.equal(eligible(plain, needs({ embeddings: true })).ok, false);
  assert.deepEqual(eligible(testDeployment('full'), needs({ tools: true, vision: true, jsonSchema: true })), { ok: true });
});

test('context window must hold the estimated input plus the requested output', () => {
  const dep = testDeployment('w', { capabilities: { contextWindow: 8000 } });
  assert.equal(eligible(dep, needs({ estimatedInputTokens: 8000 })).ok, true);
  assert.equal(eligible(dep, needs({ estimatedInputTokens: 7000, maxOutputTokens: 1000 })).ok, true);
  assert.deepEqual(eligible(dep, needs({ estimatedInputTokens: 7000, maxOutputTokens: 1001 })), {
    ok: false,
    kind: 'context',
    reason: 'deployment w: request needs ~8001 tokens, context window is 8000',
  });
  // No declared window: no check.
  assert.equal(eligible(testDeployment('x'), needs({ estimatedInputTokens: 10_000_000 })).ok, true);
});
