// The planning stage of `strategy: auto` routes: scores the request with the route's router and
// hands the planner the chosen tier's plan (that tier's deployments first, the others behind as
// fallback), so breakers, retries, policy filters and hedging work on it as on any route.
//
// With two tiers: the cheaper one when score >= threshold. With k > 2 tiers, the one score is
// compared against k-1 boundaries spaced evenly below the threshold (threshold, ...,
// threshold/(k-1)): the first boundary the score clears names the tier; below all of them, the
// strongest. The feature extraction is synchronous: ~15-30 µs here (bench/auto-router.ts), so
// it runs on the event loop instead of a worker (a thread hop would cost more than the work).
// A router of the embedder featurizer reads the request's shared embedding (shared-embedding.ts):
// the local embedder runs inline (microseconds); an asynchronous one gets EMBED_TIMEOUT_MS, and
// without a vector the router scores on the structural features, with a warning a minute.
//
// After the response has left, the decision (final tier, score, who asked, and the feature
// vector) goes to the recorder (write-behind) and the live strong share to the drift tracker.

import { GatewayError } from '../../spec/errors.js';
import type { AutoRouteSnapshot } from '../../config/snapshot.js';
import { featureInput, featurize, featurizeEmbedded, type FeatureInput } from '../../routing/auto/features.js';
import { embedderFor, usesEmbedder } from '../../routing/auto/vectorize.js';
import type { Embedder } from '../../cache/embedder.js';
import type { CanonicalRequest } from '../../spec/canonical.js';
import { sharedEmbedding } from '../shared-embedding.js';
import type { SavingsAccumulator, ServedRequest } from '../../routing/auto/savings.js';
import { costOf } from '../../governance/cost.js';
import { score as scoreVector } from '../../routing/auto/model.js';
import type { DecisionRecorder, RecentDecision } from '../../routing/auto/recorder.js';
import type { StrongShareTracker } from '../../routing/auto/drift.js';
import type { Logger } from '../../telemetry/log.js';
import { isChatRequest, type Answer, type Call } from '../call.js';
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
  /** What auto routes saved since start (the live view of `router savings`). */
  live?: SavingsAccumulator;
  /** For routers of the embedder featurizer: the embedder (default: the local one the router names) and its deadline. */
  embedder?: Embedder;
  embedTimeoutMs?: number;
}

/** An asynchronous embedder gets this long before the router scores without it. */
export const EMBED_TIMEOUT_MS = 50;

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

/** The finished request into the live savings view (its cost as the ledger priced it, else the catalog price). */
function addLive(live: SavingsAccumulator, call: Call, st: CallState): void {
  const o = call.outcome;
  const u = o.usage;
  const r: ServedRequest = { requestId: call.ex.requestId, route: call.route!.name, inputTokens: u?.inputTokens ?? 0, outputTokens: u?.outputTokens ?? 0, cachedTokens: u?.cacheReadTokens ?? 0, costUsd: o.costUsd ?? costOf(o.attempt?.deployment.price, u) ?? 0, status: o.status };
  if (call.caller.team !== undefined) r.team = call.caller.team;
  if (o.attempt) r.deployment = o.attempt.deployment.id;
  r.tier = o.tier ?? st.auto.tiers[st.index]!.name;
  if (!Number.isNaN(st.score)) r.score = st.score;
  if (o.escalationCostUsd !== undefined) r.cascadeUsd = o.escalationCostUsd;
  if (o.cache !== undefined) r.cache = o.cache.startsWith('hit') ? 'hit' : o.cache;
  live.add(r, call.ex.snapshot);
}

