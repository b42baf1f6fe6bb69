// The config of substitution (issue 12): per-route shadow traffic and graduated promotion, in
// their own file so the route schema grows by two lines. Durations accept `h` and `d` too:
// promotion intervals are minutes to hours.
import { z } from 'zod';
import { assertionSchema } from '../evals/suite.js';

/** `500ms`, `30s`, `2m`, `1h`, `1d`, or a number of milliseconds. */
export const longDuration = z.union([
  z.number().nonnegative(),
  z
    .string()
    .regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, 'expected a duration such as 30s, 30m, 2h or 1d, or a number of milliseconds')
    .transform((s) => {
      const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(s)!;
      return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms']);
    }),
]);

export const shadowSchema = z.strictObject({
  /** Candidate deployments a sampled request is mirrored to. */
  targets: z.array(z.string().min(1)).min(1),
  /** Share of eligible requests mirrored, 0..1. */
  sample: z.number().min(0).max(1),
  /** Mirrors running at once per route; beyond it new ones queue. */
  max_in_flight: z.number().int().min(1).max(1000).optional(),
  /** Mirrors waiting; beyond it they are dropped and counted. */
  queue: z.number().int().min(0).max(100_000).optional(),
  /** A mirror slower than this is abandoned and counted as a timeout. */
  timeout: longDuration.optional(),
  /** A route whose first deployment judges each pair (which answer is better), outside the pipeline. */
  judge: z.string().min(1).optional(),
  /** Eval assertions every answer of the route should meet (json-valid, regex, ...): both sides of each pair are scored with them. */
  assert: z.array(assertionSchema).min(1).optional(),
  /** Mirror only requests of these request classes (the route's `classes`; `default` for none). */
  classes: z.array(z.string().min(1)).min(1).optional(),
  /** Shadow spend cap in USD: `20/day`, `2/hour`, or a number (per day). Past it, mirrors are skipped and counted. */
  budget: z
    .union([
      z.number().positive().transform((usd) => ({ usd, periodMs: 86_400_000 })),
      z
        .string()
        .regex(/^\d+(\.\d+)?\/(day|hour)$/, 'expected a budget such as 20/day or 2/hour (USD)')
        .transform((s) => {
          const [n, per] = s.split('/');
          return { usd: Number(n), periodMs: per === 'hour' ? 3_600_000 : 86_400_000 };
        }),
    ], { message: 'expected a budget such as 20/day or 2/hour (USD), or a number of USD per day' })
    .optional(),
});

export const guardsSchema = z.strictObject({
  /** Largest tolerated increase of the candidate's error rate over the incumbent's (absolute, 0..1). */
  error_rate: z.number().min(0).max(1).optional(),
  /** Largest tolerated relative increase of the candidate's p95 latency (0.2 = +20%). */
  p95_latency: z.number().min(0).optional(),
  /** Smallest eval pass rate of the candidate (reported by `modelplane eval run --publish`). */
  eval_pass: z.number().min(0).max(1).optional(),
  /** Smallest mean shadow similarity of the candidate against the primary. */
  shadow_similarity: z.number().min(0).max(1).optional(),
  /** Smallest judged win rate of the candidate over the primary in shadow (ties count half). */
  shadow_win: z.number().min(0).max(1).optional(),
});

export const promotionSchema = z.strictObject({
  candidate: z.string().min(1),
  /** Traffic shares in percent, increasing, ending at 100. */
  steps: z.array(z.number().gt(0).max(100)).min(1),
  interval: longDuration,
  /** Requests each arm needs in a step before a guard can pass or fail. */
  min_samples: z.number().int().min(1).optional(),
  guards: guardsSchema.optional(),
});

/**
 * Sampled body capture (src/evals/capture-*.ts): prompts and served answers kept in the embedded
 * store, for `modelplane eval capture` and `replay --live`. A byte size is written like elsewhere
 * in the config (`64kb`, `16mb`).
 */
const SIZE = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i;
/** `64kb`, `16mb`, or a number of bytes. */
const captureSize = z.union([
  z.number().int().positive(),
  z
    .string()
    .regex(SIZE, 'expected a size such as 1048576 (bytes), "512kb" or "4mb"')
    .transform((s) => {
      const m = SIZE.exec(s)!;
      return Math.round(Number(m[1]) * { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b']);
    }),
]);

export const captureSchema = z.strictObject({
  /** Share of the route's chat requests captured, 0..1. */
  sample: z.number().min(0).max(1),
  /** Captures older than this are deleted (default 7d). */
  retention: longDuration.optional(),
  /** Bytes of captures kept for the route; past it the oldest are deleted (default 64mb). */
  max_bytes: captureSize.optional(),
  /** A request whose prompt and answer together exceed this is not captured (default 64kb). */
  max_record_bytes: captureSize.optional(),
  /**
   * Sensitivity tiers (`policy.sensitivity`) whose requests may be captured although their rule
   * restricts where data goes. Requests without a tier, or of a tier with an empty rule, are
   * capturable; every other tier is never captured unless listed here.
   */
  tiers: z.array(z.string().min(1)).optional(),
});

export type CaptureConfig = z.output<typeof captureSchema>;
export type ShadowConfig = z.output<typeof shadowSchema>;
export type PromotionConfig = z.output<typeof promotionSchema>;
