import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyReservoir, SlidingWindow } from './window.js';

test('sums the last window and forgets buckets older than it', () => {
  const w = new SlidingWindow(60_000, 10);
  w.add(0, true, 100);
  w.add(5_999, false);
  w.add(6_000, true, 300, 50);
  assert.equal(w.requests(6_000), 3);
  assert.equal(w.errorRate(6_000), 1 / 3);
  assert.equal(w.meanLatency(6_000), 200);
  assert.equal(w.meanTtft(6_000), 50);
  // At 60 s the bucket [0, 6 s) has left the window; [6 s, 12 s) is still in it.
  assert.equal(w.requests(60_000), 1);
  assert.equal(w.meanLatency(60_000), 300);
  assert.equal(w.requests(66_000), 0);
  assert.equal(w.meanLatency(66_000), undefined);
});

test('a reused slot is reset, not accumulated', () => {
  const w = new SlidingWindow(10_000, 10);
  w.add(500, false);
  w.add(10_500, true, 7); // same slot, one lap later
  assert.equal(w.requests(10_500), 1);
  assert.equal(w.errorRate(10_500), 0);
  w.reset();
  assert.equal(w.requests(10_500), 0);
});

test('reservoir median over the retained samples', () => {
  const r = new LatencyReservoir(4);
  assert.equal(r.p50(), undefined);
  for (const v of [50, 10, 30]) r.add(v);
  assert.equal(r.p50(), 30);
  r.add(20);
  assert.equal(r.p50(), 25);
  r.add(1000); // evicts 50
  assert.deepEqual(r.p50(), 25);
});
