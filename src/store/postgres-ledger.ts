// The shared ledger table (mp_ledger) in Postgres: idempotent batch inserts from the spool, and
// the cluster-wide reads (spend by group, records) that the per-instance ledger cannot answer.
import type { PgPool } from '../cluster/pg-pool.js';
import type { LedgerRecord } from './ledger-store.js';

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
] as const;

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
