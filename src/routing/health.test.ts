import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../spec/errors.js';
import { HealthRegistry, type AttemptRef, type HealthChange } from './health.js';

const ref = (over: Partial<AttemptRef> = {}): AttemptRef => ({ providerId: 'p', deploymentId: 'd', credentialId: 'p#0', ...over });
const err = (code: ConstructorParameters<typeof GatewayError>[0], retryAfterMs?: number) =>
  new GatewayError(code, code, retryAfterMs === undefined ? {} : { retryAfterMs });

function entry(h: HealthRegistry, level: string, id: string, now: number) {
  return h.snapshot(now).find((e) => e.level === level && e.id === id);
}

const FAST = { consecutiveFailures: 3, baseCooldownMs: 1_000, maxCooldownMs: 4_000, minRequests: 10, errorRate: 0.5 };

test('closed -> open after N consecutive failures; a success in between resets the count', () => {
  const h = new HealthRegistry({ deployment: FAST });
  const changes: HealthChange[] = [];
  h.onChange((c) => changes.push(c));
  h.recordFailure(ref(), err('upstream_timeout'), 0);
  h.recordFailure(ref(), err('upstream_timeout'), 1);
  h.recordSuccess(ref(), 100, 2);
  h.recordFailure(ref(), err('upstream_timeout'), 3);
  h.recordFailure(ref(), err('upstream_timeout'), 4);
  assert.equal(h.isAvailable('deployment', 'd', 5), true);
  h.recordFailure(ref(), err('upstream_error'), 10);
  assert.equal(h.isAvailable('deployment', 'd', 10), false);
  assert.deepEqual(changes, [
    { level: 'deployment', id: 'd', from: 'closed', to: 'open', reason: '3 consecutive failures (last: upstream_error)', at: 10, until: 1_010 },
  ]);
  const e = entry(h, 'deployment', 'd', 10)!;
  assert.equal(e.state, 'open');
  assert.equal(e.until, 1_010);
  assert.equal(e.consecutiveFailures, 3);
  assert.equal(e.requests, 6);
  assert.equal(e.p50LatencyMs, 100);
});

test('closed -> open by error rate once the window holds enough requests', () => {
  const h = new HealthRegistry({ deployment: FAST });
  // Alternate success / failure: never 3 in a row, 50% errors.
  for (let i = 0; i < 9; i++) {
    if (i % 2 === 0) h.recordFailure(ref(), err('upstream_error'), i);
    else h.recordSuccess(ref(), 10, i);
  }
  assert.equal(h.isAvailable('deployment', 'd', 9), true, '9 requests: below minRequests');
  h.recordSuccess(ref(), 10, 9);
  h.recordFailure(ref(), err('upstream_error'), 10); // 11 requests, 6 errors
  assert.equal(h.isAvailable('deployment', 'd', 10), false);
  assert.match(entry(h, 'deployment', 'd', 10)!.reason, /^error rate 55% over 11 requests/);
});

test('open -> half-open after the cooldown; exactly one trial; success closes', () => {
  const h = new HealthRegistry({ deployment: FAST });
  for (let t = 0; t < 3; t++) h.recordFailure(ref(), err('upstream_error'), 0);
  assert.equal(h.tryAcquire('deployment', 'd', 999), false);
  assert.equal(entry(h, 'deployment', 'd', 1_000)!.state, 'half-open', 'admin view: a trial is due');
  assert.equal(h.isAvailable('deployment', 'd', 1_000), true);
  const trial = ref();
  assert.equal(h.acquire(trial, 1_000), true);
  assert.equal(trial.trials, 2, 'holds the deployment trial slot');
  assert.equal(h.isAvailable('deployment', 'd', 1_001), false, 'second request while the trial runs');
  assert.equal(h.tryAcquire('deployment', 'd', 1_001), false);
  h.recordSuccess(trial, 50, 1_200);
  const e = entry(h, 'deployment', 'd', 1_200)!;
  assert.equal(e.state, 'closed');
  assert.equal(e.consecutiveFailures, 0);
  assert.equal(h.isAvailable('deployment', 'd', 1_200), true);
});

