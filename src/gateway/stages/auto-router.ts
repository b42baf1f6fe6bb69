// The planning stage of `strategy: auto` routes: scores the request with the route's router and
// hands the planner the chosen tier's plan (that tier's deployments first, the others behind as
// fallback), so breakers, retries, policy filters and hedging work on it as on any route.
//
// With two tiers: the cheaper one when score >= threshold. With k > 2 tiers, the one score is
// compared against k-1 boundaries spaced evenly below the threshold (threshold, ...,
// threshold/(k-1)): the first boundary the score clears names the tier; below all of them, the
// strongest. The feature extraction is synchronous: ~30 µs here (bench/auto-router.ts), so it
// runs on the event loop instead of a worker (a thread hop would cost more than the work).
//
// After the response has left, the decision (final tier, score, who asked, and the feature
// vector) goes to the recorder (write-behind) and the live strong share to the drift tracker.

import { GatewayError } from '../../spec/errors.js';
import type { AutoRouteSnapshot } from '../../config/snapshot.js';
import { featureInput, featurize } from '../../routing/auto/features.js';
import { score as scoreVector } from '../../routing/auto/model.js';
import type { DecisionRecorder, RecentDecision } from '../../routing/auto/recorder.js';
import type { StrongShareTracker } from '../../routing/auto/drift.js';
import type { Logger } from '../../telemetry/log.js';
import { isChatRequest, type Call } from '../call.js';
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

export interface AutoRouterOptions {
  /** Where decisions go after the response (undefined: not recorded). */
  recorder?: () => DecisionRecorder | undefined;
  drift?: StrongShareTracker;
  clock?: () => number;
}

const STATE = Symbol('modelplane.auto-router');

interface CallState {
  auto: AutoRouteSnapshot;
  index: number;
  score: number;
  vector: Float64Array | undefined;
}

function tierIndex(auto: AutoRouteSnapshot, name: string | undefined, fallback: number): number {
  const i = auto.tiers.findIndex((t) => t.name === name);
  return i === -1 ? fallback : i;
}

export function autoRouter(log: Logger, o: AutoRouterOptions = {}): Extension {
  let warned = false;
  const clock = o.clock ?? Date.now;
  return {
    name: 'auto-router',
    enabled: (s) => [...s.routes.values()].some((r) => r.auto !== undefined),
    stage: (call, next) => {
      const auto = call.route?.auto;
      if (auto === undefined || !isChatRequest(call.request)) return next();
      let score: number;
      let vector: Float64Array | undefined;
      try {
        vector = featurize(featureInput(call.request, auto.text));
        score = scoreVector(auto.router, vector);
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
      o.drift?.record(call.route!.name, auto, choice.index > 0);
      if (o.recorder) call[STATE] = { auto, index: choice.index, score, vector } satisfies CallState;
      return next();
    },
    after: (call: Call) => {
      const st = call[STATE] as CallState | undefined;
      if (st === undefined) return;
      const recorder = o.recorder?.();
      if (recorder === undefined) return;
      const c = call.caller;
      const index = tierIndex(st.auto, call.outcome.tier, st.index);
      const d: RecentDecision = { requestId: call.ex.requestId, ts: clock(), route: call.route!.name, tier: st.auto.tiers[index]!.name, tierIndex: index, tiers: st.auto.tiers.length };
      if (!Number.isNaN(st.score)) d.score = Math.round(st.score * 1e4) / 1e4;
      if (c.keyId !== undefined) d.keyId = c.keyId;
      if (c.team !== undefined) d.team = c.team;
      if (index !== st.index) d.escalated = true;
      if (st.vector !== undefined) d.vector = st.vector;
      recorder.record(d);
    },
  };
}
