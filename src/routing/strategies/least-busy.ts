import { orderBy, type Strategy } from './types.js';

/** Fewest attempts in flight first (this process's count); ties keep config order. */
export const leastBusy: Strategy = {
  name: 'least-busy',
  order(targets, _weights, ctx) {
    return orderBy(targets, (i) => ctx.stats.inFlight(targets[i]!.id));
  },
};
