// The ledger in cluster mode: every record is first written to a local durable spool (SQLite,
// WAL) and then shipped to Postgres in batches. The idempotency key of a record is its spool
// entry id (`<spool id>:<seq>`, stable across restarts because it lives in the spool file): a
// crash between the Postgres commit and the spool delete ships the batch again and
// `ON CONFLICT DO NOTHING` drops the copies. It is not the request id alone, because a client's
// x-request-id may legitimately repeat (a client retry is a second upstream call and a second
// cost); the request id is stored beside it.
//
// Postgres down: append() still only touches the local disk, the spool grows and the shipper
// retries with back-off. The spool is bounded by `maxSpool`: past it the instance reports itself
// not ready (/readyz), so a load balancer drains it, and warns; records are never dropped.
//
// Reads (spend, totals) answer from the embedded ledger this instance also keeps: the interface
// is synchronous. Cluster-wide spend comes from Postgres (`clusterSpend` in postgres-ledger.ts).
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { PgPool } from '../cluster/pg-pool.js';
import type { LedgerRecord, LedgerStore, SpendQuery, SpendRow, SpendScope, SpendTotals } from './ledger-store.js';
import { shipLedgerBatch, type ShippedRecord } from './postgres-ledger.js';
import { openSqlite } from './open-sqlite.js';

export const SPOOL_DB_FILE = 'ledger-spool.sqlite';
/** Marks a spooled record as unsettled (a field no LedgerRecord has). */
const UNSETTLED = '__unsettled';

export interface SpoolLog {
  warn(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
}

export interface SpooledLedgerOptions {
  /** Where reads are answered (this instance's embedded ledger). */
  local: LedgerStore;
  spoolPath: string;
  pool: PgPool;
  /** This instance's id, stored with each shipped record. */
  instance: string;
  batchSize?: number;
  /** How often the shipper looks at the spool while it is empty or shipping works. */
  intervalMs?: number;
  /** Longest back-off between attempts while Postgres is down. */
  maxRetryMs?: number;
  maxSpool?: number;
  log?: SpoolLog;
}

interface SpoolRow {
  seq: number;
  body: string;
}

export class SpooledLedgerStore implements LedgerStore {
  private readonly db: Database.Database;
  private readonly local: LedgerStore;
  private readonly spoolId: string;
  private readonly insert: (records: readonly LedgerRecord[]) => void;
  private readonly insertUnsettled: (records: readonly LedgerRecord[]) => void;
  private readonly selectBatch: Database.Statement<[number], SpoolRow>;
  private readonly deleteShipped: Database.Statement<[number]>;
  private readonly opts: Required<Omit<SpooledLedgerOptions, 'log'>> & { log?: SpoolLog };
  private timer: NodeJS.Timeout | undefined;
  private shipping: Promise<number> | undefined;
  private failures = 0;
  private closed = false;
  private warnedFull = false;
  /** Rows in the spool, kept in memory: counted once at open, then moved by append and ship (no COUNT per request). */
  private spooled: number;
  private localPending: LedgerRecord[] = [];
  private localTimer: NodeJS.Timeout | undefined;
  /** Records shipped since start, and the time of the last successful ship (for /admin/cluster). */
  shipped = 0;
  lastShipAt: number | undefined;
  lastError: string | undefined;

