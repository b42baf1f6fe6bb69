import { test } from 'node:test';
import assert from 'node:assert/strict';
import { median, percentile, ratio, spread, summariseLatencies } from './stats.js';

test('percentile is nearest-rank: always a value that was observed', () => {
  const s = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  assert.equal(percentile(s, 50), 5);
  assert.equal(percentile(s, 90), 9);
  assert.equal(percentile(s, 99), 10);
  assert.equal(percentile(s, 100), 10);
  assert.equal(percentile(s, 0), 1);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test('p99 of 1000 samples is the 990th, not the max', () => {
  const s = Array.from({ length: 1000 }, (_, i) => i + 1);
  assert.equal(percentile(s, 99), 990);
  assert.equal(percentile(s, 50), 500);
});

test('median handles even/odd counts and ignores missing values', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.equal(median([5, NaN, 1]), 3);
  assert.ok(Number.isNaN(median([])));
  assert.ok(Number.isNaN(median([NaN])));
});

test('summariseLatencies sorts its input and reports mean/p50/p99/max', () => {
  const s = summariseLatencies([5, 1, 4, 2, 3]);
  assert.deepEqual(s, { n: 5, mean: 3, p50: 3, p90: 5, p99: 5, max: 5 });
  assert.equal(summariseLatencies([]).n, 0);
});

test('ratio and spread refuse to invent numbers from missing data', () => {
  assert.equal(ratio(3, 2), 1.5);
  assert.ok(Number.isNaN(ratio(1, 0)));
  assert.ok(Number.isNaN(ratio(NaN, 2)));
  assert.equal(spread([90, 100, 110]), 0.2);
  assert.ok(Number.isNaN(spread([100])));
});
