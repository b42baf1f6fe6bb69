// The tenant model as the gateway reads it: compiled from config and from the store into plain
// immutable records, so a request only ever reads memory.

export type BudgetPeriod = 'day' | 'week' | 'month' | 'total';
export type UnknownCostRule = 'reserve' | 'refuse' | 'allow';
export type Retention = 'none' | 'limited' | 'standard';

export interface BudgetSpec {
  usd: number;
  period: BudgetPeriod;
  /** Fraction of `usd` at which the soft alert fires (once per period). */
  soft: number;
  /** false: shadow budget (records would-be refusals, refuses nothing). */
  enforce: boolean;
  onUnknownCost: UnknownCostRule;
  /** End a stream with an error event once its output would cost more than it reserved. */
  cutoff: boolean;
  /** IANA zone of the period's boundaries; default: the gateway's `budget_time_zone`, else UTC. */
  timeZone?: string;
}

export interface LimitSpec {
  rpm?: number;
  tpm?: number;
  concurrency?: number;
}

/** Where a budget or limit is attached. */
export type Scope = 'global' | 'team' | 'key' | 'customer' | 'agent';

/** What teams, keys, customers and agents may carry. */
export interface Governed {
  budget?: BudgetSpec;
  limits?: LimitSpec;
  sensitivity?: string;
}

/** Allowlists and defaults that teams and keys carry (customers and agents only carry Governed). */
export interface Scoped extends Governed {
  routes?: string[];
  tiers?: string[];
  providers?: string[];
  metadata?: Record<string, string>;
}

export type RecordSource = 'config' | 'store';

export interface TeamRecord extends Scoped {
  name: string;
  source: RecordSource;
  createdAt?: number;
}

export interface EntityRecord extends Governed {
  kind: 'customer' | 'agent';
  name: string;
  source: RecordSource;
  createdAt?: number;
}

export interface KeyRecord extends Scoped {
  /** `key_…`: what lists, logs and the ledger show. */
  id: string;
  name: string;
  /** sha256 of the whole key, lowercase hex. The key itself is never stored. */
  hash: string;
  /** `mp-` + the first 8 characters after it: enough to recognise a key, useless to use one. */
  prefix: string;
  team?: string;
  customer?: string;
  agent?: string;
  enabled: boolean;
  expiresAt?: number;
  revokedAt?: number;
  createdAt: number;
  source: RecordSource;
}

/** A sensitivity tier's rule: all present conditions must hold for a provider to be reachable. */
export interface SensitivityRule {
  providers?: string[];
  jurisdictions?: string[];
  retention?: Retention[];
  trainsOnData?: boolean;
}

export interface PolicySettings {
  /** In declaration order: later tiers are more sensitive. */
  tiers: Array<{ name: string; rule: SensitivityRule }>;
  defaultTier?: string;
}

export interface AlertSettings {
  webhook?: { url: string; secret?: string; timeoutMs: number; retries: number };
}

/** The tenancy part of the compiled snapshot. */
export interface TenantSettings {
  teams: ReadonlyMap<string, TeamRecord>;
  keys: readonly KeyRecord[];
  customers: ReadonlyMap<string, EntityRecord>;
  agents: ReadonlyMap<string, EntityRecord>;
  policy: PolicySettings;
  globalBudget?: BudgetSpec;
  /** IANA zone for the day/week/month boundaries of budgets that name none (default UTC). */
  budgetTimeZone?: string;
  alerts: AlertSettings;
  ledger: { enabled: boolean; retentionDays?: number; writeBehindMs?: number };
}
