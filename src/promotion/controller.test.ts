import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSnapshotFromText } from '../config/load.js';
import { createLogger } from '../telemetry/log.js';
import { Writable } from 'node:stream';
import { PromotionController } from './controller.js';
import { MAX_LATENCIES, emptyArm, errorRateGuard, evalGuard, latencyGuard, recordArm, similarityGuard, winGuard } from './guards.js';
import { MemoryPromotionStore, SqlitePromotionStore } from './store.js';

const lines: Array<Record<string, unknown>> = [];
const log = createLogger('info', new Writable({ write(c: Buffer, _e, cb) { for (const l of c.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>); cb(); } }));

const config = (guards: string, steps = '[10, 50, 100]') => `
providers: { p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none } }
deployments: { a: { provider: p, model: m1 }, b: { provider: p, model: m2 } }
routes:
  r:
    targets: [a]
    promotion: { candidate: b, steps: ${steps}, interval: 10m, min_samples: 20, guards: { ${guards} } }
`;

const arm = (n: number, errors: number, latency = 100) => {
  const a = emptyArm();
  for (let i = 0; i < n; i++) recordArm(a, i < errors, latency);
  return a;
};

test('error-rate guard: thin traffic is inconclusive, a significant breach fails, a clear result passes', () => {
  assert.equal(errorRateGuard(arm(10, 0), arm(10, 5), 0.01, 20).verdict, 'inconclusive');
  assert.equal(errorRateGuard(arm(200, 2), arm(200, 40), 0.01, 20).verdict, 'fail');
  assert.equal(errorRateGuard(arm(400, 4), arm(400, 4), 0.05, 20).verdict, 'pass');
  // A few more errors on a small sample: not significant either way.
  assert.equal(errorRateGuard(arm(30, 0), arm(30, 2), 0.01, 20).verdict, 'inconclusive');
  assert.match(errorRateGuard(arm(200, 2), arm(200, 40), 0.01, 20).detail, /candidate 20\.00% vs incumbent 1\.00%/);
});

test('latencies are kept in a bounded uniform reservoir', () => {
  const a = emptyArm();
  let seed = 1;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 0x1_0000_0000);
  for (let i = 0; i < 20_000; i++) recordArm(a, false, i < 10_000 ? 10 : 1000, rnd);
  assert.equal(a.latencies.length, MAX_LATENCIES);
  const slow = a.latencies.filter((x) => x === 1000).length / a.latencies.length;
  assert.ok(slow > 0.45 && slow < 0.55, `the second half is half the reservoir (${slow})`);
});

test('latency, eval and similarity guards', () => {
  assert.equal(latencyGuard(arm(30, 0, 100), arm(30, 0, 119), 0.2, 20).verdict, 'pass');
  assert.equal(latencyGuard(arm(30, 0, 100), arm(30, 0, 121), 0.2, 20).verdict, 'fail');
  assert.equal(latencyGuard(arm(30, 0, 100), arm(5, 0, 500), 0.2, 20).verdict, 'inconclusive');
  assert.equal(evalGuard(undefined, 0.9).verdict, 'inconclusive');
  assert.equal(evalGuard({ rate: 0.95, cases: 20 }, 0.9).verdict, 'pass');
  assert.equal(evalGuard({ rate: 0.8, cases: 20 }, 0.9).verdict, 'fail');
  assert.equal(similarityGuard({ mean: 0.9, n: 5 }, 0.8, 20).verdict, 'inconclusive');
  assert.equal(similarityGuard({ mean: 0.9, n: 25 }, 0.8, 20).verdict, 'pass');
  assert.equal(similarityGuard({ mean: 0.5, n: 25 }, 0.8, 20).verdict, 'fail');
  assert.equal(winGuard(undefined, 0.45, 20).verdict, 'inconclusive');
  assert.equal(winGuard({ rate: 0.5, lo: 0.4, hi: 0.6, n: 100 }, 0.45, 20).verdict, 'pass');
  assert.equal(winGuard({ rate: 0.4, lo: 0.3, hi: 0.5, n: 100 }, 0.45, 20).verdict, 'inconclusive', 'below the minimum, not significantly');
  assert.equal(winGuard({ rate: 0.3, lo: 0.25, hi: 0.35, n: 400 }, 0.45, 20).verdict, 'fail');
});

