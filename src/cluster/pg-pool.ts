// One pg.Pool per gateway process for the durable records. Idle clients that lose their server
// (Postgres restarted) emit 'error' on the pool; without a listener that would crash the process,
// and the spool and stores already treat a failed query as "Postgres is down, try later".
import pg from 'pg';
import type { ClusterSettings } from '../config/snapshot.js';

export type PgPool = pg.Pool;

export interface PoolLog {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export function createPgPool(settings: Pick<ClusterSettings, 'postgres'>, log?: PoolLog): PgPool {
  const pool = new pg.Pool({
    connectionString: settings.postgres.url,
    max: settings.postgres.pool,
    // Fail fast while Postgres is down: callers retry on their own schedule.
    connectionTimeoutMillis: 2_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', (err) => log?.warn({ err: err.message }, 'postgres: idle connection lost'));
  return pool;
}

/** Whether Postgres answers now (for /readyz). */
export async function pgReachable(pool: PgPool): Promise<boolean> {
  try {
    await pool.query('SELECT 1');
    return true;
  } catch {
    return false;
  }
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
