// The dashboard's data: the last hour of requests in memory, in fixed time buckets (a ring), fed
// by the metrics extension's after-hook. Adding a request is a few additions into the current
// bucket; reading (a dashboard poll, not the hot path) walks the buckets. Latencies go into
// log-spaced histograms so p50/p95 cost no sorting and no per-request allocation.

import type { Call } from '../gateway/call.js';
import { LabelGuard } from './label-guard.js';

/** Upper bounds (ms) of the latency histogram: 1 ms, then x1.25 up to ~25 minutes. */
const LATENCY_BOUNDS: number[] = (() => {
  const out: number[] = [];
  for (let b = 1; b < 1_500_000; b *= 1.25) out.push(Math.round(b * 100) / 100);
  return out;
})();

function bucketIndex(ms: number): number {
  // Binary search: the first bound >= ms.
  let lo = 0;
  let hi = LATENCY_BOUNDS.length - 1;
  if (ms > LATENCY_BOUNDS[hi]!) return hi;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (LATENCY_BOUNDS[mid]! >= ms) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The q-quantile of a histogram, as the upper bound of its bucket; undefined when empty. */
export function quantile(h: Uint32Array, q: number): number | undefined {
  let total = 0;
  for (let i = 0; i < h.length; i++) total += h[i]!;
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < h.length; i++) {
    seen += h[i]!;
    if (seen >= rank) return LATENCY_BOUNDS[i];
  }
  return LATENCY_BOUNDS[LATENCY_BOUNDS.length - 1];
}

interface Tally {
  requests: number;
  errors: number;
  costUsd: number;
}

interface Bucket {
  start: number;
  requests: number;
  errors: number;
  latency: Uint32Array;
  ttft: Uint32Array;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
  priced: number;
  cacheLookups: number;
  cacheHits: number;
  routes: Map<string, Tally>;
  deployments: Map<string, Tally>;
  spend: { team: Map<string, number>; agent: Map<string, number>; customer: Map<string, number> };
}

function emptyBucket(start: number): Bucket {
  return {
    start,
    requests: 0,
    errors: 0,
    latency: new Uint32Array(LATENCY_BOUNDS.length),
    ttft: new Uint32Array(LATENCY_BOUNDS.length),
    tokensIn: 0,
    tokensOut: 0,
    costUsd: 0,
    priced: 0,
    cacheLookups: 0,
    cacheHits: 0,
    routes: new Map(),
    deployments: new Map(),
    spend: { team: new Map(), agent: new Map(), customer: new Map() },
  };
}

function tally(m: Map<string, Tally>, key: string, error: boolean, cost: number): void {
  let t = m.get(key);
  if (t === undefined) m.set(key, (t = { requests: 0, errors: 0, costUsd: 0 }));
  t.requests++;
  if (error) t.errors++;
  t.costUsd += cost;
}

function addTo(m: Map<string, number>, key: string | undefined, v: number): void {
  if (key === undefined || key === '') return;
  m.set(key, (m.get(key) ?? 0) + v);
}

export interface WindowOptions {
  bucketMs?: number;
  buckets?: number;
  /** Distinct team/agent/customer values kept for the spend panel. */
  maxAttributionValues?: number;
  now?: () => number;
}

const isHit = (cache: string) => cache === 'hit' || cache.startsWith('hit');

export class RollingWindow {
  readonly bucketMs: number;
  private readonly ring: Array<Bucket | undefined>;
  private readonly now: () => number;
  private readonly guards: { team: LabelGuard; agent: LabelGuard; customer: LabelGuard };

  constructor(opts: WindowOptions = {}) {
    this.bucketMs = opts.bucketMs ?? 10_000;
    this.ring = new Array<Bucket | undefined>(opts.buckets ?? 360);
    this.now = opts.now ?? Date.now;
    const max = opts.maxAttributionValues ?? 1000;
    this.guards = { team: new LabelGuard(max), agent: new LabelGuard(max), customer: new LabelGuard(max) };
  }

  private current(now: number): Bucket {
    const start = now - (now % this.bucketMs);
    const i = Math.floor(start / this.bucketMs) % this.ring.length;
    let b = this.ring[i];
    if (b === undefined || b.start !== start) this.ring[i] = b = emptyBucket(start);
    return b;
  }

  /** `now`: the caller's clock reading at the request's end (default: the window's clock). */
  add(call: Call, now = this.now()): void {
    const b = this.current(now);
    const o = call.outcome;
    const error = o.status >= 400;
    b.requests++;
    if (error) b.errors++;
    b.latency[bucketIndex(now - call.ex.startedAt)]!++;
    if (o.ttftMs !== undefined) b.ttft[bucketIndex(o.ttftMs)]!++;
    if (o.usage) {
      b.tokensIn += o.usage.inputTokens;
      b.tokensOut += o.usage.outputTokens;
    }
    const cost = o.costUsd ?? 0;
    if (o.costUsd !== undefined) {
      b.priced++;
      b.costUsd += cost;
      const c = call.caller;
      addTo(b.spend.team, this.guards.team.admit(c.team), cost);
      addTo(b.spend.agent, this.guards.agent.admit(c.agent), cost);
      addTo(b.spend.customer, this.guards.customer.admit(c.customer), cost);
    }
    if (o.cache !== undefined) {
      b.cacheLookups++;
      if (isHit(o.cache)) b.cacheHits++;
    }
    if (call.route) tally(b.routes, call.route.name, error, cost);
    if (o.attempt) tally(b.deployments, o.attempt.deployment.id, error, cost);
  }

