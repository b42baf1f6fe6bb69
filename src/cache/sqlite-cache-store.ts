// Cached answers that survive a restart: the memory store serves every read (the hot path never
// touches the disk); stores, evictions and purges are written behind to SQLite in batched
// transactions by a timer, after the responses have left. At start the unexpired rows are loaded
// back into memory, newest first, up to the memory bound (a one-off synchronous read before the
// gateway listens). Rows the memory store evicts are deleted too, so the file stays about as large
// as the memory bound.

import type Database from 'better-sqlite3';
import type { CachedAnswer } from './answer.js';
import type { Clock } from './lru.js';
import { MemoryCacheStore, type CacheStore, type CacheStoreStats, type PurgeFilter } from './store.js';
import { openSqlite } from '../store/open-sqlite.js';

export const CACHE_DB_FILE = 'cache.sqlite';

export interface SqliteCacheStoreOptions {
  path: string;
  maxBytes: number;
  maxEntryBytes?: number;
  clock?: Clock;
  flushIntervalMs?: number;
  /** Write failures cannot reach a client (it has its answer already): they are reported here. */
  onError?: (err: unknown, lost: number) => void;
}

interface Row {
  key: string;
  expires_at: number;
  body: string;
}

type Op = { put: CachedAnswer; expiresAt: number } | { del: true };

export class SqliteCacheStore implements CacheStore {
  private readonly memory: MemoryCacheStore;
  private readonly db: Database.Database;
  private readonly clock: Clock;
  private pending = new Map<string, Op>();
  private timer: NodeJS.Timeout | undefined;
  private readonly flushIntervalMs: number;
  private readonly onError: (err: unknown, lost: number) => void;
  private readonly write: (ops: Array<[string, Op]>) => void;
  private closed = false;

  constructor(o: SqliteCacheStoreOptions) {
    this.clock = o.clock ?? Date.now;
    this.memory = new MemoryCacheStore({ maxBytes: o.maxBytes, clock: this.clock, ...(o.maxEntryBytes !== undefined ? { maxEntryBytes: o.maxEntryBytes } : {}) });
    this.flushIntervalMs = o.flushIntervalMs ?? 500;
    this.onError = o.onError ?? (() => undefined);
    this.db = openSqlite(o.path);
    this.db.exec('CREATE TABLE IF NOT EXISTS cache_entries (key TEXT PRIMARY KEY, route TEXT NOT NULL, scope TEXT NOT NULL, stored_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, body TEXT NOT NULL)');
    const put = this.db.prepare<[string, string, string, number, number, string]>('INSERT OR REPLACE INTO cache_entries (key, route, scope, stored_at, expires_at, body) VALUES (?, ?, ?, ?, ?, ?)');
    const del = this.db.prepare<[string]>('DELETE FROM cache_entries WHERE key = ?');
    this.write = this.db.transaction((ops: Array<[string, Op]>) => {
      for (const [key, op] of ops) {
        if ('del' in op) del.run(key);
        else put.run(key, op.put.route, op.put.scope, op.put.storedAt, op.expiresAt, JSON.stringify(op.put));
      }
    });
    // Evictions, expiries, deletes and purges in memory are deletions on disk (a load that does
    // not fit in memory deletes the oldest rows the same way).
    this.memory.onRemoved((key) => this.queue(key, { del: true }));
    this.load();
  }

  private load(): void {
    const now = this.clock();
    this.db.prepare<[number]>('DELETE FROM cache_entries WHERE expires_at <= ?').run(now);
    // Oldest first, so that the newest end up the most recently used and the memory bound keeps them.
    const rows = this.db.prepare<[], Row>('SELECT key, expires_at, body FROM cache_entries ORDER BY stored_at ASC').all();
    for (const r of rows) void this.memory.set(r.key, JSON.parse(r.body) as CachedAnswer, r.expires_at - now);
  }

  /** The entries in memory (after load: what a restart brought back), for re-indexing. */
  entries(): IterableIterator<[string, CachedAnswer]> {
    return this.memory.entries();
  }

  get(key: string): Promise<CachedAnswer | undefined> {
    return this.memory.get(key);
  }

  async set(key: string, answer: CachedAnswer, ttlMs: number): Promise<boolean> {
    const kept = await this.memory.set(key, answer, ttlMs);
    if (kept) this.queue(key, { put: answer, expiresAt: this.clock() + ttlMs });
    return kept;
  }

  delete(key: string): Promise<void> {
    return this.memory.delete(key);
  }

  purge(filter: PurgeFilter): Promise<number> {
    return this.memory.purge(filter);
  }

  stats(): CacheStoreStats {
    return this.memory.stats();
  }

  onRemoved(listener: (key: string) => void): void {
    this.memory.onRemoved(listener);
  }

  sweep(): number {
    return this.memory.sweep();
  }

  private queue(key: string, op: Op): void {
    if (this.closed) return;
    this.pending.set(key, op);
    this.timer ??= setTimeout(() => this.flush(), this.flushIntervalMs).unref();
  }

  /** Writes the pending operations now; returns how many. */
  flush(): number {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0 || this.closed) return 0;
    const ops = [...this.pending];
    this.pending = new Map();
    try {
      this.write(ops);
      return ops.length;
    } catch (err) {
      this.onError(err, ops.length);
      return 0;
    }
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }
}
