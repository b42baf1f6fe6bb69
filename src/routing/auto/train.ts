// Training the router's head: L2-regularised logistic regression by full-batch gradient descent.
// Deterministic (no shuffling, zero initialisation), so the same data gives the same weights file.

import { DIMS, FEATURIZER, featurize } from './features.js';
import { score, type RouterModel } from './model.js';
import type { Example } from './data.js';

export interface TrainOptions {
  iterations?: number;
  learningRate?: number;
  l2?: number;
  trainedOn?: string;
  /** Which featurizer made the vectors (default: the hashed one); `embedder` with EMBED_FEATURIZER. */
  featurizer?: string;
  embedder?: { name: string; dims: number };
}

export function train(examples: readonly Example[], opts: TrainOptions = {}): RouterModel {
  return trainVectors(examples.map((e) => featurize(e.input)), examples.map((e) => e.weakAsGood), opts);
}

/** The same, on feature vectors already made (labels recorded by the gateway carry theirs). */
export function trainVectors(xs: readonly Float64Array[], ys: ReadonlyArray<0 | 1>, opts: TrainOptions = {}): RouterModel {
  const iterations = opts.iterations ?? 400;
  const lr = opts.learningRate ?? 1;
  const l2 = opts.l2 ?? 1e-3;
  const dims = xs[0]?.length ?? DIMS;
  const featurizer = opts.featurizer ?? FEATURIZER;
  const w = new Float64Array(dims);
  const grad = new Float64Array(dims);
  const n = xs.length;
  const model: RouterModel = { kind: 'logistic', featurizer, dims, weights: [], calibration: [] };
  for (let it = 0; it < iterations; it++) {
    grad.fill(0);
    model.weights = w as unknown as number[];
    for (let j = 0; j < n; j++) {
      const err = score(model, xs[j]!) - ys[j]!;
      const x = xs[j]!;
      for (let i = 0; i < dims; i++) grad[i] = grad[i]! + err * x[i]!;
    }
    for (let i = 0; i < dims; i++) w[i] = w[i]! - lr * (grad[i]! / n + (i === 0 ? 0 : l2 * w[i]!));
  }
  const weights = Array.from(w, (v) => Math.round(v * 1e6) / 1e6);
  const out: RouterModel = { kind: 'logistic', featurizer, dims, weights, calibration: [] };
  if (opts.embedder !== undefined) out.embedder = opts.embedder;
  out.calibration = xs.map((x) => Math.round(score(out, x) * 1e6) / 1e6).sort((a, b) => a - b);
  if (opts.trainedOn !== undefined) out.trainedOn = opts.trainedOn;
  return out;
}
