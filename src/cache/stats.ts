// The cache as a KPI: lookups by outcome, and the tokens and dollars hits saved, per route and
// tenant scope. Counters only (a few numbers per route × scope pair), updated on the hot path
// with no allocation after the first request of a pair.

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
  private readonly cells = new Map<string, { dims: Attribution; c: Counters }>();

  counters(a: Attribution): Counters {
    const k = `${a.route}\u0000${a.tenant}\u0000${a.key ?? ''}\u0000${a.team ?? ''}\u0000${a.customer ?? ''}\u0000${a.agent ?? ''}\u0000${a.workflow ?? ''}`;
    let cell = this.cells.get(k);
    if (cell === undefined) this.cells.set(k, (cell = { dims: { ...a }, c: zero() }));
    return cell.c;
  }

  static record(c: Counters, outcome: LookupOutcome): void {
    if (outcome === 'hit-exact') c.hitExact++;
    else if (outcome === 'hit-semantic') c.hitSemantic++;
    else if (outcome === 'miss') c.miss++;
    else if (outcome === 'bypass') c.bypass++;
    else c.verifierRejected++;
  }

  total(): StatsRow {
    const t = zero();
    for (const cell of this.cells.values()) add(t, cell.c);
    return row(t, {});
  }

  rows(groupBy: readonly Dimension[], filter: Partial<Record<Dimension, string>> = {}): StatsRow[] {
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
      add(g.c, cell.c);
    }
    return [...groups.values()].map((g) => row(g.c, g.dims)).sort((a, b) => b.lookups - a.lookups);
  }

  /** Forgets every counter (an operator starting a measurement afresh). */
  reset(): void {
    this.cells.clear();
  }
}
