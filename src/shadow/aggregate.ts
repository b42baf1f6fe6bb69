// Shadow results per route and candidate, in memory: running sums the admin view reads without
// touching the store, plus the pairs that disagree most (kept small and sorted).
import type { ShadowPair } from './compare.js';
import { winRate } from './judge.js';

const WORST_KEPT = 5;

export interface ShadowTotals {
  /** Mirrors sent (completed or failed). */
  pairs: number;
  shadowErrors: number;
  primaryErrors: number;
  /** Mirrors not sent: the queue was full, or the caller's policy excludes the candidate. */
  dropped: number;
  /** Mirrors not sent: the shadow budget of the period was spent. */
  overBudget: number;
  compared: number;
  similaritySum: number;
  /** Pairs where the primary answered JSON and the candidate did not. */
  jsonRegressions: number;
  primaryLatencySum: number;
  shadowLatencySum: number;
  primaryCostSum: number;
  shadowCostSum: number;
  primaryLengthSum: number;
  shadowLengthSum: number;
  judgeWins: number;
  judgeTies: number;
  judgeLosses: number;
  judgeErrors: number;
  judgeCostSum: number;
  /** Pairs scored with the route's `shadow.assert`, and how many of each side passed all of them. */
  asserted: number;
  primaryAssertPass: number;
  shadowAssertPass: number;
  /** Pairs where the primary passed the assertions and the candidate did not. */
  assertRegressions: number;
}

export function emptyTotals(): ShadowTotals {
  return { pairs: 0, shadowErrors: 0, primaryErrors: 0, dropped: 0, overBudget: 0, compared: 0, similaritySum: 0, jsonRegressions: 0, primaryLatencySum: 0, shadowLatencySum: 0, primaryCostSum: 0, shadowCostSum: 0, primaryLengthSum: 0, shadowLengthSum: 0, judgeWins: 0, judgeTies: 0, judgeLosses: 0, judgeErrors: 0, judgeCostSum: 0, asserted: 0, primaryAssertPass: 0, shadowAssertPass: 0, assertRegressions: 0 };
}

export function addPair(t: ShadowTotals, p: ShadowPair): void {
  t.pairs++;
  if (p.shadow.error !== undefined) t.shadowErrors++;
  if (p.primary.error !== undefined) t.primaryErrors++;
  t.primaryLatencySum += p.primary.latencyMs;
  t.shadowLatencySum += p.shadow.latencyMs;
  t.primaryCostSum += p.primary.costUsd ?? 0;
  t.shadowCostSum += p.shadow.costUsd ?? 0;
  if (p.similarity !== undefined) {
    t.compared++;
    t.similaritySum += p.similarity;
    t.primaryLengthSum += p.primary.text.length;
    t.shadowLengthSum += p.shadow.text.length;
    if (p.primaryJson && !p.shadowJson) t.jsonRegressions++;
  }
  if (p.judge === 'win') t.judgeWins++;
  else if (p.judge === 'tie') t.judgeTies++;
  else if (p.judge === 'loss') t.judgeLosses++;
  if (p.judgeError !== undefined) t.judgeErrors++;
  t.judgeCostSum += p.judgeCostUsd ?? 0;
  if (p.assertions) {
    const ok = (x: number) => x >= 1 - 1e-9;
    t.asserted++;
    if (ok(p.assertions.primary)) t.primaryAssertPass++;
    if (ok(p.assertions.shadow)) t.shadowAssertPass++;
    if (ok(p.assertions.primary) && !ok(p.assertions.shadow)) t.assertRegressions++;
  }
}

export interface ShadowRow {
  route: string;
  candidate: string;
  pairs: number;
  dropped: number;
  over_budget: number;
  shadow_error_rate: number;
  primary_error_rate: number;
  mean_similarity: number | null;
  json_regressions: number;
  mean_latency_ms: { primary: number | null; shadow: number | null };
  /** Relative: (shadow - primary) / primary; null without data. */
  latency_delta: number | null;
  cost_usd: { primary: number; shadow: number };
  cost_delta: number | null;
  length_ratio: number | null;
  /** Judged pairs, when the route's shadow has a judge: win rate for the candidate (ties half) with a 95% interval. */
  judge: { wins: number; ties: number; losses: number; errors: number; win_rate: number | null; ci: [number, number] | null; cost_usd: number };
  worst: Array<{ request_id: string; similarity: number; primary: string; shadow: string }>;
  /** With `shadow.assert`: pass rates of both sides (all assertions passed) and the pairs the candidate regressed. */
  assertions: { pairs: number; primary_pass_rate: number; shadow_pass_rate: number; regressions: number } | null;
}

