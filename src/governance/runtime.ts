// Tenancy assembled for a running gateway: the stores under storage.data_dir, the Governor, its
// Extension and the admin endpoints. server/app.ts calls createTenancy once and passes the
// pieces on; everything tenant-specific stays here.

import { join } from 'node:path';
import type { Snapshot } from '../config/snapshot.js';
import type { EndpointSpec } from '../gateway/endpoint.js';
import type { Extension } from '../gateway/extension.js';
import { resolveDataDir } from '../store/data-dir.js';
import { LEDGER_DB_FILE, SqliteLedgerStore } from '../store/sqlite-ledger-store.js';
import { SqliteTenantStore, TENANTS_DB_FILE } from '../store/sqlite-tenant-store.js';
import type { AlertSenderOptions } from './alerts.js';
import type { LedgerStore } from '../store/ledger-store.js';
import type { TenantStore } from '../store/tenant-store.js';
import { adminEndpoints } from './admin-endpoints.js';
import { tenancyExtension } from './extension.js';
import { Governor, type GovernorLog, type GovernorOptions } from './governor.js';

export interface Tenancy {
  governor: Governor;
  /** The lifecycle extension, with the admin endpoints and a close that flushes the ledger. */
  extension: Extension;
  endpoints: Map<string, EndpointSpec>;
  close(): Promise<void>;
}

export interface TenancyOptions {
  snapshot: Snapshot;
  configFile?: string;
  log: GovernorLog;
  now?: () => number;
  pollMs?: number;
  ledgerFlushMs?: number;
  alerts?: AlertSenderOptions;
  /**
   * Cluster mode (src/cluster/stores.ts): shared stores instead of SQLite under data_dir. The
   * ledger then writes each record to its local spool as it settles (no write-behind window for
   * a crash to lose); the spool ships to Postgres in batches.
   */
  shared?: { tenantStore: TenantStore; ledgerStore: LedgerStore; admissionStore?: GovernorOptions['admissionStore'] };
}

/** Whether a snapshot declares anything tenancy enforces (without a store, nothing else can appear). */
export function declaresTenants(s: Snapshot): boolean {
  const t = s.tenants;
  return t.keys.length > 0 || t.teams.size > 0 || t.customers.size > 0 || t.agents.size > 0 || t.policy.tiers.length > 0 || t.globalBudget !== undefined;
}

/**
 * With a data directory (a config file, or storage.data_dir) the extension always runs: keys can
 * be created at run time and every request goes to the ledger. Without one (embedded use, tests)
 * it runs only when the config declares tenants, so a bare gateway pays nothing for it.
 */
export function createTenancy(opts: TenancyOptions): Tenancy {
  const dir = resolveDataDir(opts.snapshot.storage, opts.configFile);
  const tenantStore = opts.shared?.tenantStore ?? (dir === undefined ? undefined : new SqliteTenantStore(dir === ':memory:' ? ':memory:' : join(dir, TENANTS_DB_FILE)));
  const ledgerStore = opts.shared?.ledgerStore ?? (dir === undefined ? undefined : new SqliteLedgerStore(dir === ':memory:' ? ':memory:' : join(dir, LEDGER_DB_FILE)));
  const ledgerFlushMs = opts.ledgerFlushMs ?? (opts.shared ? 0 : undefined);
  const governor = new Governor({
    settings: opts.snapshot.tenants,
    ...(tenantStore ? { tenantStore } : {}),
    ...(ledgerStore ? { ledgerStore } : {}),
    log: opts.log,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
    ...(ledgerFlushMs !== undefined ? { ledgerFlushMs } : {}),
    ...(opts.alerts ? { alerts: opts.alerts } : {}),
    ...(opts.shared?.admissionStore ? { admissionStore: opts.shared.admissionStore } : {}),
  });
  // The embedded store answers synchronously, so the first load completes before the server
  // accepts its first connection; a failure is logged and the config's tenants keep serving.
  governor.start().catch((err: unknown) => opts.log.error({ err: String(err) }, 'tenant store: first load failed'));
  const always = tenantStore !== undefined;
  const endpoints = adminEndpoints(governor);
  const close = async () => {
    await governor.close();
    // Shared stores are closed by their owner (src/cluster/stores.ts), after this flush.
    if (!opts.shared) {
      ledgerStore?.close();
      await tenantStore?.close();
    }
  };
  const extension: Extension = { ...tenancyExtension(governor, { enabled: (s) => always || declaresTenants(s) }), endpoints, close };
  return { governor, extension, endpoints, close };
}
