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

export type GroupBy = 'route' | 'tenant' | 'route,tenant';

export interface StatsRow extends Counters {
  route?: string;
  tenant?: string;
  lookups: number;
  /** Hits over lookups that were not bypassed. */
  hitRate: number;
  exactHitRate: number;
  semanticHitRate: number;
}

function add(into: Counters, c: Counters): void {
  for (const k of Object.keys(into) as Array<keyof Counters>) into[k] += c[k];
}

function row(c: Counters, route?: string, tenant?: string): StatsRow {
  const looked = c.hitExact + c.hitSemantic + c.miss + c.verifierRejected;
  const rate = (n: number): number => (looked === 0 ? 0 : n / looked);
  return {
    ...(route !== undefined ? { route } : {}),
    ...(tenant !== undefined ? { tenant } : {}),
    ...c,
    usdSaved: Math.round(c.usdSaved * 1e8) / 1e8,
    lookups: looked + c.bypass,
    hitRate: rate(c.hitExact + c.hitSemantic),
    exactHitRate: rate(c.hitExact),
    semanticHitRate: rate(c.hitSemantic),
  };
}

export class CacheStats {
  private readonly pairs = new Map<string, { route: string; tenant: string; c: Counters }>();

  counters(route: string, tenant: string): Counters {
    const k = `${route}\u0000${tenant}`;
    let p = this.pairs.get(k);
    if (p === undefined) this.pairs.set(k, (p = { route, tenant, c: zero() }));
    return p.c;
  }

  record(route: string, tenant: string, outcome: LookupOutcome): void {
    const c = this.counters(route, tenant);
    if (outcome === 'hit-exact') c.hitExact++;
    else if (outcome === 'hit-semantic') c.hitSemantic++;
    else if (outcome === 'miss') c.miss++;
    else if (outcome === 'bypass') c.bypass++;
    else c.verifierRejected++;
  }

  saved(route: string, tenant: string, tokens: number, usd: number | undefined): void {
    const c = this.counters(route, tenant);
    c.tokensSaved += tokens;
    if (usd !== undefined) c.usdSaved += usd;
  }

  total(): StatsRow {
    const t = zero();
    for (const p of this.pairs.values()) add(t, p.c);
    return row(t);
  }

  rows(groupBy: GroupBy, filter: { route?: string; tenant?: string } = {}): StatsRow[] {
    const groups = new Map<string, { route?: string; tenant?: string; c: Counters }>();
    for (const p of this.pairs.values()) {
      if (filter.route !== undefined && p.route !== filter.route) continue;
      if (filter.tenant !== undefined && p.tenant !== filter.tenant) continue;
      const route = groupBy === 'tenant' ? undefined : p.route;
      const tenant = groupBy === 'route' ? undefined : p.tenant;
      const k = `${route ?? ''}\u0000${tenant ?? ''}`;
      let g = groups.get(k);
      if (g === undefined) groups.set(k, (g = { ...(route !== undefined ? { route } : {}), ...(tenant !== undefined ? { tenant } : {}), c: zero() }));
      add(g.c, p.c);
    }
    return [...groups.values()].map((g) => row(g.c, g.route, g.tenant)).sort((a, b) => b.lookups - a.lookups);
  }

  /** Forgets every counter (an operator starting a measurement afresh). */
  reset(): void {
    this.pairs.clear();
  }
}
