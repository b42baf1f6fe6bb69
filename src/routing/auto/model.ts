// The trained head of the auto router: logistic regression over the feature vector. Its score is
// the estimated probability that the cheaper tier's answer is as good as the stronger tier's
// (RouteLLM's "win rate" framing, inverted: high score = send it to the cheap tier).
//
// Logistic regression was chosen over an MLP or matrix factorisation after measuring on the
// project's evaluation set (docs/routing.md): with a few hundred labelled prompts a linear head
// is as good, trains in milliseconds, deterministically, and its weights file is a few KB.

import { DIMS, EMBED_FEATURIZER, FEATURIZER, STRUCTURAL_NAMES, featurize, type FeatureInput } from './features.js';

/** The embedders a router may be trained on: the ones the gateway can run offline (train, eval) as at run time. */
export const TRAINABLE_EMBEDDERS = ['local-hashed-ngrams'];

export interface RouterModel {
  kind: 'logistic';
  featurizer: string;
  dims: number;
  weights: number[];
  /** Scores of a reference sample, sorted ascending: `strong_share` is calibrated from them. */
  calibration: number[];
  /** With EMBED_FEATURIZER: the embedder whose vectors it reads, and their length. */
  embedder?: { name: string; dims: number };
  /** Where the training data came from, for the record. */
  trainedOn?: string;
}

export function score(model: RouterModel, x: Float64Array): number {
  let z = 0;
  const w = model.weights;
  for (let i = 0; i < x.length; i++) z += w[i]! * x[i]!;
  return 1 / (1 + Math.exp(-z));
}

export function scoreInput(model: RouterModel, f: FeatureInput): number {
  return score(model, featurize(f));
}

/** Validates a parsed weights file; throws naming what is wrong. */
export function checkModel(m: unknown, where: string): RouterModel {
  const o = m as Partial<RouterModel> | null;
  if (o === null || typeof o !== 'object') throw new Error(`${where}: not a router file (expected a JSON object)`);
  if (o.kind !== 'logistic') throw new Error(`${where}: unknown router kind ${JSON.stringify(o.kind)} (expected "logistic")`);
  let dims = DIMS;
  if (o.featurizer === EMBED_FEATURIZER) {
    const e = o.embedder;
    if (e === undefined || !TRAINABLE_EMBEDDERS.includes(e.name) || !Number.isInteger(e.dims) || e.dims <= 0) throw new Error(`${where}: featurizer ${EMBED_FEATURIZER} needs "embedder": {"name": ${TRAINABLE_EMBEDDERS.map((n) => JSON.stringify(n)).join(' | ')}, "dims": N}`);
    dims = STRUCTURAL_NAMES.length + e.dims;
  } else if (o.featurizer !== FEATURIZER) {
    throw new Error(`${where}: made for featurizer ${JSON.stringify(o.featurizer)}, this gateway has ${FEATURIZER} and ${EMBED_FEATURIZER}: retrain it`);
  }
  if (o.dims !== dims || !Array.isArray(o.weights) || o.weights.length !== dims || !o.weights.every((w) => typeof w === 'number' && Number.isFinite(w))) {
    throw new Error(`${where}: expected ${dims} finite weights`);
  }
  if (!Array.isArray(o.calibration) || !o.calibration.every((s) => typeof s === 'number')) throw new Error(`${where}: calibration must be an array of scores`);
  return o as RouterModel;
}

/**
 * The threshold that sends about `strongShare` of requests to the stronger tier: a request goes
 * up when its score is below the threshold, so it is the `strongShare` quantile of the scores.
 */
export function thresholdForShare(sortedScores: readonly number[], strongShare: number): number {
  if (sortedScores.length === 0) return 0.5;
  if (strongShare <= 0) return 0;
  if (strongShare >= 1) return 1 + 1e-9;
  const i = Math.min(sortedScores.length - 1, Math.max(0, Math.round(strongShare * sortedScores.length)));
  return sortedScores[i]!;
}
