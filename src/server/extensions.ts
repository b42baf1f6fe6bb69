// The extensions a gateway runs with when the caller of startGateway names none: one line per
// capability, each deciding from the snapshot whether it has work to do (`Extension.enabled`).
// Capabilities that need resources (a store under storage.data_dir, a logger) get them here.
import type { SnapshotHolder } from '../config/holder.js';
import type { Snapshot } from '../config/snapshot.js';
import type { Extension } from '../gateway/extension.js';
import { substitutionExtensions } from './substitution-extensions.js';
import type { Router } from '../gateway/router.js';
import type { Logger } from '../telemetry/log.js';
import { createTenancy } from '../governance/runtime.js';
import { clusterExtension } from '../cluster/extension.js';
import { registerClusterMetrics } from '../cluster/metrics.js';
import type { SharedStores } from '../cluster/stores.js';
import { hotStateExtension, redisAdmission } from '../cluster/redis/hot-state.js';
import { registerAdmissionMetrics } from '../cluster/redis/metrics.js';
import { RedisCacheStore } from '../cluster/redis/cache-store.js';
import type { HealthRegistry } from '../routing/health.js';
import { createAutoRouting } from '../routing/auto/install.js';
import { metricsExtension } from '../telemetry/metrics-extension.js';
import { tracingExtension } from '../telemetry/tracing-extension.js';
import { createGatewayCache } from '../cache/install.js';
import type { ShadowExtension } from '../shadow/extension.js';
import type { StateSources } from '../telemetry/state-metrics.js';

export interface ExtensionContext {
  snapshot: Snapshot;
  log: Logger;
  router: Router;
  /** The config file, when there is one (stores resolve `storage.data_dir` against its folder). */
  configFile?: string;
  env: NodeJS.ProcessEnv;
  /** Reload notifications (metrics count config versions and reload outcomes). */
  holder?: SnapshotHolder;
  /** Cluster mode: the shared stores (Postgres, Redis) instead of the embedded ones. */
  sharedStores?: SharedStores;
  /** The router's breakers (cluster mode shares them through Redis). */
  health?: HealthRegistry;
}

export function defaultExtensions(ctx: ExtensionContext): Extension[] {
  const out: Extension[] = [];
  // Virtual keys, budgets, rate limits, sensitivity policy, spend ledger, /admin/{keys,teams,...}.
  // First: who the caller is, what it may reach (call.exclude) and whether it may spend, before
  // any stage routes.
  const shared = ctx.sharedStores;
  const tenancy = createTenancy({ snapshot: ctx.snapshot, log: ctx.log, ...(ctx.configFile !== undefined ? { configFile: ctx.configFile } : {}), ...(shared ? { shared: { tenantStore: shared.tenantStore, ledgerStore: shared.ledgerStore, admissionStore: redisAdmission({ ...shared, log: ctx.log }) } } : {}) });
  out.push(tenancy.extension);
  // Cluster mode: tenant-change notices and shared breakers over Redis pub/sub.
  if (shared) out.push(hotStateExtension(shared, { directory: tenancy.governor.directory, tenantStore: shared.tenantStore, ...(ctx.health ? { health: ctx.health } : {}) }, ctx.log));
  // strategy: auto (docs/routing.md): the tier-picking stage, its decision log, /v1/feedback.
  const auto = createAutoRouting({ snapshot: ctx.snapshot, log: ctx.log, ...(ctx.configFile !== undefined ? { configFile: ctx.configFile } : {}) });
  out.push(auto.extension);
  out.push(tracingExtension({ snapshot: ctx.snapshot, log: ctx.log }));
  // Shadow mirrors cost money: their spend goes to the same ledger, marked as shadow.
  const substitution = substitutionExtensions(ctx, tenancy.governor.ledger ? { ledger: tenancy.governor.ledger } : {});
  const shadow = substitution.find((e): e is ShadowExtension => 'aggregates' in e);
  // Cluster mode: /readyz on Redis and Postgres, /admin/cluster, the instance heartbeat.
  if (shared) out.push(clusterExtension(shared, { ...(ctx.configFile !== undefined ? { configFile: ctx.configFile } : {}), fallbackHash: [...ctx.snapshot.routes.keys()].join(',') }));
  // The response cache (docs/caching.md) last, the innermost stage: every other stage (routing, and
  // the keys, budgets and policies that come) has had its say before a hit answers.
  // Cluster mode: exact entries in Redis, so a hit stored by one instance is served by every other.
  const cacheStore = shared ? new RedisCacheStore({ redis: shared.redis, prefix: shared.settings.redis.keyPrefix, maxEntryBytes: ctx.snapshot.cache.maxEntryBytes, maxBytes: ctx.snapshot.cache.maxBytes }) : undefined;
  const cache = createGatewayCache(ctx.snapshot, { configFile: ctx.configFile, warn: (msg, detail) => ctx.log.warn(detail, msg), ...(cacheStore ? { store: cacheStore } : {}) });
  // Metrics read the others' state at scrape time through these read-only views.
  const sources: StateSources = {
    budgets: () => tenancy.governor.budgetsView(),
    cacheSaved: () => cache.cache.stats.rows(['route']).map((r) => ({ route: r.route ?? '', tokensSaved: r.tokensSaved, usdSaved: r.usdSaved })),
    ...(shadow ? { shadow: () => shadow.aggregates.rows() } : {}),
  };
  const metrics = metricsExtension({ snapshot: ctx.snapshot, router: ctx.router, log: ctx.log, sources, ...(ctx.holder ? { holder: ctx.holder } : {}) });
  auto.registerMetrics(metrics.metrics.registry);
  out.push(metrics);
  if (shared) registerClusterMetrics(metrics.metrics.registry, shared);
  if (shared) registerAdmissionMetrics(metrics.metrics.registry, tenancy.governor.admissionStore);
  out.push(...substitution);
  out.push(cache.extension);
  return out;
}
