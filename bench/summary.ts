// Turns raw per-round measurements into medians, ratios to the bare proxy and goal verdicts.
// Pure: run.ts feeds it records, report.ts renders what it returns.
//
// Ratios and deltas are paired: each round's figure is divided by (or subtracted from) the bare
// proxy's figure from the SAME round, and the median of those per-round values is reported.
// Rounds run minutes apart on a shared machine, so pairing cancels most of the drift between them.

import type { LoadResult } from './load.js';
import { median, ratio, spread } from './stats.js';

export type Scenario = 'nonstream' | 'stream';

/** One load-generator run against one target: the generator's result plus where and when. Latencies in ms. */
export interface LoadRecord extends LoadResult {
  target: string;
  scenario: Scenario;
  conns: number;
  round: number;
  /** CPU used by the target's own process during the run, % of one core; null for `direct`. */
  cpuPct: number | null;
  core0Pct: number;
  core1Pct: number;
}

/** One concurrency-1 probe run: time to headers, to the first body byte / first SSE event, to the end. */
export interface ProbeRecord {
  target: string;
  scenario: Scenario;
  round: number;
  n: number;
  errors: number;
  headP50Ms: number;
  ttfbP50Ms: number;
  ttfbP99Ms: number;
  endP50Ms: number;
  endP99Ms: number;
}

export interface LoadRow {
  scenario: Scenario;
  conns: number;
  target: string;
  rounds: number;
  requests: number;
  errors: number;
  rps: number;
  rpsSpread: number;
  p50Ms: number;
  p99Ms: number;
  cpuPct: number;
  /** CPU microseconds the target spent per request (cpu% / rps). */
  cpuUsPerReq: number;
  core0Pct: number;
  core1Pct: number;
  vsBare: { rps: number; p50: number; p99: number; cpuUsPerReq: number; addedP50Ms: number; addedP99Ms: number };
}

export interface ProbeRow {
  scenario: Scenario;
  target: string;
  rounds: number;
  n: number;
  errors: number;
  ttfbP50Ms: number;
  ttfbP99Ms: number;
  endP50Ms: number;
  vsBare: { ttfbP50: number; ttfbP99: number; endP50: number; addedTtfbP50Ms: number };
}

export interface Summary {
  load: LoadRow[];
  probe: ProbeRow[];
}

function uniq<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/** Median over rounds of f(row, bare row of the same round); rounds without a bare row are skipped. */
function paired<R extends { round: number }>(rows: readonly R[], bare: readonly R[], f: (r: R, b: R) => number): number {
  const byRound = new Map(bare.map((b) => [b.round, b]));
  const vals: number[] = [];
  for (const r of rows) {
    const b = byRound.get(r.round);
    if (b) vals.push(f(r, b));
  }
  return median(vals);
}

function cpuUs(r: LoadRecord): number {
  return r.cpuPct === null ? NaN : ratio(r.cpuPct * 1e4, r.rps);
}

