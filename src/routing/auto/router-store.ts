// What the auto router decided, per request, and the quality labels callers sent back for those
// requests (`POST /v1/feedback`). Decisions feed `modelplane router savings` (which tier served
// each request, with what score); labels feed `router train --from-ledger` and the savings
// report's measured quality. SQLite beside the ledger (`router.sqlite` in storage.data_dir); the
// gateway writes decisions in batches from a timer (recorder.ts), never on a request's path.
//
// Feature vectors are stored only with a label: a decision keeps its vector in memory for a
// while (recorder.ts), and feedback that arrives in that time takes it along. Vectors are hashed
// features, not the prompt, and nothing is kept for requests nobody labels.

import type Database from 'better-sqlite3';
import { openSqlite } from '../../store/open-sqlite.js';

export const ROUTER_DB_FILE = 'router.sqlite';

/** A feature vector's non-zero entries (most of the hashed part is zero). */
export interface SparseVector {
  dims: number;
  i: number[];
  v: number[];
}

export interface Decision {
  requestId: string;
  ts: number;
  route: string;
  tier: string;
  /** 0 = the cheapest tier. */
  tierIndex: number;
  tiers: number;
  /** Absent when the router could not score (the strongest tier served it). */
  score?: number;
  keyId?: string;
  team?: string;
  /** Escalated by the cascade to `tier` from a cheaper one. */
  escalated?: boolean;
  /** What the replaced cheaper answers cost: the ledger prices only the final answer. */
  cascadeUsd?: number;
}

export interface Label {
  requestId: string;
  ts: number;
  /** The caller's quality verdict on the answer, 0..1. */
  score: number;
  route: string;
  tier: string;
  tierIndex: number;
  tiers: number;
  routerScore?: number;
  featurizer?: string;
  features?: SparseVector;
}

interface DecisionRow {
  request_id: string;
  ts: number;
  route: string;
  tier: string;
  tier_index: number;
  tiers: number;
  score: number | null;
  key_id: string | null;
  team: string | null;
  escalated: number;
  cascade_usd: number | null;
}

interface LabelRow {
  request_id: string;
  ts: number;
  score: number;
  route: string;
  tier: string;
  tier_index: number;
  tiers: number;
  router_score: number | null;
  featurizer: string | null;
  features: string | null;
}

function decisionOf(r: DecisionRow): Decision {
  const d: Decision = { requestId: r.request_id, ts: r.ts, route: r.route, tier: r.tier, tierIndex: r.tier_index, tiers: r.tiers };
  if (r.score !== null) d.score = r.score;
  if (r.key_id !== null) d.keyId = r.key_id;
  if (r.team !== null) d.team = r.team;
  if (r.escalated) d.escalated = true;
  if (r.cascade_usd !== null) d.cascadeUsd = r.cascade_usd;
  return d;
}

function labelOf(r: LabelRow): Label {
  const l: Label = { requestId: r.request_id, ts: r.ts, score: r.score, route: r.route, tier: r.tier, tierIndex: r.tier_index, tiers: r.tiers };
  if (r.router_score !== null) l.routerScore = r.router_score;
  if (r.featurizer !== null) l.featurizer = r.featurizer;
  if (r.features !== null) l.features = JSON.parse(r.features) as SparseVector;
  return l;
}

export class SqliteRouterStore {
  private readonly db: Database.Database;
  private readonly insertDecisions: (rows: readonly Decision[]) => void;
  private readonly upsertLabel: Database.Statement;
  private readonly getDecision: Database.Statement;

  constructor(path: string) {
    this.db = openSqlite(path);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS decisions (
        request_id TEXT PRIMARY KEY, ts INTEGER NOT NULL, route TEXT NOT NULL, tier TEXT NOT NULL, tier_index INTEGER NOT NULL,
        tiers INTEGER NOT NULL, score REAL, key_id TEXT, team TEXT, escalated INTEGER NOT NULL DEFAULT 0, cascade_usd REAL) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS labels (
        request_id TEXT PRIMARY KEY, ts INTEGER NOT NULL, score REAL NOT NULL, route TEXT NOT NULL, tier TEXT NOT NULL,
        tier_index INTEGER NOT NULL, tiers INTEGER NOT NULL, router_score REAL, featurizer TEXT, features TEXT);
    `);
    // One B-tree, keyed by request id (feedback's lookup; ids grow with a counter, so inserts
    // append). No time index: only the savings report reads by time, and it scans. Measured
    // (a loop, this machine): ~4-8 µs a row in batches, against ~8-13 µs with a second index.
    const ins = this.db.prepare('INSERT OR REPLACE INTO decisions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.insertDecisions = this.db.transaction((rows: readonly Decision[]) => {
      for (const d of rows) ins.run(d.requestId, d.ts, d.route, d.tier, d.tierIndex, d.tiers, d.score ?? null, d.keyId ?? null, d.team ?? null, d.escalated ? 1 : 0, d.cascadeUsd ?? null);
    });
    // A second verdict on the same request replaces the first (the caller changed its mind).
    this.upsertLabel = this.db.prepare('INSERT OR REPLACE INTO labels VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    this.getDecision = this.db.prepare('SELECT * FROM decisions WHERE request_id = ?');
  }

  appendDecisions(rows: readonly Decision[]): void {
    if (rows.length > 0) this.insertDecisions(rows);
  }

  decision(requestId: string): Decision | undefined {
    const r = this.getDecision.get(requestId) as DecisionRow | undefined;
    return r && decisionOf(r);
  }

  *decisions(sinceMs: number, route?: string): Iterable<Decision> {
    const q = route === undefined ? this.db.prepare('SELECT * FROM decisions WHERE ts >= ? ORDER BY ts') : this.db.prepare('SELECT * FROM decisions WHERE ts >= ? AND route = ? ORDER BY ts');
    for (const r of (route === undefined ? q.iterate(sinceMs) : q.iterate(sinceMs, route)) as Iterable<DecisionRow>) yield decisionOf(r);
  }

  putLabel(l: Label): void {
    this.upsertLabel.run(l.requestId, l.ts, l.score, l.route, l.tier, l.tierIndex, l.tiers, l.routerScore ?? null, l.featurizer ?? null, l.features ? JSON.stringify(l.features) : null);
  }

  labels(sinceMs = 0): Label[] {
    return (this.db.prepare('SELECT * FROM labels WHERE ts >= ? ORDER BY ts').all(sinceMs) as LabelRow[]).map(labelOf);
  }

  /** Deletes decisions older than `beforeMs` (labels are kept: they are training data); returns how many. */
  prune(beforeMs: number): number {
    return this.db.prepare('DELETE FROM decisions WHERE ts < ?').run(beforeMs).changes;
  }

  close(): void {
    this.db.close();
  }
}
