// TenantStore on Postgres (cluster mode): every instance reads and writes the same keys, teams,
// customers and agents. The change counter (mp_meta.tenant_changes) moves in the same
// transaction as the change and its audit entry, so an instance polling it never sees a change
// without its record; the Redis pub/sub notice (src/cluster/redis/) only makes it look sooner.
// Writes throw PostgresUnavailableError while Postgres is down: the admin API answers 503.
import type { PgPool } from '../cluster/pg-pool.js';
import { isConnectionError, PostgresUnavailableError } from './postgres-errors.js';
import type { AuditEntry, AuditRecord, StoredTenant, TenantKind, TenantStore } from './tenant-store.js';

interface TenantRow {
  kind: TenantKind;
  id: string;
  body: Record<string, unknown>;
  updated_at: string;
}

interface AuditRow {
  seq: string;
  at: string;
  actor: string;
  action: AuditEntry['action'];
  kind: TenantKind;
  target: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

export class PostgresTenantStore implements TenantStore {
  private readonly now: () => number;
  /** Called after a committed change (clr's pub/sub notice hooks in here). */
  onCommitted: ((kind: TenantKind, id: string) => void) | undefined;

  private lastCounter: number | undefined;
  private down = false;
  private readonly log: { warn(o: Record<string, unknown>, m: string): void; info(o: Record<string, unknown>, m: string): void } | undefined;

  constructor(
    private readonly pool: PgPool,
    opts: { now?: () => number; log?: { warn(o: Record<string, unknown>, m: string): void; info(o: Record<string, unknown>, m: string): void } } = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.log = opts.log;
  }

  /**
   * Polled every 250 ms by each instance. While Postgres is down it answers the last value it read
   * (nothing can have changed: writes need Postgres too) and says so once per outage, instead of
   * failing every poll; the instance keeps serving the tenants it has.
   */
  async changeCounter(): Promise<number> {
    try {
      const r = await this.query<{ v: string }>("SELECT v FROM mp_meta WHERE k = 'tenant_changes'");
      if (this.down) this.log?.info({}, 'tenant store: Postgres reachable again');
      this.down = false;
      this.lastCounter = Number(r.rows[0]?.v ?? 0);
      return this.lastCounter;
    } catch (err) {
      if (!(err instanceof PostgresUnavailableError) || this.lastCounter === undefined) throw err;
      if (!this.down) this.log?.warn({ err: err.message }, 'tenant store: Postgres unavailable; serving the last known keys and teams, admin writes answer 503');
      this.down = true;
      return this.lastCounter;
    }
  }

  async list(kind?: TenantKind): Promise<StoredTenant[]> {
    const r = kind === undefined
      ? await this.query<TenantRow>('SELECT * FROM mp_tenants ORDER BY kind, id')
      : await this.query<TenantRow>('SELECT * FROM mp_tenants WHERE kind = $1 ORDER BY id', [kind]);
    return r.rows.map(toTenant);
  }

  async get(kind: TenantKind, id: string): Promise<StoredTenant | undefined> {
    const r = await this.query<TenantRow>('SELECT * FROM mp_tenants WHERE kind = $1 AND id = $2', [kind, id]);
    return r.rows[0] && toTenant(r.rows[0]);
  }

  async put(kind: TenantKind, id: string, body: Record<string, unknown>, audit: AuditEntry): Promise<void> {
    const at = this.now();
    await this.transaction(async (q) => {
      await q(
        'INSERT INTO mp_tenants (kind, id, body, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (kind, id) DO UPDATE SET body = EXCLUDED.body, updated_at = EXCLUDED.updated_at',
        [kind, id, JSON.stringify(body), at],
      );
      await this.record(q, audit, at);
    });
    this.onCommitted?.(kind, id);
  }

  async remove(kind: TenantKind, id: string, audit: AuditEntry): Promise<boolean> {
    const at = this.now();
    const removed = await this.transaction(async (q) => {
      const r = await q('DELETE FROM mp_tenants WHERE kind = $1 AND id = $2', [kind, id]);
      if ((r.rowCount ?? 0) > 0) await this.record(q, audit, at);
      return (r.rowCount ?? 0) > 0;
    });
    if (removed) this.onCommitted?.(kind, id);
    return removed;
  }

  async audit(opts: { limit?: number; sinceMs?: number; target?: string } = {}): Promise<AuditRecord[]> {
    const r = await this.query<AuditRow>('SELECT * FROM mp_audit WHERE at >= $1 AND ($2::text IS NULL OR target = $2) ORDER BY seq DESC LIMIT $3', [
      opts.sinceMs ?? 0,
      opts.target ?? null,
      opts.limit ?? 100,
    ]);
    return r.rows.map((row) => {
      const rec: AuditRecord = { seq: Number(row.seq), at: Number(row.at), actor: row.actor, action: row.action, kind: row.kind, target: row.target };
      if (row.before !== null) rec.before = row.before;
      if (row.after !== null) rec.after = row.after;
      return rec;
    });
  }

  private async query<R extends object>(sql: string, params?: unknown[]): Promise<{ rows: R[] }> {
    try {
      return await this.pool.query<R & import('pg').QueryResultRow>(sql, params);
    } catch (err) {
      throw isConnectionError(err) ? new PostgresUnavailableError(err) : err;
    }
  }

  /** The pool belongs to the caller (src/cluster/stores.ts). */
  close(): Promise<void> {
    return Promise.resolve();
  }

  private async record(q: Query, a: AuditEntry, at: number): Promise<void> {
    await q('INSERT INTO mp_audit (at, actor, action, kind, target, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
      at,
      a.actor,
      a.action,
      a.kind,
      a.target,
      a.before ? JSON.stringify(a.before) : null,
      a.after ? JSON.stringify(a.after) : null,
    ]);
    await q("UPDATE mp_meta SET v = v + 1 WHERE k = 'tenant_changes'");
  }

  private async transaction<T>(fn: (q: Query) => Promise<T>): Promise<T> {
    let client;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new PostgresUnavailableError(err);
    }
    try {
      await client.query('BEGIN');
      const out = await fn((sql, params) => client.query(sql, params));
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw isConnectionError(err) ? new PostgresUnavailableError(err) : err;
    } finally {
      client.release();
    }
  }
}

type Query = (sql: string, params?: unknown[]) => Promise<{ rowCount: number | null }>;

function toTenant(r: TenantRow): StoredTenant {
  return { kind: r.kind, id: r.id, body: r.body, updatedAt: Number(r.updated_at) };
}
