import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateGoals, summarise, type LoadRecord, type ProbeRecord } from './summary.js';
import { renderReport } from './report.js';

function load(target: string, scenario: 'nonstream' | 'stream', conns: number, round: number, rps: number, p50Ms: number, cpuPct: number | null = 50): LoadRecord {
  return { target, scenario, conns, round, requests: rps * 5, durationS: 5, rps, p50Ms, p99Ms: p50Ms * 4, maxMs: p50Ms * 10, errors: 0, cpuPct, core0Pct: 90, core1Pct: 60 };
}

function probe(target: string, scenario: 'nonstream' | 'stream', round: number, ttfb: number): ProbeRecord {
  return { target, scenario, round, n: 100, errors: 0, headP50Ms: ttfb - 0.05, ttfbP50Ms: ttfb, ttfbP99Ms: ttfb * 3, endP50Ms: ttfb + 1, endP99Ms: ttfb * 5 };
}

const loads: LoadRecord[] = [
  // round 1: the machine is fast; round 2: everything is 20% slower. Paired ratios cancel that.
  load('bare', 'nonstream', 50, 1, 5000, 10),
  load('modelplane', 'nonstream', 50, 1, 4000, 12.5),
  load('bare', 'nonstream', 50, 2, 4000, 12.5),
  load('modelplane', 'nonstream', 50, 2, 3200, 15.6),
  load('direct', 'nonstream', 1, 1, 20000, 0.05, null),
  load('bare', 'nonstream', 1, 1, 3000, 0.3),
  load('modelplane', 'nonstream', 1, 1, 2500, 0.4),
  load('bare', 'nonstream', 1, 2, 2800, 0.32),
  load('modelplane', 'nonstream', 1, 2, 2400, 0.42),
];
const probes: ProbeRecord[] = [probe('bare', 'stream', 1, 1.0), probe('modelplane', 'stream', 1, 1.5), probe('bare', 'stream', 2, 2.0), probe('modelplane', 'stream', 2, 2.1)];

test('summarise pairs each round with the bare proxy of the same round', () => {
  const s = summarise(loads, probes);
  const mp50 = s.load.find((r) => r.target === 'modelplane' && r.conns === 50)!;
  assert.equal(mp50.rounds, 2);
  assert.equal(mp50.rps, 3600); // median of 4000 and 3200
  assert.equal(mp50.vsBare.rps, 0.8); // 4000/5000 and 3200/4000: both 0.8
  assert.ok(Math.abs(mp50.vsBare.addedP50Ms - 2.8) < 1e-9); // (2.5 + 3.1) / 2
  const mp1 = s.load.find((r) => r.target === 'modelplane' && r.conns === 1)!;
  assert.ok(Math.abs(mp1.vsBare.addedP50Ms - 0.1) < 1e-9);
  // CPU µs per request: 50% of a core at 2500 req/s = 200 µs; bare 50% at 3000 = 166.7 µs.
  assert.ok(Math.abs(mp1.cpuUsPerReq - (200 + 50e4 / 2400) / 2) < 1e-6);
  const bare = s.load.find((r) => r.target === 'bare' && r.conns === 1)!;
  assert.equal(bare.vsBare.rps, 1);
  assert.equal(bare.vsBare.addedP50Ms, 0);
  const direct = s.load.find((r) => r.target === 'direct')!;
  assert.ok(Number.isNaN(direct.cpuPct));
  assert.ok(Math.abs(direct.vsBare.rps - 20000 / 3000) < 1e-9); // only round 1 pairs up
  const pm = s.probe.find((p) => p.target === 'modelplane')!;
  assert.ok(Math.abs(pm.vsBare.addedTtfbP50Ms - 0.3) < 1e-9); // +0.5 and +0.1
  assert.ok(Math.abs(pm.vsBare.ttfbP50 - (1.5 + 1.05) / 2) < 1e-9);
});

test('goals pass and fail against their thresholds, and say when a figure was not measured', () => {
  const goals = evaluateGoals(summarise(loads, probes), 'modelplane', 50);
  const by = Object.fromEntries(goals.map((g) => [g.id, g]));
  assert.equal(by.throughput!.pass, true); // 0.8 >= 0.7
  assert.equal(by['latency-nonstream']!.pass, true); // +0.1 <= 0.15
  assert.equal(by['latency-stream']!.pass, null); // no stream load in this data
  assert.equal(by['ttfb-stream']!.pass, false); // +0.3 > 0.2
  const strict = evaluateGoals(summarise(loads, probes), 'modelplane', 50, { minThroughputRatio: 0.9, maxAddedP50Ms: 0.05, maxAddedTtfbMs: 1 });
  assert.deepEqual(strict.map((g) => g.pass), [false, false, null, true]);
});

test('the Markdown report shows ratios to bare and the goal verdicts', () => {
  const s = summarise(loads, probes);
  const md = renderReport(s, evaluateGoals(s, 'modelplane', 50), 'modelplane', { title: 'T', loadGenerator: 'wrk', notes: ['n1'], bare: 'bare' });
  assert.match(md, /\| nonstream \| 50 \| modelplane \| 3600 \| 0\.80× \|/);
  assert.match(md, /\| non-stream req\/s at c=50 vs bare \| 0\.80× \| ≥ 0\.7× bare \| PASS \|/);
  assert.match(md, /\| added TTFB p50 \(first SSE event\), stream \| \+0\.300 ms \| ≤ 0\.2 ms \| \*\*FAIL\*\* \|/);
  assert.match(md, /not measured/);
  assert.match(md, /\| stream \| modelplane \| 200 \| 1\.80 \|/);
});
