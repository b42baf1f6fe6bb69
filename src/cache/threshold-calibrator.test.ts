import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HashedNgramEmbedder } from './embedder.js';
import { loadPairs, scorePairs } from './evaluate.js';
import { chooseThreshold, ThresholdCalibrator, type Observation } from './threshold-calibrator.js';

/** `n` observations spread evenly over [lo, hi], wrong where `wrong(similarity)` says. */
function spread(n: number, lo: number, hi: number, wrong: (s: number) => boolean = () => false): Observation[] {
  return Array.from({ length: n }, (_, i) => {
    const similarity = lo + ((hi - lo) * i) / Math.max(1, n - 1);
    return { similarity, wrong: wrong(similarity) };
  });
}

const o = { maxError: 0.01, start: 0.75 };

test('without evidence the start holds; thin evidence does not move it', () => {
  assert.equal(chooseThreshold([], o), 0.75);
  assert.equal(chooseThreshold(spread(50, 0.6, 1), o), 0.75, '50 right answers cannot prove a 1% bound');
});

test('enough right answers lower it to where they were seen; errors below a similarity stop it there', () => {
  assert.equal(chooseThreshold(spread(600, 0.6, 1), o), 0.6);
  const t = chooseThreshold(spread(1200, 0.6, 1, (s) => s < 0.68), o);
  assert.ok(t >= 0.68 && t <= 0.72, `stops above the errors: ${t}`);
});

test('evidence that the start is confidently worse than the bound raises it, to 1 when nothing is proven', () => {
  const bad = spread(200, 0.75, 0.85, (s) => Math.round(s * 1000) % 5 === 0);
  const good = spread(400, 0.9, 1);
  const t = chooseThreshold([...bad, ...good], o);
  assert.ok(t > 0.85 && t <= 0.9, `above the bad band: ${t}`);
  assert.equal(chooseThreshold(bad, o), 1, 'nothing proven: exact-only in effect');
  // A wrong answer or two among many right ones is within 1%: no change.
  assert.equal(chooseThreshold([...spread(300, 0.75, 1), { similarity: 0.8, wrong: true }], o), 0.75);
});

test('the labelled set as observations: the point-estimate calibration serves no hard negative', () => {
  const scored = scorePairs(loadPairs(new URL('../../../test/data/cache-pairs.jsonl', import.meta.url)), new HashedNgramEmbedder());
  const obs = scored.filter((p) => p.verdict === true).map((p) => ({ similarity: p.similarity, wrong: p.label !== 'paraphrase' }));
  const t = chooseThreshold(obs, { ...o, z: 0 });
  assert.ok(t <= 0.75, `at or below the shipped threshold: ${t}`);
  assert.equal(obs.filter((x) => x.similarity >= t && x.wrong).length, 0);
});

test('the calibrator recomputes as observations arrive, per route, and reports them', () => {
  const c = new ThresholdCalibrator();
  assert.equal(c.threshold('faq', 0.75, 0.01), 0.75);
  for (const x of spread(600, 0.6, 1)) c.observe('faq', 0.75, 0.01, x, x.similarity < 0.75 ? 'near-miss' : 'audit');
  assert.equal(c.threshold('faq', 0.75, 0.01), 0.6);
  assert.equal(c.threshold('other', 0.75, 0.01), 0.75, 'routes learn apart');
  const [row] = c.report();
  assert.deepEqual([row!.route, row!.observations, row!.wrong, row!.threshold], ['faq', 600, 0, 0.6]);
  assert.equal(row!.nearMisses + row!.audits, 600);
  for (let i = 0; i < 600; i++) c.observe('faq', 0.75, 0.01, { similarity: 0.65, wrong: i % 3 === 0 }, 'near-miss');
  assert.ok(c.threshold('faq', 0.75, 0.01) > 0.65, 'errors at 0.65 push it back up');
});
