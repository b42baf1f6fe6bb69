// SQLite responses store (better-sqlite3, WAL). The request path sees only the in-memory LRU:
// put() lands there and in a pending batch that a timer (or a full batch) writes in one
// transaction, after the response has been sent; get() reads SQLite only on a memory miss.
//
// better-sqlite3 is synchronous, so a flush holds the event loop for the length of one batched
// transaction (well under a millisecond per hundred rows on WAL with synchronous=NORMAL). That is
// the price of not shipping a worker thread; batching keeps it rare and off any request's path.
import type Database from 'better-sqlite3';
import { Lru } from './lru.js';
import type { ResponsesStore, RetentionPolicy, StoredResponse } from './responses-store.js';
import { openSqlite } from './open-sqlite.js';

export interface SqliteResponsesStoreOptions {
  /** Database file, or `:memory:`. Its directory is created when missing. */
  path: string;
  /** Entries kept in memory in front of SQLite. */
  cacheEntries?: number;
  /** How long a write may wait to be batched. */
  flushIntervalMs?: number;
  /** A batch this large is written at once (on the next turn of the event loop). */
  batchSize?: number;
  /** Write failures cannot reach a client (it has its answer already): they are reported here. */
  onError?: (err: unknown, lost: number) => void;
  /**
   * `write-behind` (default): put() returns at once and the record reaches SQLite within
   * `flushIntervalMs`; a crash (SIGKILL, OOM kill, power loss) loses what was acknowledged in
   * that window. `strict`: put() commits the record (synchronous=FULL) before it returns, so
   * before the response that created it completes; each response then waits for one commit.
   */
  durability?: ResponsesDurability;
}

export type ResponsesDurability = 'write-behind' | 'strict';

interface Row {
  body: string;
}

export class SqliteResponsesStore implements ResponsesStore {
  private readonly db: Database.Database;
  private readonly lru: Lru<string, StoredResponse>;
  /** Written behind: also consulted by get(), since the LRU may have evicted them already. */
  private pending = new Map<string, StoredResponse>();
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly flushIntervalMs: number;
  private readonly batchSize: number;
  private readonly onError: (err: unknown, lost: number) => void;
  private readonly insertBatch: (rows: StoredResponse[]) => void;
  private readonly select: Database.Statement<[string], Row>;
  private readonly strict: boolean;
  private readonly remove: Database.Statement<[string]>;
  private readonly removeOlder: Database.Statement<[number]>;
  private readonly removeBeyond: Database.Statement<[number]>;
  private closed = false;
  /** Callers of flushed() waiting for the pending batch to be written. */
  private flushWaiters: Array<() => void> = [];

  constructor(opts: SqliteResponsesStoreOptions) {
    this.strict = opts.durability === 'strict';
    this.db = openSqlite(opts.path, { durability: this.strict ? 'strict' : 'normal' });
    this.db.exec('CREATE TABLE IF NOT EXISTS responses (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, body TEXT NOT NULL)');
    // Retention deletes by age and keeps the newest N: both walk created_at.
    this.db.exec('CREATE INDEX IF NOT EXISTS responses_created_at ON responses (created_at)');
    this.lru = new Lru(opts.cacheEntries ?? 1_000);
    this.flushIntervalMs = opts.flushIntervalMs ?? 200;
    this.batchSize = opts.batchSize ?? 256;
    this.onError = opts.onError ?? (() => {});
    const insert = this.db.prepare<[string, number, string]>('INSERT OR REPLACE INTO responses (id, created_at, body) VALUES (?, ?, ?)');
    this.insertBatch = this.db.transaction((rows: StoredResponse[]) => {
      for (const r of rows) insert.run(r.id, r.createdAt, JSON.stringify(r));
    });
    this.select = this.db.prepare<[string], Row>('SELECT body FROM responses WHERE id = ?');
    this.remove = this.db.prepare<[string]>('DELETE FROM responses WHERE id = ?');
    this.removeOlder = this.db.prepare<[number]>('DELETE FROM responses WHERE created_at < ?');
    this.removeBeyond = this.db.prepare<[number]>(
      'DELETE FROM responses WHERE id IN (SELECT id FROM responses ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?)',
    );
  }

  get(id: string): Promise<StoredResponse | undefined> {
    const hot = this.lru.get(id) ?? this.pending.get(id);
    if (hot !== undefined || this.closed) return Promise.resolve(hot);
    try {
      const row = this.select.get(id);
      if (row === undefined) return Promise.resolve(undefined);
      const r = JSON.parse(row.body) as StoredResponse;
      this.lru.set(id, r);
      return Promise.resolve(r);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  put(r: StoredResponse): void {
    if (this.closed) return;
    this.lru.set(r.id, r);
    if (this.strict) {
      try {
        this.insertBatch([r]);
      } catch (err) {
        this.onError(err, 1);
      }
      return;
    }
    this.pending.set(r.id, r);
    if (this.pending.size >= this.batchSize) {
      this.immediate ??= setImmediate(() => this.flush());
    } else {
      this.timer ??= setTimeout(() => this.flush(), this.flushIntervalMs).unref();
    }
  }

  flushed(): Promise<void> {
    if (this.pending.size === 0 || this.closed) return Promise.resolve();
    // The timer is unref'd so an idle gateway can exit; someone waiting on it now needs it to run.
    this.timer?.ref();
    return new Promise((resolve) => this.flushWaiters.push(resolve));
  }

  /**
   * Not on the chat path (DELETE /v1/responses/{id} only): the row is deleted synchronously,
   * together with any copy still waiting to be written.
   */
  delete(id: string): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    const hot = this.lru.delete(id);
    const waiting = this.pending.delete(id);
    try {
      const removed = this.remove.run(id).changes > 0;
      return Promise.resolve(hot || waiting || removed);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Flushes pending writes first, so the policy sees every response; then one DELETE per rule. */
  prune(policy: RetentionPolicy, nowMs = Date.now()): number {
    if (this.closed) return 0;
    this.flush();
    let removed = 0;
    if (policy.maxAgeMs !== undefined) removed += this.removeOlder.run((nowMs - policy.maxAgeMs) / 1000).changes;
    if (policy.maxEntries !== undefined) removed += this.removeBeyond.run(policy.maxEntries).changes;
    // The LRU may still hold what was just removed from disk: drop those too.
    if (removed > 0) {
      for (const [id] of [...this.lru.entries()]) if (this.select.get(id) === undefined) this.lru.delete(id);
    }
    return removed;
  }

  /** Writes the pending batch now; returns how many rows were written. */
  flush(): number {
    if (this.timer !== undefined) clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    const waiters = this.flushWaiters;
    this.flushWaiters = [];
    try {
      if (this.pending.size === 0) return 0;
      const batch = [...this.pending.values()];
      this.pending = new Map();
      try {
        this.insertBatch(batch);
        return batch.length;
      } catch (err) {
        this.onError(err, batch.length);
        return 0;
      }
    } finally {
      for (const w of waiters) w();
    }
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.lru.clear();
    this.db.close();
  }
}
