// The cost-quality curve of a router on labelled data, with RouteLLM's metrics:
//   PGR(share)  performance gap recovered: (quality - weak) / (strong - weak)
//   APGR        the mean PGR over strong shares 0..100% (the area under the PGR curve)
//   CPT(x%)     the smallest strong share whose PGR reaches x%
// next to the random router, which at strong share s recovers exactly s of the gap.

import { vectorFor } from './vectorize.js';
import { score, type RouterModel } from './model.js';
import type { Example } from './data.js';

export interface CurvePoint {
  threshold: number;
  strongShare: number;
  quality: number;
  pgr: number;
}

export interface Curve {
  points: CurvePoint[];
  weakQuality: number;
  strongQuality: number;
  apgr: number;
  /** Strong share needed for 50% / 80% of the gap; undefined when never reached. */
  cpt50: number | undefined;
  cpt80: number | undefined;
  randomApgr: number;
}

export function curve(model: RouterModel, examples: readonly Example[]): Curve {
  const graded = examples.filter((e): e is Example & { strong: number; weak: number } => e.strong !== undefined && e.weak !== undefined);
  if (graded.length === 0) throw new Error('the cost-quality curve needs per-tier labels (strong_ok/weak_ok or strong_score/weak_score)');
  const n = graded.length;
  const scored = graded.map((e) => ({ s: score(model, vectorFor(model, e.input)), e })).sort((a, b) => a.s - b.s);
  const weakQuality = graded.reduce((a, e) => a + e.weak, 0) / n;
  const strongQuality = graded.reduce((a, e) => a + e.strong, 0) / n;
  const gap = strongQuality - weakQuality;
  const points: CurvePoint[] = [];
  // Sending the k lowest-scored requests up, for k = 0..n: every distinct operating point.
  let quality = weakQuality * n;
  for (let k = 0; k <= n; k++) {
    if (k > 0) quality += scored[k - 1]!.e.strong - scored[k - 1]!.e.weak;
    const q = quality / n;
    points.push({ threshold: k === n ? 1 : scored[k]!.s, strongShare: k / n, quality: q, pgr: gap === 0 ? 1 : (q - weakQuality) / gap });
  }
  // APGR as the trapezoid area under PGR over strong share.
  let area = 0;
  for (let i = 1; i < points.length; i++) area += ((points[i]!.pgr + points[i - 1]!.pgr) / 2) * (points[i]!.strongShare - points[i - 1]!.strongShare);
  const cpt = (x: number) => points.find((p) => p.pgr >= x)?.strongShare;
  return { points, weakQuality, strongQuality, apgr: area, cpt50: cpt(0.5), cpt80: cpt(0.8), randomApgr: 0.5 };
}
