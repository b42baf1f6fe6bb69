// The cache as a KPI: lookups by outcome, and the tokens and dollars hits saved, per route and
// tenant scope. Counters only (a few numbers per attribution), updated on the hot path with no
// allocation except when a five-minute bucket starts. Each cell keeps its totals since start and
// the buckets of the last 24 hours, so `GET /admin/cache?since=1h` can answer from memory (older
// ranges: the ledger, which records every hit with what it saved).

import type { Clock } from './lru.js';

export type LookupOutcome = 'hit-exact' | 'hit-semantic' | 'miss' | 'bypass' | 'verifier-rejected';

export interface Counters {
  hitExact: number;
  hitSemantic: number;
  miss: number;
  bypass: number;
  verifierRejected: number;
  /** Followers of single-flight served by a leader's answer (counted in hitExact too). */
  sharedInFlight: number;
  /** Embedder failures that degraded a semantic lookup to exact-only. */
  embedderErrors: number;
  stored: number;
  tokensSaved: number;
  usdSaved: number;
}

const zero = (): Counters => ({ hitExact: 0, hitSemantic: 0, miss: 0, bypass: 0, verifierRejected: 0, sharedInFlight: 0, embedderErrors: 0, stored: 0, tokensSaved: 0, usdSaved: 0 });

/** What a lookup is attributed to: the route, the cache scope it used, and who asked. */
export const DIMENSIONS = ['route', 'tenant', 'key', 'team', 'customer', 'agent', 'workflow'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export type Attribution = { route: string; tenant: string } & Partial<Record<Exclude<Dimension, 'route' | 'tenant'>, string | undefined>>;

const BUCKET_MS = 5 * 60_000;
/** Buckets kept per cell: 24 hours. */
const KEPT = 24 * 12;
/** How far back `since` can reach (buckets older than this are dropped). */
export const SINCE_LIMIT_MS = KEPT * BUCKET_MS;

/** One attribution's counters: totals since start and the last day in five-minute buckets. */
export class Cell {
  readonly total: Counters = zero();
  private readonly buckets = new Map<number, Counters>();
  private lastBucket = -1;
  private last: Counters = zero();

  constructor(
    readonly dims: Attribution,
    private readonly clock: Clock,
  ) {}

  add(field: keyof Counters, n = 1): void {
    this.total[field] += n;
    const b = Math.floor(this.clock() / BUCKET_MS);
    if (b !== this.lastBucket) this.roll(b);
    this.last[field] += n;
  }

  private roll(b: number): void {
    let c = this.buckets.get(b);
    if (c === undefined) {
      this.buckets.set(b, (c = zero()));
      for (const k of this.buckets.keys()) if (k <= b - KEPT) this.buckets.delete(k);
    }
    this.lastBucket = b;
    this.last = c;
  }

  /** Counters since `sinceMs` (from the start of the bucket it falls in), or the totals without it. */
  since(sinceMs: number | undefined): Counters {
    if (sinceMs === undefined) return this.total;
    const from = Math.floor(sinceMs / BUCKET_MS);
    const out = zero();
    for (const [b, c] of this.buckets) if (b >= from) add(out, c);
    return out;
  }
}

/** The start of the bucket `sinceMs` falls in: what a `since` query really counts from. */
export function bucketStart(sinceMs: number): number {
  return Math.floor(sinceMs / BUCKET_MS) * BUCKET_MS;
}

export type StatsRow = Partial<Record<Dimension, string>> &
  Counters & {
    lookups: number;
    /** Hits over lookups that were not bypassed. */
    hitRate: number;
    exactHitRate: number;
    semanticHitRate: number;
  };

function add(into: Counters, c: Counters): void {
  for (const k of Object.keys(into) as Array<keyof Counters>) into[k] += c[k];
}

function row(c: Counters, dims: Partial<Record<Dimension, string>>): StatsRow {
  const looked = c.hitExact + c.hitSemantic + c.miss + c.verifierRejected;
  const rate = (n: number): number => (looked === 0 ? 0 : n / looked);
  return {
    ...dims,
    ...c,
    usdSaved: Math.round(c.usdSaved * 1e8) / 1e8,
    lookups: looked + c.bypass,
    hitRate: rate(c.hitExact + c.hitSemantic),
    exactHitRate: rate(c.hitExact),
    semanticHitRate: rate(c.hitSemantic),
  };
}

/**
 * Counters per attribution (route × scope × key × team × customer × agent × workflow), grouped
 * on demand by any subset of those. One map lookup per request; the attribution's cardinality is
 * bounded by the keys, routes and agents a gateway has.
 */
export class CacheStats {
  private readonly cells = new Map<string, Cell>();

  constructor(private readonly clock: Clock = Date.now) {}

  counters(a: Attribution): Cell {
    const k = `${a.route}\u0000${a.tenant}\u0000${a.key ?? ''}\u0000${a.team ?? ''}\u0000${a.customer ?? ''}\u0000${a.agent ?? ''}\u0000${a.workflow ?? ''}`;
    let cell = this.cells.get(k);
    if (cell === undefined) this.cells.set(k, (cell = new Cell({ ...a }, this.clock)));
    return cell;
  }

  static record(c: Cell, outcome: LookupOutcome): void {
    c.add(outcome === 'hit-exact' ? 'hitExact' : outcome === 'hit-semantic' ? 'hitSemantic' : outcome === 'miss' ? 'miss' : outcome === 'bypass' ? 'bypass' : 'verifierRejected');
  }

  total(sinceMs?: number): StatsRow {
    const t = zero();
    for (const cell of this.cells.values()) add(t, cell.since(sinceMs));
    return row(t, {});
  }

  rows(groupBy: readonly Dimension[], filter: Partial<Record<Dimension, string>> = {}, sinceMs?: number): StatsRow[] {
    const groups = new Map<string, { dims: Partial<Record<Dimension, string>>; c: Counters }>();
    next: for (const cell of this.cells.values()) {
      for (const [d, v] of Object.entries(filter) as Array<[Dimension, string]>) if (cell.dims[d] !== v) continue next;
      const dims: Partial<Record<Dimension, string>> = {};
      for (const d of groupBy) {
        const v = cell.dims[d];
        if (v !== undefined) dims[d] = v;
      }
      const k = groupBy.map((d) => dims[d] ?? '').join('\u0000');
      let g = groups.get(k);
      if (g === undefined) groups.set(k, (g = { dims, c: zero() }));
      add(g.c, cell.since(sinceMs));
    }
    return [...groups.values()]
      .map((g) => row(g.c, g.dims))
      .filter((r) => sinceMs === undefined || r.lookups > 0 || r.stored > 0)
      .sort((a, b) => b.lookups - a.lookups);
  }

  /** Forgets every counter (an operator starting a measurement afresh). */
  reset(): void {
    this.cells.clear();
  }
}
