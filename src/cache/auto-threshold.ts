// `threshold: auto` as the response cache uses it: the route's threshold now, the near-miss
// window under it, and the two kinds of observation (audited hits, near misses) turned into the
// calibrator's evidence (threshold-calibrator.ts says how the threshold is chosen). Fixed-threshold
// routes pass straight through.

import type { RouteCachePolicy } from '../config/snapshot.js';
import type { CanonicalResponse } from '../spec/canonical.js';
import type { CachedAnswer } from './answer.js';
import { answersAgree } from './audit.js';
import { HashedNgramEmbedder } from './embedder.js';
import { AUTO_FLOOR, NEAR_MISS_WINDOW, ThresholdCalibrator } from './threshold-calibrator.js';

export class AutoThresholds {
  readonly calibrator = new ThresholdCalibrator();
  /** Compares a near miss's answer with the fresh one (as audits do: the local embedder). */
  private readonly answerEmbedder = new HashedNgramEmbedder();

  /** `answerOf` reads a cached answer by exact key (the cache's store). */
  constructor(private readonly answerOf: (key: string) => Promise<CachedAnswer | undefined>) {}

  /** The route's semantic threshold: fixed, or calibrated. */
  threshold(route: string, policy: RouteCachePolicy): number {
    return policy.maxError === undefined ? policy.threshold : this.calibrator.threshold(route, policy.threshold, policy.maxError);
  }

  /** How low a verified candidate may score and still be observed as a near miss (the threshold itself when fixed). */
  floor(policy: RouteCachePolicy, threshold: number): number {
    return policy.maxError !== undefined ? Math.max(AUTO_FLOOR, threshold - NEAR_MISS_WINDOW) : threshold;
  }

  /** An audited semantic hit's verdict. */
  observeAudit(route: string, policy: RouteCachePolicy, similarity: number, agree: boolean): void {
    if (policy.maxError !== undefined) this.calibrator.observe(route, policy.threshold, policy.maxError, { similarity, wrong: !agree }, 'audit');
  }

  /** After a near miss's fresh answer: would the candidate's answer have been right? Off the request's path. */
  observeNearMiss(route: string, policy: RouteCachePolicy, near: { key: string; similarity: number }, fresh: CanonicalResponse): void {
    const maxError = policy.maxError;
    if (maxError === undefined) return;
    setImmediate(() => {
      void this.answerOf(near.key).then((candidate) => {
        if (candidate === undefined) return;
        const wrong = !answersAgree(candidate.response, fresh, this.answerEmbedder);
        this.calibrator.observe(route, policy.threshold, maxError, { similarity: near.similarity, wrong }, 'near-miss');
      });
    });
  }
}
