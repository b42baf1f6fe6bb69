import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLimitRefusal, openaiDuration, RateLimiter, rateLimitHeaders, SlidingWindow, WINDOW_MS, type LimitTicket } from './rate-limit.js';

test('sliding window: counts the last 60 seconds, forgets older ones', () => {
  const w = new SlidingWindow();
  w.add(5, 1_000);
  w.add(3, 30_500);
  assert.equal(w.used(30_999), 8);
  assert.equal(w.used(60_999), 8, 'second 1 is still inside');
  assert.equal(w.used(61_000), 3, 'the first second has left the window');
  assert.equal(w.used(90_000), 0);
  const c = new SlidingWindow();
  c.add(5, 1_000);
  c.add(3, 30_500);
  c.add(-10, 30_500, 31_000);
  assert.equal(c.used(31_000), 5, 'a correction never goes below zero in its bucket');
  c.add(-2, 1_000, 70_000);
  assert.equal(c.used(70_000), 0, 'a correction for a second that left the window is dropped');
  assert.equal(c.msUntilFree(70_000, 1), WINDOW_MS, 'nothing to free');
  // The reset a header shows: when the newest used second leaves the window.
  const e = new SlidingWindow();
  assert.equal(e.msUntilEmpty(5_000), 0, 'empty: nothing to reset');
  e.add(2, 1_200);
  e.add(1, 30_700);
  assert.equal(e.msUntilEmpty(40_000), 90_000 - 40_000);
  assert.equal(e.msUntilEmpty(40_000), e.msUntilFree(40_000, e.used(40_000)), 'the same as freeing everything used');
  assert.equal(e.msUntilEmpty(90_000), 0);
});

test('rpm: the 61st request in a minute is refused with the time until a slot frees', () => {
  let now = 100_000;
  const rl = new RateLimiter(() => now);
  const s = rl.ensure('key:k', { rpm: 60 });
  for (let i = 0; i < 60; i++) {
    assert.ok(!isLimitRefusal(rl.admit([s], 0)));
    now += 500;
  }
  const r = rl.admit([s], 0);
  assert.ok(isLimitRefusal(r) && r.which === 'requests' && r.limit === 60);
  // The oldest request (second 100) leaves the window at second 160.
  assert.equal(r.retryAfterMs, 160_000 - now);
  now = 160_000;
  assert.ok(!isLimitRefusal(rl.admit([s], 0)));
});

test('tpm: admission counts the estimate, settlement corrects it', () => {
  let now = 0;
  const rl = new RateLimiter(() => now);
  const s = rl.ensure('team:t', { tpm: 1000 });
  const t1 = rl.admit([s], 900) as LimitTicket;
  assert.ok(isLimitRefusal(rl.admit([s], 200)), 'the estimate holds the room');
  rl.settle(t1, 100);
  now = 2_000;
  assert.equal(s.tokens.used(now), 100);
  assert.ok(!isLimitRefusal(rl.admit([s], 800)));
  const big = new RateLimiter(() => 0);
  const e = big.ensure('k', { tpm: 10 });
  assert.ok(!isLimitRefusal(big.admit([e], 50)), 'one oversized request still runs on an empty window');
});

test('concurrency: a slot frees at settlement, once', () => {
  const rl = new RateLimiter(() => 0);
  const s = rl.ensure('key:k', { concurrency: 2 });
  const a = rl.admit([s], 0) as LimitTicket;
  rl.admit([s], 0);
  const r = rl.admit([s], 0);
  assert.ok(isLimitRefusal(r) && r.which === 'concurrency');
  rl.settle(a, undefined);
  rl.settle(a, undefined);
  assert.equal(s.inFlight, 1);
  assert.ok(!isLimitRefusal(rl.admit([s], 0)));
});

test('a refusal by one limit counts nothing against the others', () => {
  const rl = new RateLimiter(() => 0);
  const roomy = rl.ensure('team:t', { rpm: 100 });
  const tight = rl.ensure('key:k', { rpm: 1 });
  rl.admit([tight], 0);
  assert.ok(isLimitRefusal(rl.admit([roomy, tight], 0)));
  assert.equal(roomy.requests.used(0), 0);
});

test('headers: OpenAI x-ratelimit-* and IETF RateLimit fields, the most constrained limit wins', () => {
  const rl = new RateLimiter(() => 5_000);
  const a = rl.ensure('team:t', { rpm: 100, tpm: 5000 });
  const b = rl.ensure('key:k', { rpm: 10 });
  rl.admit([a, b], 1200);
  const h = rateLimitHeaders(rl.report([a, b]));
  const get = (n: string) => h[h.indexOf(n) + 1];
  assert.equal(get('x-ratelimit-limit-requests'), '10');
  assert.equal(get('x-ratelimit-remaining-requests'), '9');
  assert.equal(get('x-ratelimit-reset-requests'), '1m0s');
  assert.equal(get('x-ratelimit-remaining-tokens'), '3800');
  assert.equal(get('ratelimit-policy'), '"requests";q=10;w=60, "tokens";q=5000;w=60');
  assert.equal(get('ratelimit'), '"requests";r=9;t=60, "tokens";r=3800;t=60');
  assert.equal(openaiDuration(250), '250ms');
  assert.equal(openaiDuration(6_000), '6s');
});