  /** The dashboard's JSON: a series per bucket over `rangeMs`, and totals and top lists over it. */
  view(rangeMs = 15 * 60_000) {
    const now = this.now();
    const end = now - (now % this.bucketMs);
    const count = Math.min(this.ring.length, Math.max(1, Math.ceil(rangeMs / this.bucketMs)));
    const latency = new Uint32Array(LATENCY_BOUNDS.length);
    const ttft = new Uint32Array(LATENCY_BOUNDS.length);
    const routes = new Map<string, Tally>();
    const deployments = new Map<string, Tally>();
    const spend = { team: new Map<string, number>(), agent: new Map<string, number>(), customer: new Map<string, number>() };
    const series: Array<{ t: number; requests: number; errors: number; p50_ms?: number; p95_ms?: number; ttft_p50_ms?: number; ttft_p95_ms?: number }> = [];
    const totals = { requests: 0, errors: 0, tokens_in: 0, tokens_out: 0, cost_usd: 0, priced: 0, cache_lookups: 0, cache_hits: 0 };
    for (let k = count - 1; k >= 0; k--) {
      const start = end - k * this.bucketMs;
      const b = this.ring[Math.floor(start / this.bucketMs) % this.ring.length];
      if (b === undefined || b.start !== start) {
        series.push({ t: start, requests: 0, errors: 0 });
        continue;
      }
      const p: (typeof series)[number] = { t: start, requests: b.requests, errors: b.errors };
      const p50 = quantile(b.latency, 0.5);
      if (p50 !== undefined) p.p50_ms = p50;
      const p95 = quantile(b.latency, 0.95);
      if (p95 !== undefined) p.p95_ms = p95;
      const t50 = quantile(b.ttft, 0.5);
      if (t50 !== undefined) p.ttft_p50_ms = t50;
      const t95 = quantile(b.ttft, 0.95);
      if (t95 !== undefined) p.ttft_p95_ms = t95;
      series.push(p);
      for (let i = 0; i < latency.length; i++) {
        latency[i]! += b.latency[i]!;
        ttft[i]! += b.ttft[i]!;
      }
      totals.requests += b.requests;
      totals.errors += b.errors;
      totals.tokens_in += b.tokensIn;
      totals.tokens_out += b.tokensOut;
      totals.cost_usd += b.costUsd;
      totals.priced += b.priced;
      totals.cache_lookups += b.cacheLookups;
      totals.cache_hits += b.cacheHits;
      for (const [id, t] of b.routes) merge(routes, id, t);
      for (const [id, t] of b.deployments) merge(deployments, id, t);
      for (const dim of ['team', 'agent', 'customer'] as const) for (const [id, v] of b.spend[dim]) addTo(spend[dim], id, v);
    }
    const top = (m: Map<string, Tally>) => [...m].sort((x, y) => y[1].requests - x[1].requests).slice(0, 10).map(([id, t]) => ({ id, requests: t.requests, errors: t.errors, cost_usd: t.costUsd }));
    const topSpend = (m: Map<string, number>) => [...m].sort((x, y) => y[1] - x[1]).slice(0, 10).map(([id, cost_usd]) => ({ id, cost_usd }));
    return {
      time: now,
      bucket_ms: this.bucketMs,
      range_ms: count * this.bucketMs,
      series,
      totals: {
        ...totals,
        error_rate: totals.requests ? totals.errors / totals.requests : 0,
        p50_ms: quantile(latency, 0.5) ?? null,
        p95_ms: quantile(latency, 0.95) ?? null,
        ttft_p50_ms: quantile(ttft, 0.5) ?? null,
        ttft_p95_ms: quantile(ttft, 0.95) ?? null,
      },
      top_routes: top(routes),
      top_deployments: top(deployments),
      // null until someone prices answers (the spend ledger) or a cache stage reports outcomes:
      // the dashboard then says so instead of showing a zero that looks like a measurement.
      spend: totals.priced === 0 ? null : { total_usd: totals.cost_usd, by_team: topSpend(spend.team), by_agent: topSpend(spend.agent), by_customer: topSpend(spend.customer) },
      cache: totals.cache_lookups === 0 ? null : { lookups: totals.cache_lookups, hits: totals.cache_hits, hit_rate: totals.cache_hits / totals.cache_lookups },
    };
  }
}

function merge(m: Map<string, Tally>, id: string, t: Tally): void {
  const x = m.get(id);
  if (x === undefined) m.set(id, { ...t });
  else {
    x.requests += t.requests;
    x.errors += t.errors;
    x.costUsd += t.costUsd;
  }
}

export type WindowView = ReturnType<RollingWindow['view']>;
