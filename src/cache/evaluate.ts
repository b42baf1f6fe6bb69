// Scores the semantic layer's decision (similarity threshold, then the verifier) on labelled
// pairs: a paraphrase served is a correct hit, a hard negative or an unrelated pair served is a
// wrong hit. Used by the verifier's test (the shipped threshold must meet the goals) and by
// bench/cache-eval.ts (the table in docs/caching.md).

import { readFileSync } from 'node:fs';
import type { SyncEmbedder } from './embedder.js';
import { dot } from './embedder.js';
import { verify, type VerifierReason } from './verifier.js';

export type PairLabel = 'paraphrase' | 'hard-negative' | 'unrelated';

export interface LabelledPair {
  label: PairLabel;
  domain: string;
  a: string;
  b: string;
}

export function loadPairs(path: string | URL): LabelledPair[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LabelledPair)
    .filter((p) => p.a !== p.b);
}

export interface ScoredPair extends LabelledPair {
  similarity: number;
  verdict: true | VerifierReason;
}

export function scorePairs(pairs: readonly LabelledPair[], embedder: SyncEmbedder): ScoredPair[] {
  return pairs.map((p) => {
    const v = verify(p.a, p.b);
    return { ...p, similarity: dot(embedder.embedSync(p.a), embedder.embedSync(p.b)), verdict: v.ok ? true : v.reason };
  });
}

export interface Rates {
  threshold: number;
  /** Share of paraphrases served from cache. */
  paraphraseHitRate: number;
  /** Share of hard negatives wrongly served. */
  hardNegativeWrongRate: number;
  unrelatedWrongRate: number;
  /** Of all pairs served, the share that were paraphrases. */
  precision: number;
  /** The same without the verifier (threshold alone). */
  thresholdOnly: { paraphraseHitRate: number; hardNegativeWrongRate: number; precision: number };
}

function share(xs: readonly ScoredPair[], pred: (p: ScoredPair) => boolean): number {
  return xs.length === 0 ? 0 : xs.filter(pred).length / xs.length;
}

export function ratesAt(scored: readonly ScoredPair[], threshold: number): Rates {
  const by = (l: PairLabel): ScoredPair[] => scored.filter((p) => p.label === l);
  const para = by('paraphrase');
  const hard = by('hard-negative');
  const unrel = by('unrelated');
  const served = (p: ScoredPair): boolean => p.similarity >= threshold && p.verdict === true;
  const near = (p: ScoredPair): boolean => p.similarity >= threshold;
  const precisionOf = (pred: (p: ScoredPair) => boolean): number => {
    const s = scored.filter(pred);
    return s.length === 0 ? 1 : s.filter((p) => p.label === 'paraphrase').length / s.length;
  };
  return {
    threshold,
    paraphraseHitRate: share(para, served),
    hardNegativeWrongRate: share(hard, served),
    unrelatedWrongRate: share(unrel, served),
    precision: precisionOf(served),
    thresholdOnly: { paraphraseHitRate: share(para, near), hardNegativeWrongRate: share(hard, near), precision: precisionOf(near) },
  };
}

/** Area under the ROC curve of similarity alone, positives against one class of negatives (NaN without either). */
export function auc(scored: readonly ScoredPair[], negative: PairLabel): number {
  const pos = scored.filter((p) => p.label === 'paraphrase').map((p) => p.similarity);
  const neg = scored.filter((p) => p.label === negative).map((p) => p.similarity);
  let wins = 0;
  for (const x of pos) for (const y of neg) wins += x > y ? 1 : x === y ? 0.5 : 0;
  return pos.length * neg.length === 0 ? NaN : wins / (pos.length * neg.length);
}
