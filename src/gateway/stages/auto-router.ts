// The planning stage of `strategy: auto` routes: scores the request with the route's router and
// hands the planner the chosen tier's plan (that tier's deployments first, the others behind as
// fallback), so breakers, retries, policy filters and hedging work on it as on any route.
//
// With two tiers: the cheaper one when score >= threshold. With k > 2 tiers, the one score is
// compared against k-1 boundaries spaced evenly below the threshold (threshold, ...,
// threshold/(k-1)): the first boundary the score clears names the tier; below all of them, the
// strongest. The feature extraction is synchronous: ~30 µs here (bench/auto-router.ts), so it
// runs on the event loop instead of a worker (a thread hop would cost more than the work).

import { GatewayError } from '../../spec/errors.js';
import type { AutoRouteSnapshot } from '../../config/snapshot.js';
import { featureInput } from '../../routing/auto/features.js';
import { scoreInput } from '../../routing/auto/model.js';
import type { Logger } from '../../telemetry/log.js';
import { isChatRequest } from '../call.js';
import type { Extension } from '../extension.js';

export interface TierChoice {
  index: number;
  reason: string;
}

export function chooseTier(auto: AutoRouteSnapshot, score: number): TierChoice {
  const k = auto.tiers.length;
  for (let j = 0; j < k - 1; j++) {
    const boundary = (auto.threshold * (k - 1 - j)) / (k - 1);
    if (score >= boundary) return { index: j, reason: `score ${score.toFixed(3)} >= ${boundary.toFixed(3)}: ${auto.tiers[j]!.name}` };
  }
  const last = k === 2 ? auto.threshold : auto.threshold / (k - 1);
  return { index: k - 1, reason: `score ${score.toFixed(3)} < ${last.toFixed(3)}: ${auto.tiers[k - 1]!.name}` };
}

export function autoRouter(log: Logger): Extension {
  let warned = false;
  return {
    name: 'auto-router',
    enabled: (s) => [...s.routes.values()].some((r) => r.auto !== undefined),
    stage: (call, next) => {
      const auto = call.route?.auto;
      if (auto === undefined || !isChatRequest(call.request)) return next();
      let score: number;
      try {
        score = scoreInput(auto.router, featureInput(call.request, auto.text));
      } catch (e) {
        // A router that cannot score degrades to the strongest tier, never to an error for the caller.
        if (!warned) log.warn({ route: call.route!.name, err: String(e) }, 'auto router failed to score; using the strongest tier');
        warned = true;
        score = Number.NaN;
      }
      const choice = Number.isNaN(score) ? { index: auto.tiers.length - 1, reason: 'router unavailable: strongest tier' } : chooseTier(auto, score);
      const tier = auto.tiers[choice.index];
      if (tier === undefined) return Promise.reject(new GatewayError('internal_error', 'auto route without tiers'));
      call.policy = tier.plan;
      // Cascade: non-streaming requests only (a stream cannot be taken back once it started).
      if (auto.cascade && !call.request.stream && choice.index < auto.tiers.length - 1) call.cascade = auto.tiers.slice(choice.index + 1);
      call.outcome.tier = tier.name;
      if (!Number.isNaN(score)) call.outcome.routerScore = Math.round(score * 1000) / 1000;
      call.headers.push('x-modelplane-tier', tier.name, 'x-modelplane-router-score', Number.isNaN(score) ? 'none' : score.toFixed(3), 'x-modelplane-route-reason', choice.reason);
      return next();
    },
  };
}