const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
const clip = (s: string) => (s.length > 120 ? `${s.slice(0, 120)}…` : s);

export class ShadowAggregates {
  private readonly totals = new Map<string, { route: string; candidate: string; t: ShadowTotals; worst: ShadowPair[] }>();

  private entry(route: string, candidate: string) {
    const k = `${route}\u0000${candidate}`;
    let e = this.totals.get(k);
    if (!e) this.totals.set(k, (e = { route, candidate, t: emptyTotals(), worst: [] }));
    return e;
  }

  add(p: ShadowPair): void {
    const e = this.entry(p.route, p.candidate);
    addPair(e.t, p);
    if (p.similarity !== undefined) {
      e.worst.push(p);
      e.worst.sort((a, b) => a.similarity! - b.similarity!);
      if (e.worst.length > WORST_KEPT) e.worst.length = WORST_KEPT;
    }
  }

  dropped(route: string, candidate: string): void {
    this.entry(route, candidate).t.dropped++;
  }

  overBudget(route: string, candidate: string): void {
    this.entry(route, candidate).t.overBudget++;
  }

  /** Seeds a pair of totals (from the store at start-up). */
  seed(route: string, candidate: string, t: ShadowTotals): void {
    const e = this.entry(route, candidate);
    for (const k of Object.keys(t) as Array<keyof ShadowTotals>) e.t[k] += t[k];
  }

  get(route: string, candidate: string): ShadowTotals | undefined {
    return this.totals.get(`${route}\u0000${candidate}`)?.t;
  }

  /** Mean similarity of a candidate on a route (undefined without compared pairs). */
  meanSimilarity(route: string, candidate: string): { mean: number; n: number } | undefined {
    const t = this.get(route, candidate);
    return t && t.compared > 0 ? { mean: t.similaritySum / t.compared, n: t.compared } : undefined;
  }

  /** The candidate's judged win rate on a route (undefined without judged pairs). */
  winRate(route: string, candidate: string): { rate: number; lo: number; hi: number; n: number } | undefined {
    const t = this.get(route, candidate);
    return t ? winRate(t.judgeWins, t.judgeTies, t.judgeLosses) : undefined;
  }

  rows(route?: string): ShadowRow[] {
    const out: ShadowRow[] = [];
    for (const e of this.totals.values()) {
      if (route !== undefined && e.route !== route) continue;
      const t = e.t;
      const pl = t.pairs ? t.primaryLatencySum / t.pairs : null;
      const sl = t.pairs ? t.shadowLatencySum / t.pairs : null;
      out.push({
        route: e.route,
        candidate: e.candidate,
        pairs: t.pairs,
        dropped: t.dropped,
        over_budget: t.overBudget,
        shadow_error_rate: t.pairs ? t.shadowErrors / t.pairs : 0,
        primary_error_rate: t.pairs ? t.primaryErrors / t.pairs : 0,
        mean_similarity: t.compared ? t.similaritySum / t.compared : null,
        json_regressions: t.jsonRegressions,
        mean_latency_ms: { primary: pl, shadow: sl },
        latency_delta: pl && sl !== null ? (sl - pl) / pl : null,
        cost_usd: { primary: t.primaryCostSum, shadow: t.shadowCostSum },
        cost_delta: t.primaryCostSum > 0 ? (t.shadowCostSum - t.primaryCostSum) / t.primaryCostSum : null,
        length_ratio: ratio(t.shadowLengthSum, t.primaryLengthSum),
        judge: (() => {
          const w = winRate(t.judgeWins, t.judgeTies, t.judgeLosses);
          return { wins: t.judgeWins, ties: t.judgeTies, losses: t.judgeLosses, errors: t.judgeErrors, win_rate: w?.rate ?? null, ci: w ? [w.lo, w.hi] : null, cost_usd: t.judgeCostSum };
        })(),
        worst: e.worst.map((p) => ({ request_id: p.requestId, similarity: p.similarity!, primary: clip(p.primary.text), shadow: clip(p.shadow.text) })),
        assertions: t.asserted > 0 ? { pairs: t.asserted, primary_pass_rate: t.primaryAssertPass / t.asserted, shadow_pass_rate: t.shadowAssertPass / t.asserted, regressions: t.assertRegressions } : null,
      });
    }
    return out.sort((a, b) => (a.route + a.candidate).localeCompare(b.route + b.candidate));
  }
}
