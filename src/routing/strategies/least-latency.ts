// Least latency over the stats window (60 s by default): time to first token for streams, total
// latency otherwise (each falling back to the other when it is the only one measured).
//
// Unknown deployments (no sample in the window) with nothing in flight go FIRST: that is how a
// new deployment gets measured, and, because the window forgets, how a deployment that was slow
// a minute ago is re-probed by one request instead of being starved forever. An unknown one
// that already has a request in flight gets the neutral prior (the mean of the known scores), so
// a burst does not pile onto it before its first sample lands.
//
// To avoid herding every request onto one deployment whose lead is within noise, the first
// place is drawn at random among deployments within 10% of the best score.

import type { DeploymentSnapshot } from '../../config/snapshot.js';
import { sortIndices, type Strategy, type StrategyContext } from './types.js';

const TIE_BAND = 0.1;

export function latencyScore(dep: DeploymentSnapshot, ctx: StrategyContext): number | undefined {
  const ttft = ctx.stats.meanTtft(dep.id, ctx.now);
  const total = ctx.stats.meanLatency(dep.id, ctx.now);
  return ctx.needs.stream ? (ttft ?? total) : (total ?? ttft);
}

export const leastLatency: Strategy = {
  name: 'least-latency',
  order(targets, _weights, ctx) {
    const scores = targets.map((t) => latencyScore(t, ctx));
    let sum = 0;
    let known = 0;
    for (const s of scores) {
      if (s === undefined) continue;
      sum += s;
      known++;
    }
    const prior = known > 0 ? sum / known : 0;
    const idx = sortIndices(targets.length, (i) => {
      const s = scores[i];
      if (s !== undefined) return s;
      return ctx.stats.inFlight(targets[i]!.id) === 0 ? -1 : prior;
    });
    const best = scores[idx[0]!];
    if (best !== undefined && idx.length > 1) {
      let band = 1;
      while (band < idx.length) {
        const s = scores[idx[band]!];
        if (s === undefined || s > best * (1 + TIE_BAND)) break;
        band++;
      }
      if (band > 1) idx.unshift(idx.splice(Math.floor(ctx.rng() * band), 1)[0]!);
    }
    return idx.map((i) => targets[i]!);
  },
};
