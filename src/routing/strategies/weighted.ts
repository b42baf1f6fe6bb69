// Weighted: the first attempt is drawn at random in proportion to the weights (a 95/5 canary
// sends ~95% of first attempts to the 95); the fallbacks after it follow by weight, heaviest
// first, so a failing canary falls back to the main deployment and vice versa. A weight of 0
// (or less) is never drawn first: such a target is a standby, used only as a fallback.

import { orderBy, type Strategy } from './types.js';

export const weighted: Strategy = {
  name: 'weighted',
  order(targets, weights, ctx) {
    const n = targets.length;
    let total = 0;
    for (let i = 0; i < n; i++) total += Math.max(0, weights[i] ?? 0);
    const byWeight = orderBy(targets, (i) => -(weights[i] ?? 0));
    if (n < 2 || total <= 0) return byWeight;
    let r = ctx.rng() * total;
    let first = -1;
    for (let i = 0; i < n; i++) {
      const w = Math.max(0, weights[i] ?? 0);
      if (w === 0) continue;
      first = i;
      if (r < w) break;
      r -= w;
    }
    const chosen = targets[first]!;
    const out = [chosen];
    for (const t of byWeight) if (t !== chosen) out.push(t);
    return out;
  },
};
