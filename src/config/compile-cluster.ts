// cluster + storage.postgres -> ClusterSettings. Cluster mode needs both engines: Redis alone
// would share limits but lose records with the instance, Postgres alone would keep records but
// multiply every limit by the number of instances. Either half alone is a config error.

import type { Config } from './schema.js';
import type { ClusterSettings } from './snapshot.js';

export const CLUSTER_DEFAULTS = {
  keyPrefix: 'mp:',
  onRedisUnavailable: 'local' as const,
  admissionTimeoutMs: 50,
  leaseTtlMs: 30_000,
  pool: 10,
};

export function compileCluster(config: Config, problems: string[]): ClusterSettings | undefined {
  const c = config.cluster;
  const pg = config.storage?.postgres;
  if (c && !pg) {
    problems.push('cluster: cluster mode also needs storage.postgres { url } (durable records: ledger, keys, responses); without it every instance would keep its own records');
    return undefined;
  }
  if (pg && !c) {
    problems.push('storage.postgres: cluster mode also needs cluster.redis { url } (shared limits, budgets and revocations); without it each instance would enforce limits alone');
    return undefined;
  }
  if (!c || !pg) return undefined;
  return {
    redis: { url: c.redis.url, keyPrefix: c.redis.key_prefix ?? CLUSTER_DEFAULTS.keyPrefix },
    postgres: { url: pg.url, pool: pg.pool ?? CLUSTER_DEFAULTS.pool },
    onRedisUnavailable: c.on_redis_unavailable ?? CLUSTER_DEFAULTS.onRedisUnavailable,
    admissionTimeoutMs: c.admission_timeout_ms ?? CLUSTER_DEFAULTS.admissionTimeoutMs,
    leaseTtlMs: c.lease_ttl_ms ?? CLUSTER_DEFAULTS.leaseTtlMs,
  };
}
