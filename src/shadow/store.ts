// Shadow pairs, written behind: `put` queues in memory and a timer (or a full batch) writes the
// queue in one SQLite transaction, never on a request's path. At start-up the store hands the
// aggregates their totals back, so the report survives a restart. Every row is marked
// `kind = 'shadow'`: shadow spend is the operator's, never the caller's, and a ledger reading
// this table can tell it apart.
import type Database from 'better-sqlite3';
import { emptyTotals, addPair, type ShadowTotals } from './aggregate.js';
import type { ShadowPair } from './compare.js';
import { openSqlite } from '../store/open-sqlite.js';

export interface ShadowStore {
  put(p: ShadowPair): void;
  /** Totals per route and candidate since `since` (epoch ms). */
  totals(since?: number): Array<{ route: string; candidate: string; totals: ShadowTotals }>;
  /** USD spent on a route's mirrors of a candidate (and their judging calls) since `since`: seeds `shadow.budget` after a restart. */
  spentSince?(route: string, candidate: string, since: number): number;
  /** Writes what is pending now. */
  flush(): void;
  close(): Promise<void>;
}

/** No file: the in-memory aggregates are all there is. */
export class MemoryShadowStore implements ShadowStore {
  put(): void {}
  totals(): Array<{ route: string; candidate: string; totals: ShadowTotals }> {
    return [];
  }
  flush(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Output tokens of the same prompts on two deployments (see SqliteShadowStore.outputObservations). */
export interface OutputObservation {
  route: string;
  from: string;
  to: string;
  pairs: number;
  primaryOut: number;
  shadowOut: number;
}

interface PairRow {
  body: string;
}

export class SqliteShadowStore implements ShadowStore {
  private readonly db: Database.Database;
  private pending: ShadowPair[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly insertBatch: (rows: ShadowPair[]) => void;
  private closed = false;

  constructor(path: string, private readonly onError: (err: unknown, lost: number) => void = () => {}, private readonly flushIntervalMs = 250, private readonly batchSize = 256) {
    this.db = openSqlite(path);
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS shadow_pairs (at INTEGER NOT NULL, kind TEXT NOT NULL DEFAULT 'shadow', route TEXT NOT NULL, candidate TEXT NOT NULL,
        request_id TEXT NOT NULL, similarity REAL, shadow_cost_usd REAL, primary_cost_usd REAL, shadow_error TEXT, body TEXT NOT NULL);
       CREATE INDEX IF NOT EXISTS shadow_pairs_route_at ON shadow_pairs (route, at);`,
    );
    const insert = this.db.prepare<[number, string, string, string, number | null, number | null, number | null, string | null, string]>(
      'INSERT INTO shadow_pairs (at, route, candidate, request_id, similarity, shadow_cost_usd, primary_cost_usd, shadow_error, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.insertBatch = this.db.transaction((rows: ShadowPair[]) => {
      for (const p of rows) insert.run(p.at, p.route, p.candidate, p.requestId, p.similarity ?? null, p.shadow.costUsd ?? null, p.primary.costUsd ?? null, p.shadow.error ?? null, JSON.stringify(p));
    });
  }

  put(p: ShadowPair): void {
    if (this.closed) return;
    this.pending.push(p);
    if (this.pending.length >= this.batchSize) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushIntervalMs);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.pending;
    if (rows.length === 0) return;
    this.pending = [];
    try {
      this.insertBatch(rows);
    } catch (err) {
      this.onError(err, rows.length);
    }
  }

  totals(since = 0): Array<{ route: string; candidate: string; totals: ShadowTotals }> {
    this.flush();
    const by = new Map<string, { route: string; candidate: string; totals: ShadowTotals }>();
    const rows = this.db.prepare<[number], PairRow>("SELECT body FROM shadow_pairs WHERE kind = 'shadow' AND at >= ? ORDER BY at").all(since);
    for (const r of rows) {
      const p = JSON.parse(r.body) as ShadowPair;
      const k = `${p.route}\u0000${p.candidate}`;
      let e = by.get(k);
      if (!e) by.set(k, (e = { route: p.route, candidate: p.candidate, totals: emptyTotals() }));
      addPair(e.totals, p);
    }
    return [...by.values()];
  }

  spentSince(route: string, candidate: string, since: number): number {
    this.flush();
    const row = this.db
      .prepare<[string, string, number], { usd: number | null }>(
        `SELECT sum(coalesce(shadow_cost_usd, 0) + coalesce(json_extract(body, '$.judgeCostUsd'), 0)) AS usd FROM shadow_pairs WHERE kind = 'shadow' AND route = ? AND candidate = ? AND at >= ?`,
      )
      .get(route, candidate, since);
    return row?.usd ?? 0;
  }

  /**
   * Output tokens of both sides over the pairs where both answered, per route, primary
   * deployment and candidate: the same prompts answered by two deployments, which is what
   * replay needs to re-estimate output tokens on another model family.
   */
  outputObservations(since = 0): OutputObservation[] {
    this.flush();
    return this.db
      .prepare<[number], OutputObservation>(
        `SELECT route, json_extract(body, '$.primaryDeployment') AS "from", candidate AS "to", count(*) AS pairs,
           sum(json_extract(body, '$.primary.outputTokens')) AS primaryOut, sum(json_extract(body, '$.shadow.outputTokens')) AS shadowOut
         FROM shadow_pairs
         WHERE kind = 'shadow' AND at >= ? AND shadow_error IS NULL AND json_extract(body, '$.primary.error') IS NULL
           AND json_extract(body, '$.primaryDeployment') IS NOT NULL
           AND json_extract(body, '$.primary.outputTokens') > 0 AND json_extract(body, '$.shadow.outputTokens') > 0
         GROUP BY route, "from", "to"`,
      )
      .all(since);
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
