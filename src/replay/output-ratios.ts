// Output tokens on another model family: the same answer is a different number of tokens under
// another tokenizer, and another model answers at another length. A log cannot say how
// different; shadow traffic can: every pair is one prompt answered by the incumbent and by the
// candidate. The ratio of their output tokens, measured per route and pair of deployments (or,
// with too few pairs there, per pair of providers, i.e. per model family, across routes), scales
// the recorded output tokens when replay prices a record on a deployment other than the one that
// served it. Without enough pairs the recorded count is kept, and the report says so.
import type { OutputObservation } from '../shadow/store.js';

export const MIN_PAIRS = 10;

export interface OutputRatio {
  ratio: number;
  pairs: number;
  /** What the ratio was measured over. */
  basis: 'route' | 'providers';
}

export type OutputRatioLookup = (route: string, from: string, to: string) => OutputRatio | undefined;

/** `providerOf` maps a deployment id to its provider (the family its tokenizer belongs to). */
export function outputRatios(observations: readonly OutputObservation[], providerOf: (deployment: string) => string | undefined, minPairs = MIN_PAIRS): OutputRatioLookup {
  const byRoute = new Map<string, OutputObservation>();
  const byProviders = new Map<string, { pairs: number; primaryOut: number; shadowOut: number }>();
  for (const o of observations) {
    byRoute.set(`${o.route}\u0000${o.from}\u0000${o.to}`, o);
    const pf = providerOf(o.from);
    const pt = providerOf(o.to);
    if (pf === undefined || pt === undefined) continue;
    const k = `${pf}\u0000${pt}`;
    const acc = byProviders.get(k) ?? { pairs: 0, primaryOut: 0, shadowOut: 0 };
    acc.pairs += o.pairs;
    acc.primaryOut += o.primaryOut;
    acc.shadowOut += o.shadowOut;
    byProviders.set(k, acc);
  }
  return (route, from, to) => {
    if (from === to) return undefined;
    const r = byRoute.get(`${route}\u0000${from}\u0000${to}`);
    if (r && r.pairs >= minPairs && r.primaryOut > 0) return { ratio: r.shadowOut / r.primaryOut, pairs: r.pairs, basis: 'route' };
    const pf = providerOf(from);
    const pt = providerOf(to);
    const p = pf === undefined || pt === undefined ? undefined : byProviders.get(`${pf}\u0000${pt}`);
    if (p && p.pairs >= minPairs && p.primaryOut > 0) return { ratio: p.shadowOut / p.primaryOut, pairs: p.pairs, basis: 'providers' };
    return undefined;
  };
}
