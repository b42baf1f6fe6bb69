import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../spec/errors.js';
import { backoffMs, canRetrySameTarget, fitsDeadline, retryDelay, shouldFallBack } from './retry.js';
import { testDeployment, testPlan } from '../../testkit/routing-builders.js';

const policy = { maxAttempts: 5, attemptsPerDeployment: 3, baseBackoffMs: 100, maxBackoffMs: 1_000 };
const almostOne = () => 0.999999;

test('backoff is exponential with full jitter, capped at maxBackoffMs', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, policy, almostOne)), [99, 199, 399, 799, 999, 999]);
  assert.equal(backoffMs(3, policy, () => 0), 0);
  assert.equal(backoffMs(3, policy, () => 0.5), 200);
});

test('retry-after wins over the backoff, even above the backoff cap', () => {
  assert.equal(retryDelay(new GatewayError('rate_limited', 'x', { retryAfterMs: 2_500 }), 1, policy, almostOne), 2_500);
  assert.equal(retryDelay(new GatewayError('rate_limited', 'x', { retryAfterMs: 0 }), 4, policy, almostOne), 0);
  assert.equal(retryDelay(new GatewayError('upstream_error', 'x'), 2, policy, almostOne), 199);
});

test('fallback: never for request-scope errors; credential/deployment/provider errors yes', () => {
  const plan = testPlan([testDeployment('a')]);
  assert.equal(shouldFallBack(new GatewayError('upstream_bad_request', 'x'), plan), false);
  assert.equal(shouldFallBack(new GatewayError('content_filter', 'x'), plan), false);
  assert.equal(shouldFallBack(new GatewayError('upstream_timeout', 'x'), plan), true);
  assert.equal(shouldFallBack(new GatewayError('upstream_unavailable', 'x'), plan), true);
  assert.equal(shouldFallBack(new GatewayError('insufficient_quota', 'x'), plan), true, 'another key may have quota');
  assert.equal(shouldFallBack(new GatewayError('upstream_not_found', 'x'), plan), true);
});

test('context_length_exceeded falls back only when allowed and a larger window exists', () => {
  const small = testDeployment('small', { capabilities: { contextWindow: 8_000 } });
  const big = testDeployment('big', { capabilities: { contextWindow: 128_000 } });
  const e = new GatewayError('context_length_exceeded', 'x');
  assert.equal(shouldFallBack(e, testPlan([small, big])), false);
  assert.equal(shouldFallBack(e, testPlan([small, big], { fallbackOnContextLength: true }), small), true);
  assert.equal(shouldFallBack(e, testPlan([small, big], { fallbackOnContextLength: true }), big), false);
});

test('only retryable errors retry the same target', () => {
  assert.equal(canRetrySameTarget(new GatewayError('upstream_error', 'x')), true);
  assert.equal(canRetrySameTarget(new GatewayError('rate_limited', 'x')), true);
  assert.equal(canRetrySameTarget(new GatewayError('insufficient_quota', 'x')), false);
  assert.equal(canRetrySameTarget(new GatewayError('upstream_not_found', 'x')), false);
  assert.equal(canRetrySameTarget(new GatewayError('no_healthy_deployment', 'x')), false);
});

test('fitsDeadline: the wait (and a minimum attempt budget) must end before the deadline', () => {
  assert.equal(fitsDeadline(0, 9_000, 999, 10_000), true);
  assert.equal(fitsDeadline(0, 9_000, 1_000, 10_000), false);
  assert.equal(fitsDeadline(0, 9_000, 500, 10_000, 600), false);
  assert.equal(fitsDeadline(1_000, 10_500, 0, 10_000), true);
});
