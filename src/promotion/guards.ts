// Guard arithmetic for graduated promotion. Each guard compares the candidate's arm with the
// incumbent's over the current step and says pass, fail or inconclusive. Thin traffic is
// inconclusive, never a failure: a step holds until it has `minSamples` per arm and a result
// that is significant either way (the false aborts on low traffic users report against Argo
// Rollouts and Flagger come from judging single threshold crossings).
import type { PromotionGuards } from '../config/compile-substitution.js';

export type GuardVerdict = 'pass' | 'fail' | 'inconclusive';

export interface GuardResult {
  guard: 'error_rate' | 'p95_latency' | 'eval_pass' | 'shadow_similarity' | 'shadow_win';
  verdict: GuardVerdict;
  detail: string;
}

/** Requests an arm served in the current step. */
export interface ArmStats {
  requests: number;
  errors: number;
  /** Latencies of successful requests, ms (a reservoir of at most MAX_LATENCIES). */
  latencies: number[];
  /** Successes seen, for the reservoir. */
  successes?: number;
}

/** Latencies kept per arm: a uniform reservoir beyond this, so a guard's sort stays cheap on a busy route. */
export const MAX_LATENCIES = 4_000;

export function emptyArm(): ArmStats {
  return { requests: 0, errors: 0, latencies: [] };
}

export function recordArm(a: ArmStats, error: boolean, latencyMs: number | undefined, random: () => number = Math.random): void {
  a.requests++;
  if (error) {
    a.errors++;
    return;
  }
  if (latencyMs === undefined) return;
  a.successes = (a.successes ?? 0) + 1;
  if (a.latencies.length < MAX_LATENCIES) a.latencies.push(latencyMs);
  else {
    // Reservoir sampling (Algorithm R): every success so far is kept with the same probability.
    const j = Math.floor(random() * a.successes);
    if (j < MAX_LATENCIES) a.latencies[j] = latencyMs;
  }
}

/** One-sided 95%. */
const Z = 1.645;

/**
 * Error rate: the candidate's rate minus the incumbent's must not exceed `tolerance`. Rates are
 * smoothed ((x + 0.5) / (n + 1)) so zero errors do not give a zero-width interval; the verdict is
 * a one-sided test: fail when even the lower bound of the difference is above the tolerance,
 * pass when its upper bound is within it, inconclusive otherwise.
 */
export function errorRateGuard(inc: ArmStats, cand: ArmStats, tolerance: number, minSamples: number): GuardResult {
  const g = 'error_rate' as const;
  if (inc.requests < minSamples || cand.requests < minSamples) return { guard: g, verdict: 'inconclusive', detail: `needs ${minSamples} requests per arm (incumbent ${inc.requests}, candidate ${cand.requests})` };
  const pi = (inc.errors + 0.5) / (inc.requests + 1);
  const pc = (cand.errors + 0.5) / (cand.requests + 1);
  const diff = cand.errors / cand.requests - inc.errors / inc.requests;
  const se = Math.sqrt((pi * (1 - pi)) / inc.requests + (pc * (1 - pc)) / cand.requests);
  const lo = diff - Z * se;
  const hi = diff + Z * se;
  const detail = `candidate ${(100 * cand.errors / cand.requests).toFixed(2)}% vs incumbent ${(100 * inc.errors / inc.requests).toFixed(2)}% (difference ${(100 * diff).toFixed(2)}%, 95% bound ${(100 * lo).toFixed(2)}%..${(100 * hi).toFixed(2)}%, tolerance +${(100 * tolerance).toFixed(2)}%)`;
  if (lo > tolerance) return { guard: g, verdict: 'fail', detail };
  if (hi <= tolerance) return { guard: g, verdict: 'pass', detail };
  return { guard: g, verdict: 'inconclusive', detail };
}

export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!;
}

/**
 * A distribution-free one-sided 95% interval for the q-quantile of a sample: the order statistics
 * whose ranks bound n*q by Z standard deviations of the binomial count below it. Thin samples
 * give wide intervals (with ten latencies the p95's upper end is the largest one).
 */
export function quantileBounds(xs: readonly number[], q: number): { lo: number; point: number; hi: number } {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return { lo: 0, point: 0, hi: 0 };
  const spread = Z * Math.sqrt(n * q * (1 - q));
  const at = (rank: number) => s[Math.min(n - 1, Math.max(0, rank - 1))]!;
  return { lo: at(Math.floor(n * q - spread)), point: at(Math.ceil(q * n)), hi: at(Math.ceil(n * q + spread)) };
}

