// Metrics of decisions other capabilities make on a request, read from the finished call in the
// after-hook: the auto router's tier choice and cascade escalations (`outcome.tier`,
// `outcome.escalations`), rate-limit refusals by scope (the tenancy's RateLimitError says which
// limit refused), and the similarity of semantic cache hits (the cache's response header). Each
// is a field check for a request that has none of them.

import type { Registry } from 'prom-client';
import type { Call } from '../gateway/call.js';
import { FastCounter, FastHistogram, type Cell, type HistogramCell } from './fast-series.js';

/** Similarity buckets: semantic thresholds live between 0.8 and 0.99. */
export const SIMILARITY_BUCKETS = [0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.88, 0.9, 0.92, 0.94, 0.96, 0.98, 0.99, 1];

/** What the tenancy's RateLimitError carries (duck-typed: telemetry does not import governance). */
interface Refusal {
  refusal?: { scope: string; which: string };
}

/** `key:abc` -> `key`; `global` -> `global`: the scope's kind, a bounded label. */
function scopeKind(id: string): string {
  const i = id.indexOf(':');
  return i === -1 ? id : id.slice(0, i);
}

/** A two-level cache of cells: route name, then one more bounded value. */
class ByRoute<C> {
  private readonly m = new Map<string, Map<string, C>>();
  constructor(private readonly make: (route: string, v: string) => C) {}
  get(route: string, v: string): C {
    let inner = this.m.get(route);
    if (inner === undefined) this.m.set(route, (inner = new Map()));
    let c = inner.get(v);
    if (c === undefined) inner.set(v, (c = this.make(route, v)));
    return c;
  }
}

export class DecisionMetrics {
  private readonly tiers: ByRoute<Cell>;
  private readonly escalations: ByRoute<Cell>;
  private readonly refusals: ByRoute<Cell>;
  private readonly similarity: ByRoute<HistogramCell>;
  private readonly similarityHist: FastHistogram;

  constructor(registry: Registry) {
    const tiers = new FastCounter('modelplane_router_decisions_total', 'Auto routing: requests by the tier the router chose.', ['route', 'tier'], registry);
    const escalations = new FastCounter('modelplane_router_escalations_total', 'Auto routing: cascade escalations, by the tier left and the check that failed.', ['route', 'from_tier', 'check'], registry);
    const refusals = new FastCounter('modelplane_rate_limit_refusals_total', 'Requests refused by a rate limit, by the scope that refused (key, team, customer, agent) and the limit (requests, tokens, concurrency).', ['route', 'scope', 'limit'], registry);
    this.similarityHist = new FastHistogram('modelplane_cache_similarity', 'Similarity of semantic cache hits to the question they answered.', ['route'], SIMILARITY_BUCKETS, registry);
    this.tiers = new ByRoute((r, t) => tiers.cell(r, t));
    this.escalations = new ByRoute((r, e) => {
      const i = e.indexOf(':');
      return escalations.cell(r, i === -1 ? e : e.slice(0, i), i === -1 ? '' : e.slice(i + 1, i + 33));
    });
    this.refusals = new ByRoute((r, k) => {
      const i = k.indexOf('\u001f');
      return refusals.cell(r, k.slice(0, i), k.slice(i + 1));
    });
    this.similarity = new ByRoute((r) => this.similarityHist.cell(r));
  }

  record(call: Call, route: string): void {
    const o = call.outcome;
    if (o.tier !== undefined) this.tiers.get(route, o.tier).value++;
    if (o.escalations !== undefined) for (const e of o.escalations) this.escalations.get(route, e).value++;
    const refusal = o.error?.code === 'rate_limit_exceeded' ? (o.error as Refusal).refusal : undefined;
    if (refusal !== undefined) this.refusals.get(route, `${scopeKind(refusal.scope)}\u001f${refusal.which}`).value++;
    if (o.cache === 'hit-semantic') {
      const h = call.headers;
      for (let i = 0; i < h.length - 1; i += 2) {
        if (h[i] !== 'x-modelplane-cache-similarity') continue;
        const v = Number(h[i + 1]);
        if (Number.isFinite(v)) this.similarityHist.observe(this.similarity.get(route, ''), v);
        break;
      }
    }
  }

  /** The dashboard's similarity distribution: semantic hits per bucket, every route together. */
  similarityDistribution(): { buckets: readonly number[]; counts: number[]; hits: number } {
    const counts = this.similarityHist.merged();
    return { buckets: SIMILARITY_BUCKETS, counts, hits: counts.reduce((a, b) => a + b, 0) };
  }
}
