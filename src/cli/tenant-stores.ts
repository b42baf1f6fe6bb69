// Opens the stores a running gateway uses, from the same config file, for the tenant commands.
import { join, resolve } from 'node:path';
import { userInfo } from 'node:os';
import { loadSnapshotFromFile } from '../config/load.js';
import type { Snapshot } from '../config/snapshot.js';
import { resolveDataDir } from '../store/data-dir.js';
import { LEDGER_DB_FILE, SqliteLedgerStore } from '../store/sqlite-ledger-store.js';
import { SqliteTenantStore, TENANTS_DB_FILE } from '../store/sqlite-tenant-store.js';
import { TenantAdmin } from '../governance/tenant-admin.js';
import { hashKey } from '../governance/keys.js';
import { UsageError } from './output.js';

const CLI_PLACEHOLDER = `mp-${'x'.repeat(32)}`;

export interface TenantCliContext {
  snapshot: Snapshot;
  dataDir: string;
  tenants: SqliteTenantStore;
  admin: TenantAdmin;
  ledger(): SqliteLedgerStore;
  actor: string;
  /** The hash a config key has when its variable was unset in this shell. */
  placeholderHash: string;
  close(): Promise<void>;
}

export function openTenantContext(configFile: string | undefined): TenantCliContext {
  if (!configFile) throw new UsageError('--config FILE is required (the file `modelplane serve` uses; it says where the store is)');
  const file = resolve(configFile);
  // The CLI needs the config's teams, policy and storage, not its secrets: an operator's shell
  // rarely has every provider key the gateway's environment has. A missing variable reads as a
  // placeholder (shaped like a virtual key, so `key: ${...}` entries compile); nothing here
  // authenticates or calls a provider with it.
  const env = new Proxy(process.env, { get: (t, k) => (typeof k === 'string' ? t[k] ?? CLI_PLACEHOLDER : undefined) });
  const snapshot = loadSnapshotFromFile(file, { env });
  const dataDir = resolveDataDir(snapshot.storage, file);
  if (dataDir === undefined || dataDir === ':memory:') throw new UsageError('storage.data_dir is ":memory:": there is no store for the CLI to share with the gateway');
  const tenants = new SqliteTenantStore(join(dataDir, TENANTS_DB_FILE));
  let ledger: SqliteLedgerStore | undefined;
  const t = snapshot.tenants;
  const admin = new TenantAdmin(tenants, () => ({ configTeams: t.teams, configKeyIds: new Set(t.keys.map((k) => k.id)), policy: t.policy }));
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (containers): keep 'unknown'
  }
  return {
    snapshot,
    dataDir,
    tenants,
    admin,
    actor: `cli:${user}`,
    placeholderHash: hashKey(CLI_PLACEHOLDER),
    ledger: () => (ledger ??= new SqliteLedgerStore(join(dataDir, LEDGER_DB_FILE))),
    close: async () => {
      await tenants.close();
      ledger?.close();
    },
  };
}
