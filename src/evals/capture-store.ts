// Captured prompts and answers, in the embedded store (substitution.db beside the shadow pairs),
// written behind: `put` queues in memory and a timer writes the queue in one transaction, never
// on a request's path. Each flush also applies the routes' retention and byte caps, oldest first.
import type Database from 'better-sqlite3';
import type { EvalMessage } from './suite.js';
import { openSqlite } from '../store/open-sqlite.js';

export interface CaptureRecord {
  at: number;
  requestId: string;
  route: string;
  deployment?: string;
  requestClass?: string;
  keyId?: string;
  team?: string;
  messages: EvalMessage[];
  /** Request options worth replaying (temperature, max_tokens). */
  options?: Record<string, unknown>;
  answer: string;
  /** Whether redaction cut anything from the prompt or the answer. */
  redacted: boolean;
}

export interface CaptureLimits {
  retentionMs: number;
  maxBytes: number;
}

export interface CaptureQuery {
  route: string;
  since?: number;
  /** At most this many, an even sample over the period (oldest first). */
  sample?: number;
}

interface Row {
  body: string;
}

const BATCH = 128;

const bytesOf = (r: CaptureRecord) => Buffer.byteLength(JSON.stringify(r.messages)) + Buffer.byteLength(r.answer);

export class SqliteCaptureStore {
  private readonly db: Database.Database;
  private pending: CaptureRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly insertBatch: (rows: CaptureRecord[]) => void;
  private closed = false;
  private readonly waiters: Array<() => void> = [];
  /** Limits per route, as the latest config gave them (applied at each flush). */
  private readonly limits = new Map<string, CaptureLimits>();
  written = 0;

  constructor(
    path: string,
    private readonly onError: (err: unknown, lost: number) => void = () => {},
    private readonly now: () => number = Date.now,
    private readonly flushIntervalMs = 250,
  ) {
    this.db = openSqlite(path);
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS captures (id INTEGER PRIMARY KEY, at INTEGER NOT NULL, route TEXT NOT NULL, request_id TEXT NOT NULL,
        deployment TEXT, bytes INTEGER NOT NULL, redacted INTEGER NOT NULL, body TEXT NOT NULL);
       CREATE INDEX IF NOT EXISTS captures_route_at ON captures (route, at);`,
    );
    const insert = this.db.prepare<[number, string, string, string | null, number, number, string]>('INSERT INTO captures (at, route, request_id, deployment, bytes, redacted, body) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const expire = this.db.prepare<[string, number]>('DELETE FROM captures WHERE route = ? AND at < ?');
    const total = this.db.prepare<[string], { n: number | null }>('SELECT sum(bytes) AS n FROM captures WHERE route = ?');
    const oldest = this.db.prepare<[string], { id: number; bytes: number }>('SELECT id, bytes FROM captures WHERE route = ? ORDER BY at, id LIMIT 256');
    const remove = this.db.prepare<[number]>('DELETE FROM captures WHERE id = ?');
    this.insertBatch = this.db.transaction((rows: CaptureRecord[]) => {
      const routes = new Set<string>();
      for (const r of rows) {
        insert.run(r.at, r.route, r.requestId, r.deployment ?? null, bytesOf(r), r.redacted ? 1 : 0, JSON.stringify(r));
        routes.add(r.route);
      }
      for (const route of routes) {
        const lim = this.limits.get(route);
        if (!lim) continue;
        expire.run(route, this.now() - lim.retentionMs);
        let over = (total.get(route)?.n ?? 0) - lim.maxBytes;
        while (over > 0) {
          const batch = oldest.all(route);
          if (batch.length === 0) break;
          for (const o of batch) {
            if (over <= 0) break;
            remove.run(o.id);
            over -= o.bytes;
          }
        }
      }
    });
  }

  put(r: CaptureRecord, limits: CaptureLimits): void {
    if (this.closed) return;
    this.limits.set(r.route, limits);
    this.pending.push(r);
    // A full batch is written on the next turn rather than at the timer: a busy route's flush
    // stays a few milliseconds of the event loop (measured: ~40-70 µs per record).
    if (this.pending.length >= BATCH) this.immediate ??= setImmediate(() => this.flush());
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushIntervalMs);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    const rows = this.pending;
    if (rows.length > 0) {
      this.pending = [];
      try {
        this.insertBatch(rows);
        this.written += rows.length;
      } catch (err) {
        this.onError(err, rows.length);
      }
    }
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves after the next flush (tests wait on this instead of sleeping). */
  flushed(): Promise<void> {
    if (this.pending.length === 0) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  /** Captures of a route, oldest first; with `sample`, an even spread over the period. */
  list(q: CaptureQuery): CaptureRecord[] {
    const rows = this.db.prepare<[string, number], Row>('SELECT body FROM captures WHERE route = ? AND at >= ? ORDER BY at, id').all(q.route, q.since ?? 0);
    const all = rows.map((r) => JSON.parse(r.body) as CaptureRecord);
    if (q.sample === undefined || all.length <= q.sample) return all;
    const step = all.length / q.sample;
    return Array.from({ length: q.sample }, (_, i) => all[Math.floor(i * step)]!);
  }

  count(route?: string): number {
    const row = route === undefined ? this.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM captures').get() : this.db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM captures WHERE route = ?').get(route);
    return row?.n ?? 0;
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.flush();
      this.closed = true;
      this.db.close();
    }
    return Promise.resolve();
  }
}