/**
 * p95 latency: the candidate's p95 may exceed the incumbent's by `tolerance` (relative). Judged
 * on order-statistic intervals once both arms have `minSamples` successes: fail only when the
 * candidate's p95 is significantly over the limit (its lower bound above the incumbent's upper
 * bound times 1 + tolerance), pass when its point estimate is within the limit, and hold when it
 * is over the limit but not significantly (the false abort on thin traffic the issue warns of).
 */
export function latencyGuard(inc: ArmStats, cand: ArmStats, tolerance: number, minSamples: number): GuardResult {
  const g = 'p95_latency' as const;
  if (inc.latencies.length < minSamples || cand.latencies.length < minSamples) return { guard: g, verdict: 'inconclusive', detail: `needs ${minSamples} successes per arm (incumbent ${inc.latencies.length}, candidate ${cand.latencies.length})` };
  const bi = quantileBounds(inc.latencies, 0.95);
  const bc = quantileBounds(cand.latencies, 0.95);
  const limit = bi.point * (1 + tolerance);
  const detail = `candidate p95 ${bc.point.toFixed(1)} ms (95% ${bc.lo.toFixed(1)}..${bc.hi.toFixed(1)}) vs incumbent ${bi.point.toFixed(1)} ms (${bi.lo.toFixed(1)}..${bi.hi.toFixed(1)}), limit ${limit.toFixed(1)} ms`;
  if (bc.lo > bi.hi * (1 + tolerance)) return { guard: g, verdict: 'fail', detail };
  return { guard: g, verdict: bc.point <= limit ? 'pass' : 'inconclusive', detail };
}

export function evalGuard(passRate: { rate: number; cases: number } | undefined, min: number): GuardResult {
  const g = 'eval_pass' as const;
  if (!passRate) return { guard: g, verdict: 'inconclusive', detail: 'no eval result for the candidate yet (modelplane eval run --target CANDIDATE --publish)' };
  const detail = `pass rate ${(100 * passRate.rate).toFixed(1)}% over ${passRate.cases} cases (minimum ${(100 * min).toFixed(1)}%)`;
  return { guard: g, verdict: passRate.rate + 1e-9 >= min ? 'pass' : 'fail', detail };
}

export function similarityGuard(sim: { mean: number; n: number } | undefined, min: number, minSamples: number): GuardResult {
  const g = 'shadow_similarity' as const;
  if (!sim || sim.n < minSamples) return { guard: g, verdict: 'inconclusive', detail: `needs ${minSamples} compared shadow pairs (has ${sim?.n ?? 0})` };
  const detail = `mean similarity ${sim.mean.toFixed(3)} over ${sim.n} pairs (minimum ${min})`;
  return { guard: g, verdict: sim.mean >= min ? 'pass' : 'fail', detail };
}

/**
 * Judged shadow win rate (ties half): fail when even the 95% interval's upper end is under the
 * minimum, pass when the rate reaches it, hold while the interval straddles it below.
 */
export function winGuard(win: { rate: number; lo: number; hi: number; n: number } | undefined, min: number, minSamples: number): GuardResult {
  const g = 'shadow_win' as const;
  if (!win || win.n < minSamples) return { guard: g, verdict: 'inconclusive', detail: `needs ${minSamples} judged shadow pairs (has ${win?.n ?? 0})` };
  const detail = `win rate ${(100 * win.rate).toFixed(1)}% (95% ${(100 * win.lo).toFixed(1)}%..${(100 * win.hi).toFixed(1)}%) over ${win.n} judged pairs (minimum ${(100 * min).toFixed(1)}%)`;
  if (win.hi < min) return { guard: g, verdict: 'fail', detail };
  return { guard: g, verdict: win.rate >= min ? 'pass' : 'inconclusive', detail };
}

export interface GuardInputs {
  incumbent: ArmStats;
  candidate: ArmStats;
  evalPass?: { rate: number; cases: number };
  shadow?: { mean: number; n: number };
  win?: { rate: number; lo: number; hi: number; n: number };
}

export function judgeGuards(guards: PromotionGuards, minSamples: number, x: GuardInputs): GuardResult[] {
  const out: GuardResult[] = [];
  if (guards.errorRate !== undefined) out.push(errorRateGuard(x.incumbent, x.candidate, guards.errorRate, minSamples));
  if (guards.p95Latency !== undefined) out.push(latencyGuard(x.incumbent, x.candidate, guards.p95Latency, minSamples));
  if (guards.evalPass !== undefined) out.push(evalGuard(x.evalPass, guards.evalPass));
  if (guards.shadowSimilarity !== undefined) out.push(similarityGuard(x.shadow, guards.shadowSimilarity, minSamples));
  if (guards.shadowWin !== undefined) out.push(winGuard(x.win, guards.shadowWin, minSamples));
  return out;
}
