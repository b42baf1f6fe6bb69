// The spend ledger's storage: one record per request, success or failure. An interface for the
// same reason as TenantStore (a shared store comes later); the gateway only appends in batches
// from a timer, and reads at start-up (budget totals) and for the admin API / CLI.

/** Optional fields may hold undefined (the governor writes every field in one order: one shape). */
export interface LedgerRecord {
  /** When the request finished (ms since epoch): the instant its cost counts against budgets. */
  ts: number;
  requestId: string;
  keyId?: string | undefined;
  team?: string | undefined;
  customer?: string | undefined;
  agent?: string | undefined;
  workflow?: string | undefined;
  route?: string | undefined;
  requestClass?: string | undefined;
  deployment?: string | undefined;
  provider?: string | undefined;
  model?: string | undefined;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
  costUsd: number;
  /** HTTP status the client got (499: it left). */
  status: number;
  errorCode?: string | undefined;
  attempts: number;
  latencyMs: number;
  ttftMs?: number | undefined;
  /** Cache outcome (hit, miss, bypass), for the cache issue. */
  cache?: string | undefined;
  /** A cache hit: what the cached answer cost when it was first asked (what the hit saved). */
  cacheSavedUsd?: number | undefined;
  endpoint?: string | undefined;
}

/**
 * `endpoint` values of shadow spend (src/shadow/ledger-spend.ts): mirrored calls and their
 * judging calls. Real spend, so reports include it; never a charge on the caller's budgets, so
 * budget totals (spentSince, totalsSince) leave these rows out.
 */
export const SHADOW_ENDPOINTS = ['shadow', 'shadow-judge'] as const;

export const GROUP_BY = ['agent', 'workflow', 'customer', 'team', 'key', 'route', 'deployment', 'provider', 'model'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** The ledger table's column for each group-by (the same in the SQLite and Postgres ledgers). */
export const GROUP_COLUMN: Readonly<Record<GroupBy, string>> = {
  agent: 'agent',
  workflow: 'workflow',
  customer: 'customer',
  team: 'team',
  key: 'key_id',
  route: 'route',
  deployment: 'deployment',
  provider: 'provider',
  model: 'model',
};

export interface SpendQuery {
  groupBy: GroupBy;
  sinceMs?: number;
  untilMs?: number;
  /** Filters, each optional. */
  team?: string;
  keyId?: string;
  customer?: string;
  agent?: string;
  limit?: number;
}

export interface SpendRow {
  /** The group's value; null for requests without one (e.g. no agent). */
  value: string | null;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

/** Budget scopes the ledger can total: the column and value that identify a budget's spending. */
export type SpendScope = { column: 'key' | 'team' | 'customer' | 'agent'; value: string } | { column: 'global' };

export interface SpendTotals {
  key: Map<string, number>;
  team: Map<string, number>;
  customer: Map<string, number>;
  agent: Map<string, number>;
  global: number;
}

export interface LedgerStore {
  append(records: readonly LedgerRecord[]): void;
  spend(q: SpendQuery): SpendRow[];
  /** USD spent in a scope since `sinceMs` (shadow spend left out: it is on no caller's budget). */
  spentSince(scope: SpendScope, sinceMs: number): number;
  /**
   * USD spent since `sinceMs` per key, team, customer and agent, and in all: one scan, so
   * rebuilding every budget of one period costs one range read however many budgets there are.
   */
  totalsSince(sinceMs: number): SpendTotals;
  /** Raw records, oldest first, for export. */
  records(opts: { sinceMs?: number; limit?: number }): Iterable<LedgerRecord>;
  count(): number;
  /** Deletes records older than `beforeMs`; returns how many. */
  prune(beforeMs: number): number;
  close(): void;
}