function feed(c: PromotionController, inc: [number, number], cand: [number, number]) {
  for (let i = 0; i < inc[0]; i++) c.record('r', 'incumbent', i < inc[1], 100);
  for (let i = 0; i < cand[0]; i++) c.record('r', 'candidate', i < cand[1], 100);
}

test('the controller walks the steps on good traffic, holds on thin traffic, and ends promoted', () => {
  const snap = loadSnapshotFromText(config('error_rate: 0.05'), { env: {} });
  let t = 1_000_000;
  const c = new PromotionController({ log });
  c.sync(snap, t);
  assert.equal(c.share('r'), 10);
  feed(c, [200, 0], [5, 0]);
  t += 5 * 60_000;
  c.tick(t);
  assert.equal(c.share('r'), 10, 'the interval has not elapsed');
  t += 5 * 60_000;
  c.tick(t);
  assert.equal(c.share('r'), 10, 'five candidate requests are too few: held');
  assert.equal(c.get('r')!.history.at(-1)!.event, 'held');
  feed(c, [0, 0], [100, 0]);
  c.tick(t);
  assert.equal(c.share('r'), 50);
  feed(c, [100, 0], [300, 1]);
  t += 10 * 60_000;
  c.tick(t);
  assert.equal(c.share('r'), 100);
  feed(c, [0, 0], [300, 0]);
  t += 10 * 60_000;
  c.tick(t);
  const s = c.get('r')!;
  assert.equal(s.status, 'promoted');
  assert.deepEqual(s.history.map((e) => e.event), ['started', 'held', 'step', 'step', 'promoted']);
  const v = c.view()[0] as { config_change: string };
  assert.match(v.config_change, /targets: \[b\]/);
});

test('a significant breach rolls back at once, before the interval ends, with the reason', () => {
  const snap = loadSnapshotFromText(config('error_rate: 0.01'), { env: {} });
  const c = new PromotionController({ log });
  c.sync(snap, 0);
  feed(c, [300, 3], [100, 30]);
  c.tick(60_000);
  const s = c.get('r')!;
  assert.equal(s.status, 'rolled_back');
  assert.equal(c.share('r'), 0);
  assert.match(s.reason!, /^error_rate: candidate 30\.00%/);
  assert.ok(lines.some((l) => l.msg === 'promotion' && l.event === 'rolled_back' && l.route === 'r'), 'the decision is in the audit log');
});

test('eval and shadow guards hold a step until results exist', () => {
  const snap = loadSnapshotFromText(config('eval_pass: 0.9, shadow_similarity: 0.7'), { env: {} });
  let sim: { mean: number; n: number } | undefined;
  const c = new PromotionController({ log, shadowSimilarity: () => sim });
  c.sync(snap, 0);
  feed(c, [50, 0], [50, 0]);
  c.tick(600_000);
  assert.equal(c.share('r'), 10);
  assert.match(c.get('r')!.history.at(-1)!.reason!, /no eval result/);
  c.recordEval('r', 'b', 0.95, 20);
  sim = { mean: 0.8, n: 30 };
  c.tick(600_001);
  assert.equal(c.share('r'), 50);
  sim = { mean: 0.4, n: 60 };
  c.tick(600_002);
  assert.equal(c.get('r')!.status, 'rolled_back');
});