export function summarise(loads: readonly LoadRecord[], probes: readonly ProbeRecord[], bare = 'bare'): Summary {
  const load: LoadRow[] = [];
  for (const scenario of uniq(loads.map((r) => r.scenario))) {
    for (const conns of uniq(loads.filter((r) => r.scenario === scenario).map((r) => r.conns))) {
      const cell = loads.filter((r) => r.scenario === scenario && r.conns === conns);
      const bareRows = cell.filter((r) => r.target === bare);
      for (const target of uniq(cell.map((r) => r.target))) {
        const rs = cell.filter((r) => r.target === target);
        load.push({
          scenario,
          conns,
          target,
          rounds: rs.length,
          requests: rs.reduce((s, r) => s + r.requests, 0),
          errors: rs.reduce((s, r) => s + r.errors, 0),
          rps: median(rs.map((r) => r.rps)),
          rpsSpread: spread(rs.map((r) => r.rps)),
          p50Ms: median(rs.map((r) => r.p50Ms)),
          p99Ms: median(rs.map((r) => r.p99Ms)),
          cpuPct: median(rs.map((r) => r.cpuPct ?? NaN)),
          cpuUsPerReq: median(rs.map(cpuUs)),
          core0Pct: median(rs.map((r) => r.core0Pct)),
          core1Pct: median(rs.map((r) => r.core1Pct)),
          vsBare: {
            rps: paired(rs, bareRows, (r, b) => ratio(r.rps, b.rps)),
            p50: paired(rs, bareRows, (r, b) => ratio(r.p50Ms, b.p50Ms)),
            p99: paired(rs, bareRows, (r, b) => ratio(r.p99Ms, b.p99Ms)),
            cpuUsPerReq: paired(rs, bareRows, (r, b) => ratio(cpuUs(r), cpuUs(b))),
            addedP50Ms: paired(rs, bareRows, (r, b) => r.p50Ms - b.p50Ms),
            addedP99Ms: paired(rs, bareRows, (r, b) => r.p99Ms - b.p99Ms),
          },
        });
      }
    }
  }
  const probe: ProbeRow[] = [];
  for (const scenario of uniq(probes.map((p) => p.scenario))) {
    const cell = probes.filter((p) => p.scenario === scenario);
    const bareRows = cell.filter((p) => p.target === bare);
    for (const target of uniq(cell.map((p) => p.target))) {
      const ps = cell.filter((p) => p.target === target);
      probe.push({
        scenario,
        target,
        rounds: ps.length,
        n: ps.reduce((s, p) => s + p.n, 0),
        errors: ps.reduce((s, p) => s + p.errors, 0),
        ttfbP50Ms: median(ps.map((p) => p.ttfbP50Ms)),
        ttfbP99Ms: median(ps.map((p) => p.ttfbP99Ms)),
        endP50Ms: median(ps.map((p) => p.endP50Ms)),
        vsBare: {
          ttfbP50: paired(ps, bareRows, (p, b) => ratio(p.ttfbP50Ms, b.ttfbP50Ms)),
          ttfbP99: paired(ps, bareRows, (p, b) => ratio(p.ttfbP99Ms, b.ttfbP99Ms)),
          endP50: paired(ps, bareRows, (p, b) => ratio(p.endP50Ms, b.endP50Ms)),
          addedTtfbP50Ms: paired(ps, bareRows, (p, b) => p.ttfbP50Ms - b.ttfbP50Ms),
        },
      });
    }
  }
  return { load, probe };
}

export interface Goal {
  id: string;
  description: string;
  measured: number;
  threshold: number;
  /** `min`: measured must be >= threshold; `max`: <= threshold. */
  kind: 'min' | 'max';
  unit: 'x bare' | 'ms';
  /** null when the run did not measure it (scenario or target skipped). */
  pass: boolean | null;
}

export interface GoalThresholds {
  minThroughputRatio: number;
  maxAddedP50Ms: number;
  maxAddedTtfbMs: number;
}

export const DEFAULT_THRESHOLDS: GoalThresholds = { minThroughputRatio: 0.7, maxAddedP50Ms: 0.15, maxAddedTtfbMs: 0.2 };

function verdict(measured: number, threshold: number, kind: 'min' | 'max'): boolean | null {
  if (!Number.isFinite(measured)) return null;
  return kind === 'min' ? measured >= threshold : measured <= threshold;
}

/** The gateway's goals, read off a summary; `highConns` is the concurrency the throughput goal is judged at. */
export function evaluateGoals(s: Summary, target: string, highConns: number, t: GoalThresholds = DEFAULT_THRESHOLDS): Goal[] {
  const loadRow = (scenario: Scenario, conns: number) => s.load.find((r) => r.scenario === scenario && r.conns === conns && r.target === target);
  const goal = (id: string, description: string, measured: number | undefined, threshold: number, kind: 'min' | 'max', unit: Goal['unit']): Goal => {
    const m = measured ?? NaN;
    return { id, description, measured: m, threshold, kind, unit, pass: verdict(m, threshold, kind) };
  };
  return [
    goal('throughput', `non-stream req/s at c=${highConns} vs bare`, loadRow('nonstream', highConns)?.vsBare.rps, t.minThroughputRatio, 'min', 'x bare'),
    goal('latency-nonstream', 'added p50 latency at c=1, non-stream', loadRow('nonstream', 1)?.vsBare.addedP50Ms, t.maxAddedP50Ms, 'max', 'ms'),
    goal('latency-stream', 'added p50 latency at c=1, stream (to last byte)', loadRow('stream', 1)?.vsBare.addedP50Ms, t.maxAddedP50Ms, 'max', 'ms'),
    goal('ttfb-stream', 'added TTFB p50 (first SSE event), stream', s.probe.find((p) => p.scenario === 'stream' && p.target === target)?.vsBare.addedTtfbP50Ms, t.maxAddedTtfbMs, 'max', 'ms'),
  ];
}
