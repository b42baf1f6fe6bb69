// Route `shadow:` and `promotion:` -> their compiled settings, with cross references checked
// (an unknown candidate is a config error at load, not a silent no-op at run time).
import type { RouteConfig } from './schema.js';
import type { PromotionConfig } from './substitution-schema.js';
import type { Assertion } from '../evals/suite.js';
import type { DeploymentSnapshot } from './snapshot.js';

export interface ShadowSettings {
  targets: DeploymentSnapshot[];
  sample: number;
  maxInFlight: number;
  queue: number;
  timeoutMs: number;
  /** Request classes mirrored (`default`: requests no class matched); undefined: all. */
  classes?: string[];
  budget?: { usd: number; periodMs: number };
  /** The route whose first target judges pairs. */
  judge?: string;
  /** Assertions both sides of every pair are scored with. */
  assert?: Assertion[];
}

export interface PromotionGuards {
  errorRate?: number;
  p95Latency?: number;
  evalPass?: number;
  shadowSimilarity?: number;
  shadowWin?: number;
}

export interface PromotionSettings {
  candidate: DeploymentSnapshot;
  steps: number[];
  intervalMs: number;
  minSamples: number;
  guards: PromotionGuards;
}

export interface CaptureSettings {
  sample: number;
  retentionMs: number;
  maxBytes: number;
  maxRecordBytes: number;
  /** Restricted sensitivity tiers whose requests may still be captured. */
  tiers: string[];
}

export const CAPTURE_DEFAULTS = { retentionMs: 7 * 86_400_000, maxBytes: 64 * 1024 * 1024, maxRecordBytes: 64 * 1024 };

export const SHADOW_DEFAULTS = { maxInFlight: 8, queue: 64, timeoutMs: 60_000 };
export const PROMOTION_DEFAULTS = { minSamples: 30 };

function deployment(name: string, at: string, deployments: ReadonlyMap<string, DeploymentSnapshot>, problems: string[]): DeploymentSnapshot | undefined {
  const d = deployments.get(name);
  if (!d) problems.push(`${at}: unknown deployment "${name}"`);
  return d;
}

export function compileShadow(path: string, r: RouteConfig, deployments: ReadonlyMap<string, DeploymentSnapshot>, routeNames: readonly string[], problems: string[]): ShadowSettings | undefined {
  const s = r.shadow;
  if (!s) return undefined;
  const targets: DeploymentSnapshot[] = [];
  s.targets.forEach((name, i) => {
    const d = deployment(name, `${path}.shadow.targets[${i}]`, deployments, problems);
    if (d) targets.push(d);
  });
  const out: ShadowSettings = { targets, sample: s.sample, maxInFlight: s.max_in_flight ?? SHADOW_DEFAULTS.maxInFlight, queue: s.queue ?? SHADOW_DEFAULTS.queue, timeoutMs: s.timeout ?? SHADOW_DEFAULTS.timeoutMs };
  if (s.classes) {
    const known = new Set(['default', ...(r.classes ?? []).map((c) => c.name)]);
    s.classes.forEach((c, i) => {
      if (!known.has(c)) problems.push(`${path}.shadow.classes[${i}]: the route has no class "${c}" (known: ${[...known].join(', ')})`);
    });
    out.classes = s.classes;
  }
  if (s.budget) out.budget = s.budget;
  if (s.assert) {
    s.assert.forEach((a, i) => {
      if (a.type === 'judge') problems.push(`${path}.shadow.assert[${i}]: a judge assertion needs a question and a rubric per case; use shadow.judge for a judged comparison of the pair`);
    });
    out.assert = s.assert;
  }
  if (s.judge !== undefined) {
    if (!routeNames.includes(s.judge)) problems.push(`${path}.shadow.judge: unknown route "${s.judge}"`);
    else out.judge = s.judge;
  }
  return out;
}

export function compilePromotion(path: string, r: RouteConfig, deployments: ReadonlyMap<string, DeploymentSnapshot>, problems: string[]): PromotionSettings | undefined {
  return r.promotion ? compilePromotionBlock(`${path}.promotion`, r.promotion, deployments, problems) : undefined;
}

/** One `promotion:` block (from the config, or started through the admin API) -> its settings. */
export function compilePromotionBlock(at: string, p: PromotionConfig, deployments: ReadonlyMap<string, DeploymentSnapshot>, problems: string[]): PromotionSettings | undefined {
  const path = at.replace(/\.promotion$/, '');
  const candidate = deployment(p.candidate, `${path}.promotion.candidate`, deployments, problems);
  for (let i = 1; i < p.steps.length; i++) {
    if (p.steps[i]! <= p.steps[i - 1]!) problems.push(`${path}.promotion.steps: expected increasing shares, got ${p.steps.join(', ')}`);
  }
  if (p.steps[p.steps.length - 1] !== 100) problems.push(`${path}.promotion.steps: the last step must be 100 (the candidate takes all traffic)`);
  if (!candidate) return undefined;
  const g = p.guards ?? {};
  const guards: PromotionGuards = {};
  if (g.error_rate !== undefined) guards.errorRate = g.error_rate;
  if (g.p95_latency !== undefined) guards.p95Latency = g.p95_latency;
  if (g.eval_pass !== undefined) guards.evalPass = g.eval_pass;
  if (g.shadow_similarity !== undefined) guards.shadowSimilarity = g.shadow_similarity;
  if (g.shadow_win !== undefined) guards.shadowWin = g.shadow_win;
  return { candidate, steps: p.steps, intervalMs: p.interval, minSamples: p.min_samples ?? PROMOTION_DEFAULTS.minSamples, guards };
}

export function compileCapture(path: string, r: RouteConfig, knownTiers: readonly string[], problems: string[]): CaptureSettings | undefined {
  const c = r.capture;
  if (!c) return undefined;
  (c.tiers ?? []).forEach((t, i) => {
    if (!knownTiers.includes(t)) problems.push(`${path}.capture.tiers[${i}]: unknown sensitivity tier "${t}" (policy.sensitivity declares: ${knownTiers.join(', ') || 'none'})`);
  });
  return {
    sample: c.sample,
    retentionMs: c.retention ?? CAPTURE_DEFAULTS.retentionMs,
    maxBytes: c.max_bytes ?? CAPTURE_DEFAULTS.maxBytes,
    maxRecordBytes: c.max_record_bytes ?? CAPTURE_DEFAULTS.maxRecordBytes,
    tiers: c.tiers ?? [],
  };
}
