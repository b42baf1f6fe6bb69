// Cluster mode's Redis hot state, assembled from the shared stores (src/cluster/stores.ts): the
// admission store factory the Governor takes (seeded from the Postgres ledger on a cold Redis,
// handing leases that expired unsettled to the ledger), and the pub/sub followers (tenant
// changes, breakers).

import type { AdmissionStore } from '../../governance/admission-store.js';
import type { BudgetBook } from '../../governance/budgets.js';
import type { RateLimiter } from '../../governance/rate-limit.js';
import type { LedgerRecord, SpendScope } from '../../store/ledger-store.js';
import { clusterSpentSince } from '../../store/postgres-ledger.js';
import type { PgPool } from '../pg-pool.js';
import type { Unsettled } from './admission-reply.js';
import { RedisAdmissionStore } from './admission-store.js';
import type { ScriptedRedis } from './client.js';
import { LocalSharePolicy } from './local-policy.js';
import { shareBreakers } from './breakers.js';
import { RedisNotices } from './notices.js';
import type { Extension } from '../../gateway/extension.js';
import type { HealthRegistry } from '../../routing/health.js';
import type { TenantKind } from '../../store/tenant-store.js';

export interface HotStateDeps {
  redis: ScriptedRedis;
  settings: { redis: { keyPrefix: string }; onRedisUnavailable: 'local' | 'refuse'; admissionTimeoutMs: number; leaseTtlMs: number };
  pool: PgPool;
  /** The spooled ledger: unsettled leases ship as settlement = unsettled_estimated. */
  ledgerStore: { appendUnsettled(records: readonly LedgerRecord[]): void };
  log: { warn(obj: Record<string, unknown>, msg: string): void };
}

/** A budget id (`key:…`, `team:…`, `global`) as the ledger's spend scope. */
function scopeOf(budgetId: string): SpendScope {
  if (budgetId === 'global') return { column: 'global' };
  const i = budgetId.indexOf(':');
  return { column: budgetId.slice(0, i) as 'key' | 'team' | 'customer' | 'agent', value: budgetId.slice(i + 1) };
}

/** The Governor's `admissionStore` option for cluster mode. */
export function redisAdmission(deps: HotStateDeps): (book: BudgetBook, limits: RateLimiter) => AdmissionStore {
  return (book) => {
    let lastWarn = 0;
    let store: RedisAdmissionStore | undefined;
    const fallback = new LocalSharePolicy(Date.now, () => store?.liveInstances ?? 1);
    store = new RedisAdmissionStore({
      redis: deps.redis,
      prefix: deps.settings.redis.keyPrefix,
      book,
      timeoutMs: deps.settings.admissionTimeoutMs,
      onUnavailable: deps.settings.onRedisUnavailable,
      fallback,
      leaseTtlMs: deps.settings.leaseTtlMs,
      onFallback: (reason) => {
        const now = Date.now();
        if (now - lastWarn < 10_000) return;
        lastWarn = now;
        deps.log.warn({ reason, policy: deps.settings.onRedisUnavailable, counts: store?.fallbacks }, 'redis: admission answered by cluster.on_redis_unavailable');
      },
      spentSoFar: (id, since) => clusterSpentSince(deps.pool, scopeOf(id), since),
      onUnsettled: (u) => deps.ledgerStore.appendUnsettled([unsettledRecord(u)]),
    });
    return store;
  };
}

/** A lease whose instance died: one ledger row, charged the reservation, marked as estimated. */
export function unsettledRecord(u: Unsettled): LedgerRecord {
  let meta: { rid?: string; keyId?: string; team?: string; customer?: string; agent?: string; workflow?: string } = {};
  try {
    meta = JSON.parse(u.meta || '{}') as typeof meta;
  } catch {
    // an old or foreign lease: recorded without attribution rather than dropped
  }
  const r: LedgerRecord = {
    ts: Date.now(),
    requestId: meta.rid ?? u.id,
    inputTokens: 0,
    outputTokens: 0,
    cachedTokens: 0,
    reasoningTokens: 0,
    costUsd: u.amt,
    status: 0,
    errorCode: 'unsettled_estimated',
    attempts: 0,
    latencyMs: 0,
  };
  if (meta.keyId !== undefined) r.keyId = meta.keyId;
  if (meta.team !== undefined) r.team = meta.team;
  if (meta.customer !== undefined) r.customer = meta.customer;
  if (meta.agent !== undefined) r.agent = meta.agent;
  if (meta.workflow !== undefined) r.workflow = meta.workflow;
  return r;
}

export interface HotStateFollowers {
  /** The tenancy's directory: refreshed on a tenant-change notice. */
  directory: { refresh(): Promise<boolean> };
  tenantStore: { onCommitted: ((kind: TenantKind, id: string) => void) | undefined };
  health?: HealthRegistry;
}

/**
 * The pub/sub half: tenant changes committed here are announced, tenant changes announced
 * elsewhere refresh this instance's directory at once (the store's poll stays the floor), and
 * breakers are shared. Returned as an Extension whose close() drops the subscriber connection.
 */
export function hotStateExtension(shared: { redis: ScriptedRedis; settings: { redis: { url: string; keyPrefix: string } }; instanceId: string }, f: HotStateFollowers, log: HotStateDeps['log']): Extension {
  const prefix = shared.settings.redis.keyPrefix;
  const notices = new RedisNotices(shared.settings.redis.url, prefix, `modelplane:${shared.instanceId}:notices`);
  const refresh = () => void f.directory.refresh().catch((err: unknown) => log.warn({ err: String(err) }, 'tenant notice: refresh failed; the poll will catch up'));
  notices.on(TENANTS_CHANNEL, refresh, refresh);
  const previous = f.tenantStore.onCommitted;
  f.tenantStore.onCommitted = (kind, id) => {
    previous?.(kind, id);
    shared.redis.publish(notices.channel(TENANTS_CHANNEL), `${kind}:${id}`).catch(() => {});
    // This instance needs no notice: it refreshes now.
    refresh();
  };
  const breakers = f.health ? shareBreakers(f.health, shared.redis, notices, { prefix, instance: shared.instanceId }) : undefined;
  return {
    name: 'cluster-redis',
    close: async () => {
      breakers?.close();
      notices.close();
    },
  };
}

const TENANTS_CHANNEL = 'tenants';
