// Trends of the cache KPI per route: the hit rate of the last hour against the trailing baseline
// (the 23 hours before it), flagged when it moves beyond a band ("when the hit rate drops,
// something has changed in the workload; when it rises sharply, you may be over-caching"), and
// the lookup's own latency percentiles. Five-minute buckets in a ring, an injected clock, a few
// hundred numbers per route.

import type { Clock } from './lru.js';

const BUCKET_MS = 5 * 60_000;
const BUCKETS = 24 * 12;
const RECENT = 12;
const LATENCY_SAMPLES = 1024;

interface RouteTrend {
  /** Bucket start times and counts, indexed by bucket number modulo BUCKETS. */
  starts: Float64Array;
  lookups: Uint32Array;
  hits: Uint32Array;
  /** The last LATENCY_SAMPLES lookup durations, in microseconds. */
  latency: Float64Array;
  latencyCount: number;
}

export interface TrendReport {
  route: string;
  lastHour: { lookups: number; hitRate: number };
  baseline: { lookups: number; hitRate: number };
  /** `drop` / `rise` when the last hour moved beyond the band with enough lookups on both sides. */
  flag?: 'drop' | 'rise';
  lookupMicros: { samples: number; p50: number; p99: number };
}

export interface TrendOptions {
  clock?: Clock;
  /** Absolute hit-rate move that is flagged (default 0.15). */
  band?: number;
  /** Lookups both windows need before anything is flagged (default 50). */
  minLookups?: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export class CacheTrends {
  private readonly routes = new Map<string, RouteTrend>();
  private readonly clock: Clock;
  readonly band: number;
  readonly minLookups: number;

  constructor(o: TrendOptions = {}) {
    this.clock = o.clock ?? Date.now;
    this.band = o.band ?? 0.15;
    this.minLookups = o.minLookups ?? 50;
  }

  private trend(route: string): RouteTrend {
    let t = this.routes.get(route);
    if (t === undefined) {
      t = { starts: new Float64Array(BUCKETS).fill(-1), lookups: new Uint32Array(BUCKETS), hits: new Uint32Array(BUCKETS), latency: new Float64Array(LATENCY_SAMPLES), latencyCount: 0 };
      this.routes.set(route, t);
    }
    return t;
  }

  /** One lookup that was not bypassed; `micros` is its own cost (not a single-flight wait). */
  record(route: string, hit: boolean, micros: number | undefined): void {
    const t = this.trend(route);
    const now = this.clock();
    const n = Math.floor(now / BUCKET_MS);
    const i = n % BUCKETS;
    if (t.starts[i] !== n * BUCKET_MS) {
      t.starts[i] = n * BUCKET_MS;
      t.lookups[i] = 0;
      t.hits[i] = 0;
    }
    t.lookups[i]!++;
    if (hit) t.hits[i]!++;
    if (micros !== undefined) t.latency[t.latencyCount++ % LATENCY_SAMPLES] = micros;
  }

  report(): TrendReport[] {
    const now = this.clock();
    const current = Math.floor(now / BUCKET_MS);
    const out: TrendReport[] = [];
    for (const [route, t] of this.routes) {
      let rl = 0;
      let rh = 0;
      let bl = 0;
      let bh = 0;
      for (let i = 0; i < BUCKETS; i++) {
        const start = t.starts[i]!;
        if (start < 0) continue;
        const age = current - Math.floor(start / BUCKET_MS);
        if (age < 0 || age >= BUCKETS) continue;
        if (age < RECENT) {
          rl += t.lookups[i]!;
          rh += t.hits[i]!;
        } else {
          bl += t.lookups[i]!;
          bh += t.hits[i]!;
        }
      }
      const lastHour = { lookups: rl, hitRate: rl === 0 ? 0 : rh / rl };
      const baseline = { lookups: bl, hitRate: bl === 0 ? 0 : bh / bl };
      const r: TrendReport = { route, lastHour, baseline, lookupMicros: this.latency(t) };
      if (rl >= this.minLookups && bl >= this.minLookups) {
        const d = lastHour.hitRate - baseline.hitRate;
        if (d <= -this.band) r.flag = 'drop';
        else if (d >= this.band) r.flag = 'rise';
      }
      out.push(r);
    }
    return out;
  }

  private latency(t: RouteTrend): TrendReport['lookupMicros'] {
    const n = Math.min(t.latencyCount, LATENCY_SAMPLES);
    const s = t.latency.slice(0, n).sort();
    return { samples: n, p50: Math.round(percentile(s, 50) * 10) / 10, p99: Math.round(percentile(s, 99) * 10) / 10 };
  }
}
