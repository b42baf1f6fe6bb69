// The auto router's loop, unit by unit: drift of the live strong share, the decision recorder's
// memory and store, labels as training examples, and the savings arithmetic's edge cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StrongShareTracker, targetShare } from './drift.js';
import { DecisionRecorder, dense, sparse, sparseOf } from './recorder.js';
import { SqliteRouterStore } from './router-store.js';
import { examplesFromLabels } from './labels.js';
import { savings } from './savings.js';
import { DIMS, FEATURIZER } from './features.js';
import { loadSnapshotFromText } from '../../config/load.js';
import type { AutoRouteSnapshot } from '../../config/snapshot.js';

const auto = (threshold: number, calibration: number[], strongShare?: number) =>
  ({ threshold, router: { calibration }, ...(strongShare !== undefined ? { strongShare } : {}) }) as unknown as AutoRouteSnapshot;

test('drift: the target is the calibrated share; one warning when the live share leaves the band, another only after it came back', () => {
  assert.equal(targetShare(auto(0.5, [0.1, 0.2, 0.6, 0.9])), 0.5);
  assert.equal(targetShare(auto(0.5, [0.1], 0.3)), 0.3);
  const warnings: Array<[number, number]> = [];
  const t = new StrongShareTracker({ window: 10, minSamples: 10, warn: (_r, live, target) => warnings.push([live, target]) });
  const a = auto(0.5, [0.1, 0.2, 0.6, 0.9]); // target 0.5
  for (let i = 0; i < 9; i++) t.record('r', a, true);
  assert.equal(warnings.length, 0, 'no verdict before minSamples');
  t.record('r', a, true);
  assert.deepEqual(warnings, [[1, 0.5]]);
  t.record('r', a, true);
  assert.equal(warnings.length, 1, 'still outside: no second warning');
  for (let i = 0; i < 5; i++) t.record('r', a, false); // window: 5 up, 5 not
  assert.equal(t.view()[0]!.live, 0.5);
  assert.equal(t.view()[0]!.drifting, false);
  for (let i = 0; i < 5; i++) t.record('r', a, false);
  assert.deepEqual(warnings.at(-1), [0.3, 0.5], "warned again on leaving the band downwards, once");
  assert.equal(warnings.length, 2);
});

test('recorder: recent decisions keep their vector, stored ones do not; a label is stored with the decision', () => {
  const store = new SqliteRouterStore(':memory:');
  const rec = new DecisionRecorder({ store, flushMs: 0, recent: 2 });
  const v = new Float64Array(DIMS);
  v[0] = 1;
  v[100] = -0.25;
  for (const id of ['a', 'b', 'c']) rec.record({ requestId: id, ts: 1, route: 'r', tier: 'small', tierIndex: 0, tiers: 2, score: 0.8, vector: v });
  assert.deepEqual(dense(sparseOf(rec.find('c')!)!), v);
  rec.flush();
  assert.equal(rec.find('a')!.vector, undefined, 'out of memory: from the store, without its vector');
  rec.flush();
  assert.deepEqual(store.decision('a'), { requestId: 'a', ts: 1, route: 'r', tier: 'small', tierIndex: 0, tiers: 2, score: 0.8 });
  rec.label({ requestId: 'c', ts: 2, score: 1, route: 'r', tier: 'small', tierIndex: 0, tiers: 2, featurizer: FEATURIZER, features: sparse(v) });
  rec.label({ requestId: 'c', ts: 3, score: 0.2, route: 'r', tier: 'small', tierIndex: 0, tiers: 2, featurizer: FEATURIZER, features: sparse(v) });
  assert.deepEqual(store.labels().map((l) => [l.requestId, l.score]), [['c', 0.2]], 'a second verdict replaces the first');
  rec.record({ requestId: 'd', ts: 10, route: 'r', tier: 'small', tierIndex: 0, tiers: 2 });
  rec.flush();
  assert.equal(store.prune(5), 3, 'decisions before the cut-off go');
  assert.deepEqual([...store.decisions(0)].map((d) => d.requestId), ['d']);
  assert.equal(store.labels().length, 1, 'labels stay');
  rec.close();
});

test('labels: cheaper-tier answers are examples (score >= 0.5 is "good enough"); strongest-tier answers and vectorless labels are skipped', () => {
  const f = sparse(new Float64Array(DIMS).fill(0.5, 0, 3));
  const base = { ts: 1, route: 'r', tier: 'small', tiers: 2, featurizer: FEATURIZER } as const;
  const ex = examplesFromLabels([
    { ...base, requestId: '1', score: 0.9, tierIndex: 0, features: f },
    { ...base, requestId: '2', score: 0.1, tierIndex: 0, features: f },
    { ...base, requestId: '3', score: 0.9, tierIndex: 1, features: f },
    { ...base, requestId: '4', score: 0.9, tierIndex: 0 },
  ]);
  assert.deepEqual([ex.ys, ex.usable, ex.strongTier, ex.noVector], [[1, 0], 2, 1, 1]);
});

