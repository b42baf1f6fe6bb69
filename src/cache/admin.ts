// The cache's admin API, as a handler the HTTP layer mounts behind admin auth:
//   GET    /admin/cache?group_by=<dims>[&<dim>=V ...][&since=1h]  KPI + memory
//          dims: a comma list of route, tenant (the cache scope), key, team, customer, agent,
//          workflow (default route,tenant); the same names filter; `since` (a duration back
//          from now or an ISO time, within the last 24 hours) limits the counters to that window
//   DELETE /admin/cache?route=R&key=K|team=T|customer=C|scope=S   purge
// For a purge, tenant selectors become the scope strings the cache stores under (scope.ts), so
// `team=red` purges what was shared within team red, not the answers of keys that belong to it.

import { GatewayError } from '../spec/errors.js';
import type { ResponseCache } from './response-cache.js';
import { parseSince } from '../governance/since.js';
import { bucketStart, DIMENSIONS, SINCE_LIMIT_MS, type Dimension } from './stats.js';
import type { PurgeFilter } from './store.js';

export interface AdminReply {
  status: number;
  body: unknown;
}


function scopeParam(q: URLSearchParams): string | undefined {
  const given = (['scope', 'key', 'team', 'customer'] as const).filter((n) => q.has(n));
  if (given.length > 1) throw new GatewayError('invalid_request', `give one of scope, key, team or customer, not ${given.join(' and ')}`, { param: given[1]! });
  const n = given[0];
  if (n === undefined) return undefined;
  const v = q.get(n)!;
  if (v === '') throw new GatewayError('invalid_request', `${n} must not be empty`, { param: n });
  return n === 'scope' ? v : `${n}:${v}`;
}

function checkParams(q: URLSearchParams, allowed: readonly string[]): void {
  for (const k of q.keys()) if (!allowed.includes(k)) throw new GatewayError('invalid_request', `unknown parameter "${k}" (expected ${allowed.join(', ')})`, { param: k });
}

/** Answers one admin request; throws GatewayError (rendered by the caller in its error shape) on bad input. */
/** `since` as ms since epoch, within the window the counters keep; undefined: totals since start. */
function sinceParam(q: URLSearchParams, now: number): number | undefined {
  const v = q.get('since');
  if (v === null) return undefined;
  let ms: number;
  try {
    ms = parseSince(v, now);
  } catch (e) {
    throw new GatewayError('invalid_request', `since: ${(e as Error).message}`, { param: 'since' });
  }
  if (ms < now - SINCE_LIMIT_MS) throw new GatewayError('invalid_request', `since reaches back at most 24h (the cache keeps five-minute counters for a day; the ledger has older hits, with cache_saved_usd): got "${v}"`, { param: 'since' });
  return ms;
}

export async function handleCacheAdmin(cache: ResponseCache, method: string, url: URL, now = Date.now()): Promise<AdminReply> {
  const q = url.searchParams;
  if (method === 'GET') {
    checkParams(q, ['group_by', 'since', ...DIMENSIONS]);
    const since = sinceParam(q, now);
    const groupBy = (q.get('group_by') ?? 'route,tenant').split(',').map((d) => d.trim()) as Dimension[];
    const unknown = groupBy.find((d) => !DIMENSIONS.includes(d));
    if (unknown !== undefined || groupBy.length === 0) throw new GatewayError('invalid_request', `group_by must be a comma list of ${DIMENSIONS.join(', ')}${unknown !== undefined ? ` (not "${unknown}")` : ''}`, { param: 'group_by' });
    const filter: Partial<Record<Dimension, string>> = {};
    for (const d of DIMENSIONS) {
      const v = q.get(d);
      if (v !== null) filter[d] = v;
    }
    return {
      status: 200,
      body: {
        object: 'cache.stats',
        store: cache.store.stats(),
        in_flight: { leaders: cache.flights.inFlight, waiting: cache.flights.waiting, shared: cache.flights.joined },
        semantic: { vectors: cache.index.size, partitions: cache.index.partitionCount, embedder: cache.embedder.name },
        // Counting starts at the five-minute bucket `since` falls in.
        ...(since !== undefined ? { since: new Date(bucketStart(since)).toISOString() } : {}),
        total: cache.stats.total(since),
        audit: cache.auditor?.report() ?? [],
        thresholds: cache.thresholds.calibrator.report().filter((t) => filter.route === undefined || t.route === filter.route),
        trends: cache.trends.report().filter((t) => filter.route === undefined || t.route === filter.route),
        group_by: groupBy,
        groups: cache.stats.rows(groupBy, filter, since),
      },
    };
  }
  if (method === 'DELETE') {
    checkParams(q, ['route', 'scope', 'key', 'team', 'customer']);
    const filter: PurgeFilter = {};
    const route = q.get('route');
    if (route !== null) filter.route = route;
    const scope = scopeParam(q);
    if (scope !== undefined) filter.scope = scope;
    const purged = await cache.purge(filter);
    return { status: 200, body: { object: 'cache.purge', purged, filter } };
  }
  throw new GatewayError('method_not_allowed', `${method} is not allowed on /admin/cache (GET or DELETE)`);
}