test('pause, resume and abort; steering a route without a promotion is refused', () => {
  const snap = loadSnapshotFromText(config('error_rate: 0.05'), { env: {} });
  const c = new PromotionController({ log });
  c.sync(snap, 0);
  c.pause('r', 1);
  feed(c, [100, 0], [100, 0]);
  c.tick(10_000_000);
  assert.equal(c.share('r'), 10, 'a paused promotion does not move');
  assert.throws(() => c.pause('r', 2), /paused/);
  c.resume('r', 3);
  c.abort('r', 4);
  assert.equal(c.share('r'), 0);
  assert.throws(() => c.pause('x', 5), /no promotion/);
});

test('a restart mid-promotion resumes at the same step (SQLite store); a changed config starts over', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'mp-promo-')), 'substitution.db');
  const snap = loadSnapshotFromText(config('error_rate: 0.05'), { env: {} });
  const s1 = new SqlitePromotionStore(path);
  const c1 = new PromotionController({ log, store: s1 });
  c1.sync(snap, 0);
  feed(c1, [100, 0], [100, 0]);
  c1.tick(600_000);
  assert.equal(c1.share('r'), 50);
  await c1.close();

  const c2 = new PromotionController({ log, store: new SqlitePromotionStore(path) });
  c2.sync(snap, 700_000);
  assert.equal(c2.share('r'), 50);
  assert.equal(c2.get('r')!.history.at(-1)!.event, 'resumed_after_restart');
  await c2.close();

  const changed = loadSnapshotFromText(config('error_rate: 0.05', '[25, 100]'), { env: {} });
  const c3 = new PromotionController({ log, store: new SqlitePromotionStore(path) });
  c3.sync(changed, 800_000);
  assert.equal(c3.share('r'), 25);
  assert.deepEqual(c3.get('r')!.history.map((e) => e.event), ['started']);
  await c3.close();
  const mem = new MemoryPromotionStore();
  assert.deepEqual(mem.load(), []);
});

test('config errors: unknown candidate, steps not ending at 100', () => {
  assert.throws(() => loadSnapshotFromText(config('error_rate: 0.05').replace('candidate: b', 'candidate: zz'), { env: {} }), /promotion\.candidate: unknown deployment "zz"/);
  assert.throws(() => loadSnapshotFromText(config('error_rate: 0.05', '[10, 50]'), { env: {} }), /last step must be 100/);
});

test('p95 latency is judged on order-statistic intervals: one slow outlier in ten holds, a consistently slower candidate fails', async () => {
  const { quantileBounds } = await import('./guards.js');
  const xs = Array.from({ length: 100 }, (_, i) => i + 1); // 1..100
  const b = quantileBounds(xs, 0.95);
  assert.equal(b.point, 95);
  assert.ok(b.lo < 95 && b.lo >= 90 && b.hi > 95 && b.hi <= 100, JSON.stringify(b));
  const withLatencies = (ls: number[]) => {
    const a = emptyArm();
    for (const l of ls) recordArm(a, false, l);
    return a;
  };
  // The playbook's false abort: ten samples, one of them a scheduling hiccup on a busy machine.
  const inc = withLatencies([20, 21, 22, 22, 23, 23, 24, 24, 24, 24]);
  const hiccup = withLatencies([20, 21, 21, 22, 22, 23, 23, 24, 25, 84]);
  assert.equal(latencyGuard(inc, hiccup, 1, 10).verdict, 'inconclusive', 'over the limit on its point estimate, not significantly');
  // Every sample slower: significant.
  const slow = withLatencies(Array.from({ length: 200 }, (_, i) => 60 + (i % 10)));
  const base = withLatencies(Array.from({ length: 200 }, (_, i) => 20 + (i % 10)));
  const v = latencyGuard(base, slow, 0.2, 50);
  assert.equal(v.verdict, 'fail', v.detail);
  assert.equal(latencyGuard(base, withLatencies(Array.from({ length: 200 }, (_, i) => 21 + (i % 10))), 0.2, 50).verdict, 'pass');
});
