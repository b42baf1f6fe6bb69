import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CacheTrends } from './trends.js';

test('the last hour against the trailing baseline, flagged beyond the band', () => {
  let now = 10 * 86_400_000;
  const t = new CacheTrends({ clock: () => now, band: 0.15, minLookups: 50 });
  // 20 hours at a 60% hit rate...
  for (let h = 0; h < 20; h++) {
    for (let i = 0; i < 100; i++) t.record('faq', i < 60, 10);
    now += 3_600_000;
  }
  // ...then an hour at 20%.
  for (let i = 0; i < 100; i++) t.record('faq', i < 20, 20);
  const [r] = t.report();
  assert.equal(r!.lastHour.lookups, 100);
  assert.equal(r!.lastHour.hitRate, 0.2);
  assert.equal(r!.baseline.hitRate, 0.6);
  assert.equal(r!.flag, 'drop');
  assert.equal(r!.lookupMicros.samples, 1024);
  assert.equal(r!.lookupMicros.p50, 10);
  assert.equal(r!.lookupMicros.p99, 20);
  // A day later, everything has left the window.
  now += 86_400_000;
  const [old] = t.report();
  assert.equal(old!.lastHour.lookups + old!.baseline.lookups, 0);
  assert.equal(old!.flag, undefined);
});

test('a sharp rise is flagged; small moves and thin data are not', () => {
  let now = 0;
  const t = new CacheTrends({ clock: () => now, band: 0.15, minLookups: 50 });
  for (let i = 0; i < 100; i++) t.record('a', i < 30, undefined);
  for (let i = 0; i < 100; i++) t.record('b', i < 30, undefined);
  for (let i = 0; i < 10; i++) t.record('c', false, undefined);
  now += 2 * 3_600_000;
  for (let i = 0; i < 100; i++) t.record('a', i < 90, undefined);
  for (let i = 0; i < 100; i++) t.record('b', i < 40, undefined);
  for (let i = 0; i < 10; i++) t.record('c', true, undefined);
  const by = new Map(t.report().map((r) => [r.route, r]));
  assert.equal(by.get('a')!.flag, 'rise');
  assert.equal(by.get('b')!.flag, undefined);
  assert.equal(by.get('c')!.flag, undefined, 'too few lookups to say');
  assert.equal(by.get('a')!.lookupMicros.samples, 0);
});
