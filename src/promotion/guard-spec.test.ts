import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGuard, parseGuards } from './guard-spec.js';

test('guards in the command-line form become the config block', () => {
  assert.deepEqual(parseGuards(['error_rate<=+1%', 'p95_latency<=+20%', 'eval_pass>=0.95', 'shadow_win>=45%', 'shadow_similarity >= 0.8']), {
    error_rate: 0.01,
    p95_latency: 0.2,
    eval_pass: 0.95,
    shadow_win: 0.45,
    shadow_similarity: 0.8,
  });
  assert.deepEqual(parseGuard('p95_latency<=1.5'), ['p95_latency', 1.5], 'latency may rise by more than 100%');
});

test('a guard written the wrong way round, unknown, out of range or twice is a clear error', () => {
  assert.throws(() => parseGuard('error_rate>=1%'), /error_rate is written error_rate<=LIMIT/);
  assert.throws(() => parseGuard('eval_pass<=0.9'), /eval_pass is written eval_pass>=LIMIT/);
  assert.throws(() => parseGuard('latency<=20%'), /unknown guard "latency" \(known: error_rate, p95_latency/);
  assert.throws(() => parseGuard('eval_pass>=95'), /share from 0 to 1/);
  assert.throws(() => parseGuard('error rate is low'), /expected NAME<=LIMIT/);
  assert.throws(() => parseGuards(['eval_pass>=0.9', 'eval_pass>=0.95']), /given twice/);
});