  constructor(opts: SpooledLedgerOptions) {
    this.opts = { batchSize: 500, intervalMs: 100, maxRetryMs: 2_000, maxSpool: 1_000_000, ...opts };
    this.local = opts.local;
    this.db = openSqlite(opts.spoolPath);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS spool (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
    `);
    this.db.prepare('INSERT OR IGNORE INTO meta (k, v) VALUES (?, ?)').run('spool_id', randomBytes(8).toString('hex'));
    this.spoolId = (this.db.prepare("SELECT v FROM meta WHERE k = 'spool_id'").get() as { v: string }).v;
    const ins = this.db.prepare<[string]>('INSERT INTO spool (body) VALUES (?)');
    this.insert = this.db.transaction((records: readonly LedgerRecord[]) => {
      for (const r of records) ins.run(JSON.stringify(r));
    });
    this.insertUnsettled = this.db.transaction((records: readonly LedgerRecord[]) => {
      for (const r of records) ins.run(JSON.stringify({ ...r, [UNSETTLED]: true }));
    });
    this.spooled = (this.db.prepare('SELECT count(*) AS n FROM spool').get() as { n: number }).n;
    this.selectBatch = this.db.prepare<[number], SpoolRow>('SELECT seq, body FROM spool ORDER BY seq LIMIT ?');
    this.deleteShipped = this.db.prepare<[number]>('DELETE FROM spool WHERE seq <= ?');
    // What a previous run left (a crash, or Postgres down at shutdown) ships first.
    this.schedule(0);
  }

  append(records: readonly LedgerRecord[]): void {
    if (records.length === 0) return;
    this.insert(records);
    this.spooled += records.length;
    this.copyLocally(records);
    if (!this.warnedFull && this.spooled > this.opts.maxSpool) {
      this.warnedFull = true;
      this.opts.log?.warn({ spool: this.depth(), max: this.opts.maxSpool }, 'ledger spool is full: Postgres has not taken records for a while; this instance reports not ready until it drains');
    }
  }

  /**
   * Requests whose instance died after admission and before settlement (their lease expired in
   * Redis): recorded with their estimate as the cost and `settlement = unsettled_estimated`,
   * never silently forgiven. Spooled and shipped like any other record.
   */
  appendUnsettled(records: readonly LedgerRecord[]): void {
    if (records.length === 0) return;
    this.insertUnsettled(records);
    this.spooled += records.length;
    this.copyLocally(records);
  }

  /**
   * The embedded ledger answers this instance's synchronous reads; Postgres holds the record that
   * counts. So only the spool is written as each request settles, and the local copy is written
   * behind every 100 ms (one commit per request instead of two; a SIGKILL can cost the local copy
   * its last window, never the spool or Postgres).
   */
  private copyLocally(records: readonly LedgerRecord[]): void {
    for (const r of records) this.localPending.push(r);
    this.localTimer ??= setTimeout(() => this.flushLocal(), 100).unref();
  }

  private flushLocal(): void {
    if (this.localTimer) clearTimeout(this.localTimer);
    this.localTimer = undefined;
    if (this.localPending.length === 0) return;
    const batch = this.localPending;
    this.localPending = [];
    this.local.append(batch);
  }

  /** Records waiting to be shipped. */
  depth(): number {
    return this.spooled;
  }

  /** Past the bound: /readyz says not ready so the load balancer sends traffic elsewhere. */
  full(): boolean {
    return this.spooled > this.opts.maxSpool;
  }

  /** Ships until the spool is empty or an attempt fails; resolves with how many were shipped. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const before = this.failures;
      const n = await this.shipOnce();
      total += n;
      if (n === 0 || this.failures > before) return total;
    }
  }

  spend(q: SpendQuery): SpendRow[] {
    this.flushLocal();
    return this.local.spend(q);
  }
  spentSince(scope: SpendScope, sinceMs: number): number {
    this.flushLocal();
    return this.local.spentSince(scope, sinceMs);
  }
  totalsSince(sinceMs: number): SpendTotals {
    this.flushLocal();
    return this.local.totalsSince(sinceMs);
  }
  records(opts: { sinceMs?: number; limit?: number }): Iterable<LedgerRecord> {
    this.flushLocal();
    return this.local.records(opts);
  }
  count(): number {
    this.flushLocal();
    return this.local.count();
  }
  prune(beforeMs: number): number {
    this.flushLocal();
    return this.local.prune(beforeMs);
  }

  /** Stops the timer and closes the files. What is still spooled ships on the next start. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.flushLocal();
    this.local.close();
    this.db.close();
  }

  /** Ships what is spooled, then closes (a clean shutdown with Postgres up leaves nothing behind). */
  async closeAfterDrain(): Promise<void> {
    if (this.closed) return;
    if (this.shipping) await this.shipping.catch(() => 0);
    await this.drain().catch(() => 0);
    this.close();
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.tick();
    }, delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const n = await this.shipOnce();
    if (this.closed) return;
    if (this.failures > 0) this.schedule(Math.min(this.opts.maxRetryMs, 100 * 2 ** Math.min(this.failures, 5)));
    else this.schedule(n >= this.opts.batchSize ? 0 : this.opts.intervalMs);
  }

  private shipOnce(): Promise<number> {
    if (this.shipping) return this.shipping;
    if (this.closed) return Promise.resolve(0);
    const rows = this.selectBatch.all(this.opts.batchSize);
    if (rows.length === 0) return Promise.resolve(0);
    const batch: ShippedRecord[] = rows.map((r) => {
      const { [UNSETTLED]: unsettled, ...record } = JSON.parse(r.body) as LedgerRecord & { [UNSETTLED]?: true };
      // The admission store's expired leases arrive through append() marked by their error code.
      const estimated = unsettled === true || record.errorCode === 'unsettled_estimated';
      return { entryId: `${this.spoolId}:${r.seq}`, record, ...(estimated ? { settlement: 'unsettled_estimated' as const } : {}) };
    });
    const last = rows[rows.length - 1]!.seq;
    this.shipping = (async () => {
      try {
        await shipLedgerBatch(this.opts.pool, batch, this.opts.instance);
      } catch (err) {
        this.failures++;
        this.lastError = (err as Error).message;
        if (this.failures === 1) this.opts.log?.warn({ err: this.lastError, spool: this.depth() }, 'ledger: Postgres unavailable, records stay in the local spool and ship on recovery');
        return 0;
      } finally {
        this.shipping = undefined;
      }
      // Committed in Postgres: now forget them locally. A crash right here ships them again; the
      // entry ids make that a no-op.
      if (!this.closed) this.spooled -= this.deleteShipped.run(last).changes;
      if (this.failures > 0) this.opts.log?.info({ after_failures: this.failures }, 'ledger: Postgres reachable again, draining the spool');
      this.failures = 0;
      this.warnedFull = false;
      this.shipped += rows.length;
      this.lastShipAt = Date.now();
      return rows.length;
    })();
    return this.shipping;
  }
}
