// Cache settings -> snapshot: defaults applied, and the few cross checks the schema cannot do
// (an embeddings route named as embedder must exist and be one).

import type { Config, RouteCacheConfig } from './schema.js';
import type { CacheSettings, RouteCachePolicy, RouteSnapshot } from './snapshot.js';

export const CACHE_DEFAULTS = {
  ttlMs: 3_600_000,
  /** Chosen on the labelled set (docs/caching.md): with the verifier behind it. */
  threshold: 0.75,
  maxTemperature: 1,
  maxBytes: 256 * 1024 * 1024,
};

export function compileRouteCache(c: RouteCacheConfig | undefined, problems: string[] = [], route = '?'): RouteCachePolicy | undefined {
  if (!c || (c.mode ?? 'exact') === 'off') return undefined;
  const auto = c.threshold === 'auto';
  if (c.max_error !== undefined && !auto) problems.push(`routes.${route}.cache.max_error: only with threshold: auto`);
  const policy: RouteCachePolicy = {
    mode: c.mode === 'semantic' ? 'semantic' : 'exact',
    ttlMs: c.ttl ?? CACHE_DEFAULTS.ttlMs,
    threshold: typeof c.threshold === 'number' ? c.threshold : CACHE_DEFAULTS.threshold,
    scope: c.scope ?? 'key',
    embed: c.embed ?? 'last_user',
    maxTemperature: c.max_temperature ?? CACHE_DEFAULTS.maxTemperature,
    allowN: c.allow_n ?? false,
    allowLogprobs: c.allow_logprobs ?? false,
    // Calibration needs to see served hits: auto audits 5% of them unless the route says otherwise.
    audit: c.audit ?? (auto ? 0.05 : 0),
  };
  if (auto) policy.maxError = c.max_error ?? 0.01;
  return policy;
}

export function compileCacheSettings(config: Config, routes: ReadonlyMap<string, RouteSnapshot>, problems: string[]): CacheSettings {
  const c = config.cache;
  const embedder = c?.embedder ?? 'local';
  if (embedder !== 'local') {
    const r = routes.get(embedder);
    if (!r) problems.push(`cache.embedder: "${embedder}" is neither \`local\` nor a route`);
    else if (r.kind !== 'embeddings') problems.push(`cache.embedder: route "${embedder}" is a chat route, not an embeddings route`);
  }
  const maxBytes = c?.max_bytes ?? CACHE_DEFAULTS.maxBytes;
  const maxEntryBytes = c?.max_entry_bytes ?? Math.floor(maxBytes / 8);
  if (maxEntryBytes > maxBytes) problems.push('cache.max_entry_bytes: larger than cache.max_bytes');
  return { embedder, maxBytes, maxEntryBytes, persist: c?.persist ?? false, driftBand: c?.drift_band ?? 0.15 };
}
