import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestNeeds } from '../estimate.js';
import { DeploymentStats } from '../stats.js';
import { seededRng, testDeployment } from '../../../testkit/routing-builders.js';
import { strategyFor } from './index.js';
import type { StrategyContext } from './types.js';

const needs = (over: Partial<RequestNeeds> = {}): RequestNeeds => ({
  tools: false,
  vision: false,
  jsonSchema: false,
  embeddings: false,
  stream: false,
  estimatedInputTokens: 1_000,
  maxOutputTokens: undefined,
  ...over,
});
const ctx = (over: Partial<StrategyContext> = {}): StrategyContext => ({
  stats: new DeploymentStats(),
  needs: needs(),
  rng: seededRng(1),
  now: 100_000,
  ...over,
});
const ids = (xs: { id: string }[]) => xs.map((x) => x.id);

const a = testDeployment('a');
const b = testDeployment('b');
const c = testDeployment('c');

test('ordered keeps config order and does not mutate its input', () => {
  const targets = [c, a, b];
  const out = strategyFor('ordered').order(targets, [1, 1, 1], ctx());
  assert.deepEqual(ids(out), ['c', 'a', 'b']);
  assert.notEqual(out, targets);
});

test('weighted: 95/5 gives ~95% first picks on A over 10,000 draws, and the other as fallback', () => {
  const s = strategyFor('weighted');
  const c1 = ctx({ rng: seededRng(42) });
  let firstA = 0;
  for (let i = 0; i < 10_000; i++) {
    const out = s.order([a, b], [95, 5], c1);
    assert.equal(out.length, 2);
    if (out[0] === a) firstA++;
    else assert.equal(out[1], a);
  }
  assert.ok(Math.abs(firstA / 10_000 - 0.95) <= 0.015, `A first in ${firstA / 100}%`);
});

test('weighted: fallbacks by weight, heaviest first; weight 0 is a standby never drawn first', () => {
  const s = strategyFor('weighted');
  const c1 = ctx({ rng: seededRng(7) });
  for (let i = 0; i < 500; i++) {
    const out = s.order([a, b, c], [0, 1, 3], c1);
    assert.notEqual(out[0], a);
    assert.equal(out[2], a);
  }
  assert.deepEqual(ids(s.order([a, b, c], [0, 1, 3], ctx({ rng: () => 0 }))), ['b', 'c', 'a']);
  assert.deepEqual(ids(s.order([a, b, c], [0, 0, 0], ctx())), ['a', 'b', 'c']);
});

test('least-latency: unknown deployments are explored first, then the fastest leads and it adapts', () => {
  const s = strategyFor('least-latency');
  const stats = new DeploymentStats({ windowMs: 60_000, buckets: 10 });
  stats.recordSuccess('a', 1_000, 800);
  assert.deepEqual(ids(s.order([a, b], [1, 1], ctx({ stats, now: 1_000 }))), ['b', 'a'], 'b unknown: explore it');
  stats.begin('b');
  assert.deepEqual(ids(s.order([a, b], [1, 1], ctx({ stats, now: 1_000 }))), ['a', 'b'], 'b already being measured: neutral prior');
  stats.end('b');
  stats.recordSuccess('b', 1_000, 200);
  assert.deepEqual(ids(s.order([a, b], [1, 1], ctx({ stats, now: 1_000 }))), ['b', 'a']);
  // b degrades, a improves: a minute later only the new samples count.
  stats.recordSuccess('b', 62_000, 900);
  stats.recordSuccess('a', 62_000, 300);
  assert.deepEqual(ids(s.order([a, b], [1, 1], ctx({ stats, now: 62_000 }))), ['a', 'b']);
});

test('least-latency: streams rank by time to first token', () => {
  const s = strategyFor('least-latency');
  const stats = new DeploymentStats();
  stats.recordSuccess('a', 0, 5_000, 200); // long answers, quick start
  stats.recordSuccess('b', 0, 1_000, 700);
  assert.deepEqual(ids(s.order([a, b], [1, 1], ctx({ stats, now: 0, needs: needs({ stream: true }) }))), ['a', 'b']);
  assert.deepEqual(ids(s.order([a, b], [1, 1], ctx({ stats, now: 0, needs: needs({ stream: false }) }))), ['b', 'a']);
});

test('least-latency: scores within 10% of the best share the first place at random', () => {
  const s = strategyFor('least-latency');
  const stats = new DeploymentStats();
  stats.recordSuccess('a', 0, 100);
  stats.recordSuccess('b', 0, 105);
  stats.recordSuccess('c', 0, 500);
  const c1 = ctx({ stats, now: 0, rng: seededRng(3) });
  const firsts = { a: 0, b: 0, c: 0 } as Record<string, number>;
  for (let i = 0; i < 1_000; i++) {
    const out = s.order([a, b, c], [1, 1, 1], c1);
    firsts[out[0]!.id]!++;
    assert.equal(out[2], c);
  }
  assert.equal(firsts['c'], 0);
  assert.ok(firsts['a']! > 400 && firsts['b']! > 400, JSON.stringify(firsts));
});

test('cost: cheapest for this request first, unpriced last', () => {
  const cheapIn = testDeployment('cheap-in', { price: { inputPerMTok: 0.1, outputPerMTok: 10 } });
  const cheapOut = testDeployment('cheap-out', { price: { inputPerMTok: 1, outputPerMTok: 1 } });
  const unpriced = testDeployment('unpriced');
  const s = strategyFor('cost');
  // Long prompt, short answer: input price dominates.
  const long = ctx({ needs: needs({ estimatedInputTokens: 100_000, maxOutputTokens: 50 }) });
  assert.deepEqual(ids(s.order([unpriced, cheapOut, cheapIn], [1, 1, 1], long)), ['cheap-in', 'cheap-out', 'unpriced']);
  // Short prompt, long answer: output price dominates.
  const short = ctx({ needs: needs({ estimatedInputTokens: 100, maxOutputTokens: 4_000 }) });
  assert.deepEqual(ids(s.order([unpriced, cheapIn, cheapOut], [1, 1, 1], short)), ['cheap-out', 'cheap-in', 'unpriced']);
});

test('least-busy: fewest in flight first, ties in config order', () => {
  const stats = new DeploymentStats();
  stats.begin('a');
  stats.begin('a');
  stats.begin('b');
  assert.deepEqual(ids(strategyFor('least-busy').order([a, b, c], [1, 1, 1], ctx({ stats }))), ['c', 'b', 'a']);
  stats.begin('c');
  stats.end('a');
  assert.deepEqual(ids(strategyFor('least-busy').order([a, b, c], [1, 1, 1], ctx({ stats }))), ['a', 'b', 'c']);
});