test('a failed trial re-opens with a doubled cooldown, capped; success resets the exponent', () => {
  const h = new HealthRegistry({ deployment: FAST });
  for (let t = 0; t < 3; t++) h.recordFailure(ref(), err('upstream_error'), 0); // until 1000
  const untils: number[] = [];
  let now = 1_000;
  for (let round = 0; round < 4; round++) {
    const trial = ref();
    assert.equal(h.acquire(trial, now), true);
    h.recordFailure(trial, err('upstream_error'), now);
    const e = entry(h, 'deployment', 'd', now)!;
    assert.equal(e.state, 'open');
    assert.match(e.reason, /^trial failed: upstream_error/);
    untils.push(e.until! - now);
    now = e.until!;
  }
  assert.deepEqual(untils, [2_000, 4_000, 4_000, 4_000]);
  const trial = ref();
  h.acquire(trial, now);
  h.recordSuccess(trial, 1, now);
  for (let t = 0; t < 3; t++) h.recordFailure(ref(), err('upstream_error'), now + 1);
  assert.equal(entry(h, 'deployment', 'd', now + 1)!.until, now + 1 + 1_000);
});

test('a trial that never reports stops blocking after trialTimeoutMs; a request-scope error frees it', () => {
  const h = new HealthRegistry({ deployment: { ...FAST, trialTimeoutMs: 5_000 } });
  for (let t = 0; t < 3; t++) h.recordFailure(ref(), err('upstream_error'), 0);
  assert.equal(h.acquire(ref(), 1_000), true);
  assert.equal(h.isAvailable('deployment', 'd', 5_999), false);
  const second = ref();
  assert.equal(h.acquire(second, 6_000), true, 'lost trial timed out');
  h.recordFailure(second, err('invalid_request'), 6_001);
  assert.equal(entry(h, 'deployment', 'd', 6_001)!.state, 'half-open', 'a request error is no verdict');
  assert.equal(h.isAvailable('deployment', 'd', 6_001), true, 'and gives the slot back');
});

test('request-scope errors (and context_length_exceeded) charge nothing', () => {
  const h = new HealthRegistry({ deployment: FAST, provider: FAST, credential: FAST });
  for (let i = 0; i < 10; i++) {
    h.recordFailure(ref(), err('upstream_bad_request'), i);
    h.recordFailure(ref(), err('content_filter'), i);
    h.recordFailure(ref(), err('context_length_exceeded'), i);
  }
  assert.deepEqual(h.snapshot(10), []);
  assert.equal(h.isAvailable('deployment', 'd', 10), true);
});

test('deployment errors charge the deployment and only the provider error rate', () => {
  const h = new HealthRegistry({ deployment: FAST, provider: FAST });
  for (let i = 0; i < 3; i++) h.recordFailure(ref(), err('upstream_timeout'), i);
  assert.equal(h.isAvailable('deployment', 'd', 3), false);
  assert.equal(h.isAvailable('provider', 'p', 3), true);
  const p = entry(h, 'provider', 'p', 3)!;
  assert.equal(p.consecutiveFailures, 0);
  assert.equal(p.requests, 3);
  assert.equal(p.errorRate, 1);
  assert.equal(entry(h, 'credential', 'p#0', 3), undefined, 'credential not charged');
  // Enough deployment errors across the provider trip it by rate.
  for (let i = 0; i < 7; i++) h.recordFailure(ref({ deploymentId: `d${i}` }), err('upstream_error'), 4);
  assert.equal(h.isAvailable('provider', 'p', 4), false);
});

test('provider errors charge the provider and the deployment', () => {
  const h = new HealthRegistry({ deployment: FAST, provider: FAST });
  for (let i = 0; i < 3; i++) h.recordFailure(ref(), err('upstream_connection'), i);
  assert.equal(h.isAvailable('provider', 'p', 3), false);
  assert.equal(h.isAvailable('deployment', 'd', 3), false);
  assert.equal(entry(h, 'provider', 'p', 3)!.consecutiveFailures, 3);
});

