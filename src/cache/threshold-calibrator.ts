// `threshold: auto`: a route's semantic threshold calibrated from what its hits turned out to be,
// to keep the measured false-hit rate under `max_error` (issue 10 §7; the idea of vCache, arXiv
// 2502.03771, worked from the paper: a threshold learnt from observed correctness, not guessed).
//
// An observation is (similarity, wrong?) for a candidate that passed the verifier:
//   - an audited semantic hit (audit.ts): the fresh upstream answer against the cached one;
//   - a near miss, for free: a miss whose best verified candidate scored just under the
//     threshold goes upstream anyway, and its fresh answer is compared with that candidate's.
// Near misses are the exploration (what a lower threshold would have served); audits watch the
// hits actually served. The threshold is the lowest similarity t at which the observations at
// or above t bound the error under `max_error` with 95% confidence (one-sided Wilson). Until
// there is that much evidence, the start value (the labelled-set calibration, 0.75) holds,
// unless the evidence above it is already confidently worse than the bound, which raises it:
// safety first, recall when proven.

import { wilson } from './audit.js';

export interface Observation {
  similarity: number;
  wrong: boolean;
}

export interface CalibrationOptions {
  maxError: number;
  /** The threshold without enough evidence (the labelled-set calibration). */
  start: number;
  /** Lowest threshold ever chosen, and the bottom of the near-miss window. */
  floor?: number;
  /** z of the one-sided bound (1.645: 95%). */
  z?: number;
}

const GRID_STEP = 0.01;
export const AUTO_FLOOR = 0.6;
/** How far under the threshold a verified candidate still counts as a near miss worth observing. */
export const NEAR_MISS_WINDOW = 0.1;
/** Observations kept per route (the newest; old traffic stops counting). */
const KEPT = 2000;
/** Recompute after this many new observations (a scan of at most KEPT per recompute). */
const RECOMPUTE_EVERY = 10;

/**
 * The calibrated threshold for a set of observations. Pure: the labelled-set evaluation calls it
 * with pairs (z = 0 there: a point estimate), a route's calibrator with its observations.
 */
export function chooseThreshold(obs: readonly Observation[], o: CalibrationOptions): number {
  const z = o.z ?? 1.645;
  const floor = o.floor ?? AUTO_FLOOR;
  const sorted = [...obs].sort((a, b) => b.similarity - a.similarity);
  // Walk thresholds from 1 down; n and k are the observations at or above t.
  let n = 0;
  let k = 0;
  let i = 0;
  let lowestProven: number | undefined;
  const upper = (k: number, n: number): number => (z === 0 ? (n === 0 ? 1 : k / n) : wilson(k, n, z)[1]);
  for (let step = Math.round(1 / GRID_STEP); step >= Math.round(floor / GRID_STEP); step--) {
    const t = step * GRID_STEP;
    while (i < sorted.length && sorted[i]!.similarity >= t - 1e-9) {
      n++;
      if (sorted[i]!.wrong) k++;
      i++;
    }
    // Never below the lowest similarity actually observed: no evidence, no extrapolation.
    if (n > 0 && upper(k, n) <= o.maxError) lowestProven = Math.max(t, Math.floor(sorted[i - 1]!.similarity / GRID_STEP + 1e-4) * GRID_STEP);
    if (lowestProven !== undefined) lowestProven = Math.round(lowestProven * 100) / 100;
    else if (lowestProven !== undefined) break; // lower thresholds would add the errors found here
  }
  if (lowestProven !== undefined && lowestProven <= o.start) return lowestProven;
  // Not proven at or below the start: keep it, unless the evidence at the start is confidently bad.
  const atStart = obs.filter((x) => x.similarity >= o.start);
  const bad = atStart.filter((x) => x.wrong).length;
  const lower = z === 0 ? (atStart.length === 0 ? 0 : bad / atStart.length) : wilson(bad, atStart.length, z)[0];
  if (atStart.length === 0 || lower <= o.maxError) return o.start;
  // Raise to the lowest proven threshold above the start; with none, to 1 (exact-only in effect).
  return lowestProven ?? 1;
}

export interface ThresholdRow {
  route: string;
  threshold: number;
  maxError: number;
  observations: number;
  wrong: number;
  nearMisses: number;
  audits: number;
}

interface RouteCalibration {
  obs: Observation[];
  next: number;
  sinceRecompute: number;
  threshold: number;
  start: number;
  maxError: number;
  nearMisses: number;
  audits: number;
}

/** Per-route observations and the threshold they give (recomputed every few observations, not per request). */
export class ThresholdCalibrator {
  private readonly routes = new Map<string, RouteCalibration>();

  private route(route: string, start: number, maxError: number): RouteCalibration {
    let r = this.routes.get(route);
    if (r === undefined || r.start !== start || r.maxError !== maxError) {
      // A new route, or a reload changed its bounds: what was learnt under other bounds still holds as evidence.
      const obs = r?.obs ?? [];
      r = { obs, next: r?.next ?? 0, sinceRecompute: 0, threshold: start, start, maxError, nearMisses: r?.nearMisses ?? 0, audits: r?.audits ?? 0 };
      r.threshold = chooseThreshold(obs, { maxError, start });
      this.routes.set(route, r);
    }
    return r;
  }

  /** The route's threshold now (hot path: a map lookup). */
  threshold(route: string, start: number, maxError: number): number {
    return this.route(route, start, maxError).threshold;
  }

  observe(route: string, start: number, maxError: number, o: Observation, source: 'audit' | 'near-miss'): void {
    const r = this.route(route, start, maxError);
    if (r.obs.length < KEPT) r.obs.push(o);
    else r.obs[r.next++ % KEPT] = o;
    if (source === 'audit') r.audits++;
    else r.nearMisses++;
    if (++r.sinceRecompute >= RECOMPUTE_EVERY) {
      r.sinceRecompute = 0;
      r.threshold = chooseThreshold(r.obs, { maxError, start });
    }
  }

  report(): ThresholdRow[] {
    return [...this.routes].map(([route, r]) => ({
      route,
      threshold: r.threshold,
      maxError: r.maxError,
      observations: r.obs.length,
      wrong: r.obs.filter((x) => x.wrong).length,
      nearMisses: r.nearMisses,
      audits: r.audits,
    }));
  }
}