export function autoRouter(log: Logger, o: AutoRouterOptions = {}): Extension {
  let warned = false;
  let warnedEmbedderAt = Number.NEGATIVE_INFINITY;
  const clock = o.clock ?? Date.now;

  function vectorOf(call: Call, auto: AutoRouteSnapshot, input: FeatureInput, embedding: Float32Array | undefined): Float64Array {
    if (!usesEmbedder(auto.router)) return featurize(input);
    if (embedding === undefined) {
      // Slow or failing embedder: score on the structural features alone, never fail the caller.
      const now = clock();
      if (now - warnedEmbedderAt >= 60_000) {
        warnedEmbedderAt = now;
        log.warn({ route: call.route!.name }, 'auto router: the embedder failed or was too slow; scoring on structural features only (one warning a minute)');
      }
    }
    return featurizeEmbedded(input, embedding, auto.router.embedder!.dims);
  }

  function decide(call: Call, auto: AutoRouteSnapshot, input: FeatureInput | undefined, err: unknown, next: () => Promise<Answer>, embedding?: Float32Array): Promise<Answer> {
    let score = Number.NaN;
    let vector: Float64Array | undefined;
    if (input !== undefined) {
      try {
        vector = vectorOf(call, auto, input, embedding);
        score = scoreVector(auto.router, vector);
      } catch (e) {
        err = e;
      }
    }
    if (Number.isNaN(score)) {
      // A router that cannot score degrades to the strongest tier, never to an error for the caller.
      if (!warned) log.warn({ route: call.route!.name, err: String(err) }, 'auto router failed to score; using the strongest tier');
      warned = true;
    }
    const choice = Number.isNaN(score) ? { index: auto.tiers.length - 1, reason: 'router unavailable: strongest tier' } : chooseTier(auto, score);
    const tier = auto.tiers[choice.index];
    if (tier === undefined) return Promise.reject(new GatewayError('internal_error', 'auto route without tiers'));
    call.policy = tier.plan;
    // Cascade: a stream cannot be taken back once it started, so streams cascade only when the
    // route lets them be buffered (`cascade: { stream: buffer }`: answered whole, then replayed).
    if (auto.cascade && (auto.cascadeStreams || !(call.request as CanonicalRequest).stream) && choice.index < auto.tiers.length - 1) call.cascade = auto.tiers.slice(choice.index + 1);
    call.outcome.tier = tier.name;
    if (!Number.isNaN(score)) call.outcome.routerScore = Math.round(score * 1000) / 1000;
    call.headers.push('x-modelplane-tier', tier.name, 'x-modelplane-router-score', Number.isNaN(score) ? 'none' : score.toFixed(3), 'x-modelplane-route-reason', choice.reason);
    o.drift?.record(call.route!.name, auto, choice.index > 0);
    if (o.recorder) call[STATE] = { auto, index: choice.index, score, vector } satisfies CallState;
    return next();
  }

  return {
    name: 'auto-router',
    enabled: (s) => [...s.routes.values()].some((r) => r.auto !== undefined),
    stage: (call, next) => {
      const auto = call.route?.auto;
      if (auto === undefined || !isChatRequest(call.request)) return next();
      // A route an earlier stage replaced (on_budget_exhausted: the budget's cheaper targets) is
      // served as that stage planned it, not re-planned by tier.
      if (call.ex.snapshot.routes.get(call.route!.name) !== call.route) return next();
      let input: FeatureInput;
      try {
        input = featureInput(call.request, auto.text);
      } catch (e) {
        return decide(call, auto, undefined, e, next);
      }
      if (!usesEmbedder(auto.router)) return decide(call, auto, input, undefined, next);
      // The embedder featurizer: the request's one embedding, shared with the semantic cache.
      const v = sharedEmbedding(call, o.embedder ?? embedderFor(auto.router)!, input.text, o.embedTimeoutMs ?? EMBED_TIMEOUT_MS);
      if (v === undefined || v instanceof Float32Array) return decide(call, auto, input, undefined, next, v);
      return v.then((x) => decide(call, auto, input, undefined, next, x));
    },
    after: (call: Call) => {
      const st = call[STATE] as CallState | undefined;
      if (st === undefined) return;
      if (o.live) addLive(o.live, call, st);
      const recorder = o.recorder?.();
      if (recorder === undefined) return;
      const c = call.caller;
      const index = tierIndex(st.auto, call.outcome.tier, st.index);
      const d: RecentDecision = { requestId: call.ex.requestId, ts: clock(), route: call.route!.name, tier: st.auto.tiers[index]!.name, tierIndex: index, tiers: st.auto.tiers.length };
      if (!Number.isNaN(st.score)) d.score = Math.round(st.score * 1e4) / 1e4;
      if (c.keyId !== undefined) d.keyId = c.keyId;
      if (c.team !== undefined) d.team = c.team;
      if (index !== st.index) d.escalated = true;
      if (call.outcome.escalationCostUsd !== undefined) d.cascadeUsd = call.outcome.escalationCostUsd;
      if (st.vector !== undefined) {
        d.vector = st.vector;
        d.featurizer = st.auto.router.featurizer;
      }
      recorder.record(d);
    },
  };
}
