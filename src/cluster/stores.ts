// The one place that picks embedded or shared stores. Embedded mode (no `cluster:`) returns
// undefined and every caller keeps its SQLite/in-memory default; cluster mode opens the Postgres
// pool (refusing a schema older than this build needs), the Postgres stores, the ledger spool
// under the data directory, and one Redis connection for the instance registry and readiness.
// Nothing above the store interfaces knows which set runs.
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ClusterSettings, Snapshot } from '../config/snapshot.js';
import { resolveDataDir, DEFAULT_DATA_DIR_NAME } from '../store/data-dir.js';
import { LEDGER_DB_FILE, SqliteLedgerStore } from '../store/sqlite-ledger-store.js';
import { PostgresResponsesStore } from '../store/postgres-responses-store.js';
import { PostgresTenantStore } from '../store/postgres-tenant-store.js';
import { SpooledLedgerStore, SPOOL_DB_FILE } from '../store/postgres-ledger-spool.js';
import { createRedis, ready, type ScriptedRedis } from './redis/client.js';

const REDIS_START_WAIT_MS = 3_000;
import { checkSchema, SchemaTooOldError } from './migrations.js';
import { createPgPool, pgReachable, redact, type PgPool } from './pg-pool.js';

export interface StoresLog {
  warn(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface SharedStores {
  settings: ClusterSettings;
  /** Unique per process: `<host>-<pid>-<random>`. */
  instanceId: string;
  pool: PgPool;
  redis: ScriptedRedis;
  responsesStore: PostgresResponsesStore;
  tenantStore: PostgresTenantStore;
  ledgerStore: SpooledLedgerStore;
  /** Redis and Postgres answer, and the spool is under its bound. */
  readiness(): Promise<{ ready: boolean; redis: boolean; postgres: boolean; spool: number; spoolFull: boolean }>;
  close(): Promise<void>;
}

export interface OpenStoresOptions {
  configFile?: string;
  log: StoresLog;
  instanceId?: string;
}

export async function openSharedStores(snapshot: Snapshot, opts: OpenStoresOptions): Promise<SharedStores | undefined> {
  const settings = snapshot.cluster;
  if (!settings) return undefined;
  const instanceId = opts.instanceId ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const pool = createPgPool(settings, opts.log);
  try {
    await checkSchema(pool, opts.configFile);
  } catch (e) {
    await pool.end().catch(() => {});
    if (e instanceof SchemaTooOldError) throw e;
    // The schema check is the first query: a refused connection or bad credentials surface here.
    throw new Error(`cluster mode: cannot use Postgres at ${redact(settings.postgres.url)} (storage.postgres.url): ${(e as Error).message}`);
  }
  // The spool is per instance: each needs its own data directory (a volume in Kubernetes).
  // (resolveDataDir gives a worker of `serve --workers` its own `worker-<slot>` directory.)
  const dir = resolveDataDir(snapshot.storage, opts.configFile) ?? join(process.cwd(), DEFAULT_DATA_DIR_NAME);
  const file = (name: string) => (dir === ':memory:' ? ':memory:' : join(dir, name));
  const ledgerStore = new SpooledLedgerStore({ local: new SqliteLedgerStore(file(LEDGER_DB_FILE)), spoolPath: file(SPOOL_DB_FILE), pool, instance: instanceId, log: opts.log });
  const responsesStore = new PostgresResponsesStore({ pool, onError: (err, lost) => (lost > 0 ? opts.log.error({ err: String(err), lost }, 'responses store: backlog full, responses lost') : opts.log.warn({ err: String(err) }, 'responses store: Postgres write failed, retrying')) });
  const tenantStore = new PostgresTenantStore(pool, { log: opts.log });
  const redis = createRedis(settings.redis.url, { name: `modelplane:${instanceId}` });
  // Start with a live connection when Redis is up (the heartbeat goes out before the port opens);
  // when it is down, start anyway: admission answers by cluster.on_redis_unavailable until it is back.
  const connected = await Promise.race([ready(redis).then(() => true, () => false), new Promise<boolean>((r) => setTimeout(() => r(false), REDIS_START_WAIT_MS).unref())]);
  if (!connected) opts.log.warn({ redis: settings.redis.url.replace(/\/\/[^@]*@/, '//***@') }, 'redis: not reachable at start; serving by cluster.on_redis_unavailable until it is');
  let closed = false;
  return {
    settings,
    instanceId,
    pool,
    redis,
    responsesStore,
    tenantStore,
    ledgerStore,
    async readiness() {
      const [pg, rd] = await Promise.all([pgReachable(pool), redisReachable(redis)]);
      const spool = ledgerStore.depth();
      const spoolFull = ledgerStore.full();
      return { ready: rd && !spoolFull, redis: rd, postgres: pg, spool, spoolFull };
    },
    async close() {
      if (closed) return;
      closed = true;
      await responsesStore.close().catch((err: unknown) => opts.log.warn({ err: String(err) }, 'responses store: pending writes not shipped at close'));
      await ledgerStore.closeAfterDrain();
      await tenantStore.close();
      redis.disconnect();
      await pool.end().catch(() => {});
    },
  };
}

async function redisReachable(redis: ScriptedRedis): Promise<boolean> {
  if (redis.status !== 'ready') return false;
  try {
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  }
}