test('savings: only priced, successful, uncached cheaper-tier answers save; an unknown tier claims nothing', () => {
  const snap = loadSnapshotFromText(`
providers: { p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none } }
deployments:
  s: { provider: p, model: m1, tier: small, price: { input: 1, output: 1 } }
  b: { provider: p, model: m2, tier: big, price: { input: 10, output: 10 } }
routes: { r: { strategy: auto, tiers: [small, big] }, plain: { targets: [b] } }
`, { env: {} });
  const req = { route: 'r', inputTokens: 1e5, outputTokens: 1e5, cachedTokens: 0, status: 200 };
  const rep = savings([
    { ...req, requestId: '1', deployment: 's', costUsd: 0.2, score: 0.9 },
    { ...req, requestId: '2', deployment: 's', costUsd: 0, cache: 'hit' },
    { ...req, requestId: '3', deployment: 's', costUsd: 0.2, status: 502 },
    { ...req, requestId: '4', deployment: 'b', costUsd: 2 },
    { ...req, requestId: '5', costUsd: 0.2 },
    { ...req, requestId: '6', route: 'plain', deployment: 'b', costUsd: 2 },
    { ...req, requestId: '7', deployment: 'b', tier: 'big', costUsd: 2, cascadeUsd: 0.2 }, // escalated: paid for both answers
  ], snap);
  assert.equal(rep.skipped, 1);
  assert.equal(rep.unknownTier, 1);
  const t = rep.total;
  assert.equal(t.requests, 6);
  assert.ok(Math.abs(t.costUsd - 4.8) < 1e-9, String(t.costUsd));
  assert.ok(Math.abs(t.allStrongUsd - 6.4) < 1e-9, String(t.allStrongUsd));
  assert.ok(Math.abs(t.savedUsd - 1.6) < 1e-9);
  assert.ok(Math.abs(t.estWorseShare - 0.1 / 6) < 1e-9);
  assert.equal(t.strongShare, 3 / 6);
});

test('install: decisions older than ledger.retention_days are pruned when the store opens', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { createAutoRouting } = await import('./install.js');
  const { createLogger } = await import('../../telemetry/log.js');
  const dir = mkdtempSync(join(tmpdir(), 'mp-router-retention-'));
  const old = new SqliteRouterStore(join(dir, 'router.sqlite'));
  old.appendDecisions([{ requestId: 'old', ts: 1_000, route: 'r', tier: 'small', tierIndex: 0, tiers: 2 }, { requestId: 'new', ts: 10 * 86_400_000, route: 'r', tier: 'small', tierIndex: 0, tiers: 2 }]);
  old.close();
  const snapshot = loadSnapshotFromText(`
storage: { data_dir: ${JSON.stringify(dir)} }
ledger: { retention_days: 2 }
providers: { p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none } }
deployments: { s: { provider: p, model: m1, tier: small }, b: { provider: p, model: m2, tier: big } }
routes: { r: { strategy: auto, tiers: [small, big] } }
`, { env: {} });
  const auto = createAutoRouting({ snapshot, log: createLogger('silent'), clock: () => 11 * 86_400_000, flushMs: 0 });
  const rec = auto.recorder()!;
  assert.equal(rec.find('old'), undefined, 'older than two days: pruned');
  assert.equal(rec.find('new')?.requestId, 'new');
  await auto.extension.close!();
});

test('recorder: the timer writes in chunks, yielding between them; close writes what is left', async () => {
  const store = new SqliteRouterStore(':memory:');
  const rec = new DecisionRecorder({ store, flushMs: 1 });
  for (let i = 0; i < 250; i++) rec.record({ requestId: `r${i}`, ts: 1, route: 'r', tier: 'small', tierIndex: 0, tiers: 2 });
  // Wait for the first chunk to land (an event, not a sleep): poll once per turn of the loop.
  while ([...store.decisions(0)].length === 0) await new Promise((r) => setImmediate(r));
  const first = [...store.decisions(0)].length;
  assert.ok(first < 250 && first % 100 === 0, `written in chunks of 100, not at once (${first} so far)`);
  const memory = new SqliteRouterStore(':memory:');
  const rec2 = new DecisionRecorder({ store: memory, flushMs: 0 });
  for (let i = 0; i < 3; i++) rec2.record({ requestId: `q${i}`, ts: 1, route: 'r', tier: 'small', tierIndex: 0, tiers: 2 });
  rec2.flush();
  assert.equal([...memory.decisions(0)].length, 3);
  rec2.close();
  while ([...store.decisions(0)].length < 250) await new Promise((r) => setImmediate(r));
  rec.close();
});
