// A router's feature vector for a request, whichever featurizer it was trained with: its own
// hashed n-grams, or the structural features plus the local embedder's vector (the cache's
// embedder, src/cache/embedder.ts; at run time the vector is shared with the cache through
// src/gateway/shared-embedding.ts). Offline (train, eval, calibrate) the embedder runs inline.

import { HashedNgramEmbedder, type SyncEmbedder } from '../../cache/embedder.js';
import { EMBED_FEATURIZER, featurize, featurizeEmbedded, type FeatureInput } from './features.js';
import type { RouterModel } from './model.js';

const embedders = new Map<string, SyncEmbedder>();

/** The embedder an EMBED_FEATURIZER router reads (one instance per name and length). */
export function embedderFor(model: Pick<RouterModel, 'embedder'>): SyncEmbedder | undefined {
  const e = model.embedder;
  if (e === undefined) return undefined;
  const key = `${e.name}/${e.dims}`;
  let x = embedders.get(key);
  if (x === undefined) embedders.set(key, (x = new HashedNgramEmbedder(e.dims)));
  return x;
}

export const usesEmbedder = (model: RouterModel): boolean => model.featurizer === EMBED_FEATURIZER;

/** The vector offline: the embedder (if any) runs inline. */
export function vectorFor(model: RouterModel, input: FeatureInput): Float64Array {
  if (!usesEmbedder(model)) return featurize(input);
  return featurizeEmbedded(input, embedderFor(model)!.embedSync(input.text), model.embedder!.dims);
}
