// Promotion state, kept so a promotion resumes at its step after a gateway restart. Saves are
// written behind (next turn of the event loop), so a decision never waits on the disk.
import type Database from 'better-sqlite3';
import type { PromotionState } from './state.js';
import { openSqlite } from '../store/open-sqlite.js';

export interface PromotionStore {
  load(): PromotionState[];
  save(s: PromotionState): void;
  close(): Promise<void>;
}

export class MemoryPromotionStore implements PromotionStore {
  private readonly states = new Map<string, PromotionState>();
  load(): PromotionState[] {
    return [...this.states.values()].map((s) => structuredClone(s));
  }
  save(s: PromotionState): void {
    this.states.set(s.route, structuredClone(s));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export class SqlitePromotionStore implements PromotionStore {
  private readonly db: Database.Database;
  private pending = new Map<string, string>();
  private immediate: NodeJS.Immediate | undefined;
  private closed = false;
  private readonly upsert: (rows: Array<[string, string]>) => void;

  constructor(path: string, private readonly onError: (err: unknown, lost: number) => void = () => {}) {
    this.db = openSqlite(path);
    this.db.exec('CREATE TABLE IF NOT EXISTS promotions (route TEXT PRIMARY KEY, updated_at INTEGER NOT NULL, body TEXT NOT NULL)');
    const stmt = this.db.prepare<[string, number, string]>('INSERT OR REPLACE INTO promotions (route, updated_at, body) VALUES (?, ?, ?)');
    this.upsert = this.db.transaction((rows: Array<[string, string]>) => {
      for (const [route, body] of rows) stmt.run(route, Date.now(), body);
    });
  }

  load(): PromotionState[] {
    return this.db.prepare<[], { body: string }>('SELECT body FROM promotions').all().map((r) => JSON.parse(r.body) as PromotionState);
  }

  save(s: PromotionState): void {
    if (this.closed) return;
    this.pending.set(s.route, JSON.stringify(s));
    this.immediate ??= setImmediate(() => this.flush());
  }

  private flush(): void {
    this.immediate = undefined;
    const rows = [...this.pending];
    this.pending.clear();
    if (rows.length === 0) return;
    try {
      this.upsert(rows);
    } catch (err) {
      this.onError(err, rows.length);
    }
  }

  close(): Promise<void> {
    if (!this.closed) {
      if (this.immediate) clearImmediate(this.immediate);
      this.flush();
      this.closed = true;
      this.db.close();
    }
    return Promise.resolve();
  }
}