test('429 with retry-after cools the (credential, deployment) pair until then, then allows a trial', () => {
  const h = new HealthRegistry();
  const changes: HealthChange[] = [];
  h.onChange((c) => changes.push(c));
  h.recordFailure(ref(), err('rate_limited', 30_000), 1_000);
  assert.equal(h.isRefAvailable(ref(), 30_999), false);
  assert.equal(h.isRefAvailable(ref({ deploymentId: 'other' }), 1_000), true, 'rate limits are per model');
  assert.equal(h.isAvailable('credential', 'p#0', 1_000), true, 'the key itself is fine');
  assert.equal(h.isAvailable('deployment', 'd', 1_000), true);
  assert.deepEqual(changes[0], {
    level: 'credential',
    id: 'p#0@d',
    from: 'closed',
    to: 'open',
    reason: 'rate_limited (cooldown 30000 ms)',
    at: 1_000,
    until: 31_000,
  });
  assert.equal(h.isRefAvailable(ref(), 31_000), true);
  const trial = ref();
  assert.equal(h.acquire(trial, 31_000), true);
  assert.equal(h.isRefAvailable(ref(), 31_001), false, 'one trial at a time');
  h.recordSuccess(trial, 10, 31_100);
  assert.equal(h.isRefAvailable(ref(), 31_100), true);
});

test('429 without retry-after uses the configured cooldown, doubling on repeats', () => {
  const h = new HealthRegistry({ rateLimitCooldownMs: 2_000 });
  h.recordFailure(ref(), err('rate_limited'), 0);
  assert.equal(entry(h, 'credential', 'p#0@d', 0)!.until, 2_000);
  const trial = ref();
  h.acquire(trial, 2_000);
  h.recordFailure(trial, err('rate_limited'), 2_000);
  assert.equal(entry(h, 'credential', 'p#0@d', 2_000)!.until, 6_000);
});

test('insufficient_quota and upstream_auth lock the key everywhere for the configured time', () => {
  const h = new HealthRegistry({ credentialLockoutMs: 600_000 });
  h.recordFailure(ref(), err('insufficient_quota'), 0);
  assert.equal(h.isAvailable('credential', 'p#0', 599_999), false);
  assert.equal(h.isRefAvailable(ref({ deploymentId: 'other' }), 1), false);
  assert.equal(h.isAvailable('credential', 'p#0', 600_000), true);
  assert.equal(h.isAvailable('deployment', 'd', 0), true);
  const h2 = new HealthRegistry({ credentialLockoutMs: 60_000 });
  h2.recordFailure(ref({ credentialId: 'k' }), err('upstream_auth'), 0);
  assert.equal(entry(h2, 'credential', 'k', 0)!.until, 60_000);
});

test('a retry-after on a 5xx stretches the cooldown when the breaker trips', () => {
  const h = new HealthRegistry({ provider: FAST, deployment: FAST });
  for (let i = 0; i < 3; i++) h.recordFailure(ref(), err('upstream_unavailable', 20_000), 0);
  assert.equal(entry(h, 'provider', 'p', 0)!.until, 20_000);
});

test('early probe overrides a soft open, never a hard cooldown', () => {
  const h = new HealthRegistry({ deployment: FAST });
  for (let i = 0; i < 3; i++) h.recordFailure(ref(), err('upstream_error'), 0);
  assert.equal(h.canProbe(ref(), 10), true);
  const probe = ref();
  assert.equal(h.probe(probe, 10), true);
  assert.equal(h.canProbe(ref(), 11), false, 'one probe at a time');
  h.recordSuccess(probe, 5, 20);
  assert.equal(h.isRefAvailable(ref(), 20), true);
  h.recordFailure(ref(), err('rate_limited', 5_000), 30);
  assert.equal(h.canProbe(ref(), 31), false);
});

test('listeners that throw do not break recording; unsubscribe works', () => {
  const h = new HealthRegistry({ deployment: FAST });
  let calls = 0;
  const off = h.onChange(() => {
    calls++;
    throw new Error('boom');
  });
  for (let i = 0; i < 3; i++) h.recordFailure(ref(), err('upstream_error'), 0);
  assert.equal(calls, 1);
  off();
  h.acquire(ref(), 1_000);
  assert.equal(calls, 1);
});
