// The ledger's daily roll-up: per UTC day and per combination of the attribution columns, the
// request count, errors, tokens and cost. Maintained in the same transaction as the raw rows
// (one upsert per distinct combination in a batch, not per row), so a period total or a spend
// report reads whole days here and only the partial days at its edges from the raw table: a
// month over a million rows becomes a few thousand roll-up rows.
//
// `shadow` (1 for mirrored calls' rows, SHADOW_ENDPOINTS) is kept apart so budget totals can
// leave shadow spend out while spend reports include it.
//
// The grouping columns hold '' for "none" (SQLite treats NULLs as distinct in a unique index,
// so an upsert could never find a NULL group); readers turn '' back into null.

import type Database from 'better-sqlite3';
import { SHADOW_ENDPOINTS, type LedgerRecord } from './ledger-store.js';

export const DAY_MS = 86_400_000;

/** [column, record field] of every column a report may group or filter by. */
export const DIMENSIONS = [
  ['key_id', 'keyId'], ['team', 'team'], ['customer', 'customer'], ['agent', 'agent'], ['workflow', 'workflow'],
  ['route', 'route'], ['deployment', 'deployment'], ['provider', 'provider'], ['model', 'model'],
] as const satisfies ReadonlyArray<readonly [string, keyof LedgerRecord]>;

const DIM_COLS = `${DIMENSIONS.map((d) => d[0]).join(', ')}, shadow`;
const SHADOW_SQL = `CASE WHEN endpoint IN (${SHADOW_ENDPOINTS.map((e) => `'${e}'`).join(', ')}) THEN 1 ELSE 0 END`;
const isShadow = (r: LedgerRecord): boolean => r.endpoint !== undefined && (SHADOW_ENDPOINTS as readonly string[]).includes(r.endpoint);

export const ROLLUP_SCHEMA = `
  CREATE TABLE IF NOT EXISTS ledger_daily (
    day INTEGER NOT NULL, ${DIMENSIONS.map((d) => `${d[0]} TEXT NOT NULL`).join(', ')}, shadow INTEGER NOT NULL,
    requests INTEGER NOT NULL, errors INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL);
  CREATE UNIQUE INDEX IF NOT EXISTS ledger_daily_key ON ledger_daily (day, ${DIM_COLS});
`;

export const dayOf = (ts: number): number => Math.floor(ts / DAY_MS) * DAY_MS;

interface Group {
  values: string[];
  requests: number;
  errors: number;
  input: number;
  output: number;
  cost: number;
}

export class LedgerRollup {
  private readonly upsert: Database.Statement;
  private readonly rebuildDay: Database.Statement;
  private readonly deleteBefore: Database.Statement;
  private readonly deleteDay: Database.Statement;

  constructor(private readonly db: Database.Database) {
    db.exec(ROLLUP_SCHEMA);
    this.upsert = db.prepare(
      `INSERT INTO ledger_daily (day, ${DIM_COLS}, requests, errors, input_tokens, output_tokens, cost_usd) VALUES (${Array(DIMENSIONS.length + 7).fill('?').join(', ')})
       ON CONFLICT (day, ${DIM_COLS}) DO UPDATE SET requests = requests + excluded.requests, errors = errors + excluded.errors,
         input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens, cost_usd = cost_usd + excluded.cost_usd`,
    );
    const coalesced = DIMENSIONS.map((d) => `coalesce(${d[0]}, '')`).join(', ');
    // Rebuilds the roll-up of the days from ? on out of the raw rows (a new table over an old
    // ledger, and the day a prune cut through).
    this.rebuildDay = db.prepare(
      `INSERT INTO ledger_daily (day, ${DIM_COLS}, requests, errors, input_tokens, output_tokens, cost_usd)
       SELECT (ts / ${DAY_MS}) * ${DAY_MS} AS d, ${coalesced}, ${SHADOW_SQL}, count(*), sum(CASE WHEN status >= 400 THEN 1 ELSE 0 END), sum(input_tokens), sum(output_tokens), sum(cost_usd)
       FROM ledger WHERE ts >= ? AND ts < ? GROUP BY d, ${coalesced}, ${SHADOW_SQL}`,
    );
    this.deleteBefore = db.prepare('DELETE FROM ledger_daily WHERE day < ?');
    this.deleteDay = db.prepare('DELETE FROM ledger_daily WHERE day = ?');
    const empty = (db.prepare('SELECT count(*) AS n FROM ledger_daily').get() as { n: number }).n === 0;
    if (empty) db.transaction(() => this.rebuildDay.run(0, Number.MAX_SAFE_INTEGER))();
  }

  /** Adds a batch (inside the caller's transaction): one upsert per distinct day and attribution. */
  add(rows: readonly LedgerRecord[]): void {
    const groups = new Map<string, Group>();
    for (const r of rows) {
      const values: string[] = [String(dayOf(r.ts))];
      for (const [, f] of DIMENSIONS) values.push((r[f] as string | undefined) ?? '');
      values.push(isShadow(r) ? '1' : '0');
      const k = values.join('\u0000');
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { values, requests: 0, errors: 0, input: 0, output: 0, cost: 0 }));
      g.requests++;
      if (r.status >= 400) g.errors++;
      g.input += r.inputTokens;
      g.output += r.outputTokens;
      g.cost += r.costUsd;
    }
    for (const g of groups.values()) this.upsert.run(Number(g.values[0]), ...g.values.slice(1, -1), Number(g.values[g.values.length - 1]), g.requests, g.errors, g.input, g.output, g.cost);
  }

  /** After raw rows before `beforeMs` were deleted (inside the caller's transaction). */
  pruned(beforeMs: number): void {
    const day = dayOf(beforeMs);
    this.deleteBefore.run(day);
    // The day the cut went through keeps only what is left of it.
    this.deleteDay.run(day);
    this.rebuildDay.run(day, day + DAY_MS);
  }
}

/**
 * How a time range splits between the two tables: whole UTC days from the roll-up, the partial
 * days at either edge from the raw rows. `raw` ranges are [from, to) in ms; `days` is [from, to).
 */
export function splitRange(sinceMs: number, untilMs: number | undefined): { raw: Array<[number, number]>; days?: [number, number] } {
  const until = untilMs ?? Number.MAX_SAFE_INTEGER;
  const firstWhole = Math.ceil(sinceMs / DAY_MS) * DAY_MS;
  // Without an upper bound, every day from firstWhole on (today's partial day included) is in the roll-up.
  const lastWhole = untilMs === undefined ? Number.MAX_SAFE_INTEGER : dayOf(until);
  if (firstWhole >= lastWhole) return { raw: [[sinceMs, until]] };
  const raw: Array<[number, number]> = [];
  if (sinceMs < firstWhole) raw.push([sinceMs, firstWhole]);
  if (untilMs !== undefined && lastWhole < until) raw.push([lastWhole, until]);
  return { raw, days: [firstWhole, lastWhole] };
}
