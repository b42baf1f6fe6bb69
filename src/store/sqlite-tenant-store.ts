// TenantStore on SQLite (better-sqlite3, WAL), shared by the gateway and the CLI: WAL lets the
// CLI write while the gateway reads, and the change counter (table `meta`) is how the gateway learns of
// a change (it polls it off the request path).
import type Database from 'better-sqlite3';
import type { AuditEntry, AuditRecord, StoredTenant, TenantKind, TenantStore } from './tenant-store.js';
import { openSqlite } from './open-sqlite.js';

export const TENANTS_DB_FILE = 'tenants.sqlite';

interface TenantRow {
  kind: TenantKind;
  id: string;
  body: string;
  updated_at: number;
}

interface AuditRow {
  seq: number;
  at: number;
  actor: string;
  action: AuditEntry['action'];
  kind: TenantKind;
  target: string;
  before: string | null;
  after: string | null;
}

export class SqliteTenantStore implements TenantStore {
  private readonly db: Database.Database;
  private readonly now: () => number;

  constructor(path: string, opts: { now?: () => number } = {}) {
    this.db = openSqlite(path);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS tenants (kind TEXT NOT NULL, id TEXT NOT NULL, body TEXT NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (kind, id));
      CREATE TABLE IF NOT EXISTS audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
        kind TEXT NOT NULL, target TEXT NOT NULL, before TEXT, after TEXT);
      CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
      CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v INTEGER NOT NULL);
      INSERT OR IGNORE INTO meta (k, v) VALUES ('changes', 0);
    `);
    this.now = opts.now ?? Date.now;
  }

  changeCounter(): Promise<number> {
    return Promise.resolve((this.db.prepare("SELECT v FROM meta WHERE k = 'changes'").get() as { v: number }).v);
  }

  list(kind?: TenantKind): Promise<StoredTenant[]> {
    const rows = (kind === undefined
      ? this.db.prepare('SELECT * FROM tenants ORDER BY kind, id').all()
      : this.db.prepare('SELECT * FROM tenants WHERE kind = ? ORDER BY id').all(kind)) as TenantRow[];
    return Promise.resolve(rows.map(toTenant));
  }

  get(kind: TenantKind, id: string): Promise<StoredTenant | undefined> {
    const row = this.db.prepare('SELECT * FROM tenants WHERE kind = ? AND id = ?').get(kind, id) as TenantRow | undefined;
    return Promise.resolve(row && toTenant(row));
  }

  put(kind: TenantKind, id: string, body: Record<string, unknown>, audit: AuditEntry): Promise<void> {
    const at = this.now();
    this.db.transaction(() => {
      this.db.prepare('INSERT OR REPLACE INTO tenants (kind, id, body, updated_at) VALUES (?, ?, ?, ?)').run(kind, id, JSON.stringify(body), at);
      this.record(audit, at);
    })();
    return Promise.resolve();
  }

  remove(kind: TenantKind, id: string, audit: AuditEntry): Promise<boolean> {
    const at = this.now();
    const removed = this.db.transaction(() => {
      const r = this.db.prepare('DELETE FROM tenants WHERE kind = ? AND id = ?').run(kind, id);
      if (r.changes > 0) this.record(audit, at);
      return r.changes > 0;
    })();
    return Promise.resolve(removed);
  }

  audit(opts: { limit?: number; sinceMs?: number; target?: string } = {}): Promise<AuditRecord[]> {
    const rows = this.db
      .prepare('SELECT * FROM audit WHERE at >= ? AND (? IS NULL OR target = ?) ORDER BY seq DESC LIMIT ?')
      .all(opts.sinceMs ?? 0, opts.target ?? null, opts.target ?? null, opts.limit ?? 100) as AuditRow[];
    return Promise.resolve(
      rows.map((r) => {
        const rec: AuditRecord = { seq: r.seq, at: r.at, actor: r.actor, action: r.action, kind: r.kind, target: r.target };
        if (r.before !== null) rec.before = JSON.parse(r.before) as Record<string, unknown>;
        if (r.after !== null) rec.after = JSON.parse(r.after) as Record<string, unknown>;
        return rec;
      }),
    );
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }

  private record(a: AuditEntry, at: number): void {
    this.db
      .prepare('INSERT INTO audit (at, actor, action, kind, target, before, after) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(at, a.actor, a.action, a.kind, a.target, a.before ? JSON.stringify(a.before) : null, a.after ? JSON.stringify(a.after) : null);
    this.db.prepare("UPDATE meta SET v = v + 1 WHERE k = 'changes'").run();
  }
}

function toTenant(r: TenantRow): StoredTenant {
  return { kind: r.kind, id: r.id, body: JSON.parse(r.body) as Record<string, unknown>, updatedAt: r.updated_at };
}
