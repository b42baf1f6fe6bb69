// The shared ledger table (mp_ledger) in Postgres: idempotent batch inserts from the spool, and
// the cluster-wide reads (spend by group, records) that the per-instance ledger cannot answer.
import type { PgPool } from '../cluster/pg-pool.js';
import { GROUP_BY, GROUP_COLUMN, SHADOW_ENDPOINTS, type LedgerRecord, type SpendQuery, type SpendRow, type SpendScope } from './ledger-store.js';

export interface ShippedRecord {
  /** Idempotency key: `<spool id>:<seq>`. */
  entryId: string;
  record: LedgerRecord;
  /** `unsettled_estimated` for a request whose instance died after admission (the cost is the reservation). */
  settlement?: 'settled' | 'unsettled_estimated';
}

const COLUMNS = [
  ['ts', 'bigint', (r: LedgerRecord) => r.ts],
  ['request_id', 'text', (r: LedgerRecord) => r.requestId],
  ['key_id', 'text', (r: LedgerRecord) => r.keyId],
  ['team', 'text', (r: LedgerRecord) => r.team],
  ['customer', 'text', (r: LedgerRecord) => r.customer],
  ['agent', 'text', (r: LedgerRecord) => r.agent],
  ['workflow', 'text', (r: LedgerRecord) => r.workflow],
  ['route', 'text', (r: LedgerRecord) => r.route],
  ['request_class', 'text', (r: LedgerRecord) => r.requestClass],
  ['deployment', 'text', (r: LedgerRecord) => r.deployment],
  ['provider', 'text', (r: LedgerRecord) => r.provider],
  ['model', 'text', (r: LedgerRecord) => r.model],
  ['input_tokens', 'integer', (r: LedgerRecord) => r.inputTokens],
  ['output_tokens', 'integer', (r: LedgerRecord) => r.outputTokens],
  ['cached_tokens', 'integer', (r: LedgerRecord) => r.cachedTokens],
  ['reasoning_tokens', 'integer', (r: LedgerRecord) => r.reasoningTokens],
  ['cost_usd', 'double precision', (r: LedgerRecord) => r.costUsd],
  ['status', 'integer', (r: LedgerRecord) => r.status],
  ['error_code', 'text', (r: LedgerRecord) => r.errorCode],
  ['attempts', 'integer', (r: LedgerRecord) => r.attempts],
  ['latency_ms', 'double precision', (r: LedgerRecord) => r.latencyMs],
  ['ttft_ms', 'double precision', (r: LedgerRecord) => r.ttftMs],
  ['cache', 'text', (r: LedgerRecord) => r.cache],
  ['endpoint', 'text', (r: LedgerRecord) => r.endpoint],
  ['cache_saved_usd', 'double precision', (r: LedgerRecord) => r.cacheSavedUsd],
] as const;

/** Budget totals leave mirrored calls' spend out (SHADOW_ENDPOINTS), as the embedded ledger does. */
const NOT_SHADOW = `(endpoint IS NULL OR endpoint NOT IN (${SHADOW_ENDPOINTS.map((e) => `'${e}'`).join(', ')}))`;

// One statement per batch whatever its size: one array parameter per column, unnested.
const INSERT_SQL = (() => {
  const cols = ['entry_id', ...COLUMNS.map((c) => c[0]), 'settlement', 'instance'];
  const types = ['text', ...COLUMNS.map((c) => c[1]), 'text', 'text'];
  return `INSERT INTO mp_ledger (${cols.join(', ')}) SELECT * FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(', ')}) ON CONFLICT (entry_id) DO NOTHING`;
})();

export async function shipLedgerBatch(pool: PgPool, batch: readonly ShippedRecord[], instance: string): Promise<number> {
  if (batch.length === 0) return 0;
  const params: unknown[][] = [batch.map((b) => b.entryId), ...COLUMNS.map(([, , get]) => batch.map((b) => get(b.record) ?? null)), batch.map((b) => b.settlement ?? 'settled'), batch.map(() => instance)];
  const r = await pool.query(INSERT_SQL, params);
  return r.rowCount ?? 0;
}

export interface ClusterLedgerRow {
  entryId: string;
  requestId: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  status: number;
  settlement: string;
  instance: string | null;
}

/** Every shipped record (tests, export): the cluster-wide view. */
export async function clusterLedgerRows(pool: PgPool, sinceMs = 0): Promise<ClusterLedgerRow[]> {
  const r = await pool.query<{ entry_id: string; request_id: string; input_tokens: number; output_tokens: number; cost_usd: number; status: number; settlement: string; instance: string | null }>(
    'SELECT entry_id, request_id, input_tokens, output_tokens, cost_usd, status, settlement, instance FROM mp_ledger WHERE ts >= $1 ORDER BY ts',
    [sinceMs],
  );
  return r.rows.map((x) => ({ entryId: x.entry_id, requestId: x.request_id, inputTokens: x.input_tokens, outputTokens: x.output_tokens, costUsd: x.cost_usd, status: x.status, settlement: x.settlement, instance: x.instance }));
}


/** Spend grouped across every instance (what `GET /admin/spend` answers for one instance). */
export async function clusterSpend(pool: PgPool, q: SpendQuery): Promise<SpendRow[]> {
  if (!GROUP_BY.includes(q.groupBy)) throw new Error(`unknown group_by "${q.groupBy}"`);
  const col = GROUP_COLUMN[q.groupBy];
  const args: unknown[] = [q.sinceMs ?? 0, q.untilMs ?? Number.MAX_SAFE_INTEGER];
  const where = ['ts >= $1', 'ts < $2'];
  for (const [field, column] of [['team', 'team'], ['keyId', 'key_id'], ['customer', 'customer'], ['agent', 'agent']] as const) {
    const v = q[field];
    if (v !== undefined) {
      args.push(v);
      where.push(`${column} = $${args.length}`);
    }
  }
  args.push(q.limit ?? 1000);
  const r = await pool.query<{ value: string | null; requests: string; errors: string; input_tokens: string; output_tokens: string; cost_usd: number }>(
    `SELECT ${col} AS value, count(*) AS requests, count(*) FILTER (WHERE status >= 400) AS errors,
       coalesce(sum(input_tokens), 0) AS input_tokens, coalesce(sum(output_tokens), 0) AS output_tokens, coalesce(sum(cost_usd), 0) AS cost_usd
     FROM mp_ledger WHERE ${where.join(' AND ')} GROUP BY ${col} ORDER BY cost_usd DESC, requests DESC LIMIT $${args.length}`,
    args,
  );
  return r.rows.map((x) => ({ value: x.value, requests: Number(x.requests), errors: Number(x.errors), inputTokens: Number(x.input_tokens), outputTokens: Number(x.output_tokens), costUsd: x.cost_usd }));
}

/** USD spent in a scope since `sinceMs`, across every instance: what a cold Redis rebuilds a budget from. */
export async function clusterSpentSince(pool: PgPool, scope: SpendScope, sinceMs: number): Promise<number> {
  const r =
    scope.column === 'global'
      ? await pool.query<{ usd: number }>(`SELECT coalesce(sum(cost_usd), 0)::float8 AS usd FROM mp_ledger WHERE ts >= $1 AND ${NOT_SHADOW}`, [sinceMs])
      : await pool.query<{ usd: number }>(`SELECT coalesce(sum(cost_usd), 0)::float8 AS usd FROM mp_ledger WHERE ${GROUP_COLUMN[scope.column]} = $1 AND ts >= $2 AND ${NOT_SHADOW}`, [scope.value, sinceMs]);
  return r.rows[0]?.usd ?? 0;
}
