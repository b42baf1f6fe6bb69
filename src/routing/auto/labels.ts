// Caller feedback as training data for `router train --from-ledger`. The router's target is
// "the cheaper tier's answer is as good as the stronger one's", and a label only says how good
// the answer of the tier that served was. So:
//   served below the strongest tier, score >= 0.5  -> the cheaper tier was good enough (1)
//   served below the strongest tier, score <  0.5  -> it was not (0)
//   served by the strongest tier                    -> skipped: nothing says how a cheaper one
//                                                      would have done (a bandit's blind spot;
//                                                      shadow traffic or evals fill it)
// A label without its feature vector (feedback that came after the decision left memory), or one
// made under another featurizer, cannot be trained on and is counted as such.

import { DIMS, FEATURIZER } from './features.js';
import { dense } from './recorder.js';
import type { Label } from './router-store.js';

export interface LabelExamples {
  xs: Float64Array[];
  ys: Array<0 | 1>;
  usable: number;
  strongTier: number;
  noVector: number;
}

/** Labels usable for a router of `featurizer` (default the hashed one) with vectors of `dims`. */
export function examplesFromLabels(labels: readonly Label[], featurizer = FEATURIZER, dims = DIMS): LabelExamples {
  const out: LabelExamples = { xs: [], ys: [], usable: 0, strongTier: 0, noVector: 0 };
  for (const l of labels) {
    if (l.tierIndex >= l.tiers - 1) {
      out.strongTier++;
      continue;
    }
    if (l.features === undefined || l.featurizer !== featurizer || l.features.dims !== dims) {
      out.noVector++;
      continue;
    }
    out.xs.push(dense(l.features));
    out.ys.push(l.score >= 0.5 ? 1 : 0);
    out.usable++;
  }
  return out;
}
