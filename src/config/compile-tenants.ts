// Config -> TenantSettings: budgets get their defaults, config keys their hash (a `key:` from
// the environment is hashed here and then dropped), and cross references are checked (a key
// naming an unknown team or tier is a config error, not a runtime surprise).

import { hashKey, isKeyShaped, parseKeyHash } from '../governance/keys.js';
import type { BudgetSpec, EntityRecord, KeyRecord, LimitSpec, PolicySettings, Scoped, TeamRecord, TenantSettings } from '../governance/types.js';
import type { Config } from './schema.js';
import type { BudgetConfig, LimitsConfig } from './tenants-schema.js';

export const DEFAULT_SOFT_THRESHOLD = 0.8;

export function budgetFrom(b: BudgetConfig | undefined): BudgetSpec | undefined {
  if (b === undefined) return undefined;
  const full = b as BudgetConfig & { soft?: number; enforce?: boolean; on_unknown_cost?: BudgetSpec['onUnknownCost']; cutoff?: boolean; time_zone?: string };
  const spec: BudgetSpec = {
    usd: full.usd,
    period: full.period ?? 'month',
    soft: full.soft ?? DEFAULT_SOFT_THRESHOLD,
    enforce: full.enforce ?? true,
    onUnknownCost: full.on_unknown_cost ?? 'reserve',
    cutoff: full.cutoff ?? false,
  };
  if (full.time_zone !== undefined) spec.timeZone = full.time_zone;
  return spec;
}

export function limitsFrom(l: LimitsConfig | undefined): LimitSpec | undefined {
  if (l === undefined) return undefined;
  const out: LimitSpec = {};
  if (l.rpm !== undefined) out.rpm = l.rpm;
  if (l.tpm !== undefined) out.tpm = l.tpm;
  if (l.concurrency !== undefined) out.concurrency = l.concurrency;
  return out;
}

export interface ScopedInput {
  budget?: BudgetConfig | undefined;
  limits?: LimitsConfig | undefined;
  sensitivity?: string | undefined;
  routes?: string[] | undefined;
  tiers?: string[] | undefined;
  providers?: string[] | undefined;
  metadata?: Record<string, string> | undefined;
}

/** The budget, limits, sensitivity, allowlists and metadata a team, key or entity declares. */
export function scopedFrom(s: ScopedInput): Scoped {
  const out: Scoped = {};
  const budget = budgetFrom(s.budget);
  if (budget) out.budget = budget;
  const limits = limitsFrom(s.limits);
  if (limits) out.limits = limits;
  if (s.sensitivity !== undefined) out.sensitivity = s.sensitivity;
  if (s.routes !== undefined) out.routes = s.routes;
  if (s.tiers !== undefined) out.tiers = s.tiers;
  if (s.providers !== undefined) out.providers = s.providers;
  if (s.metadata !== undefined) out.metadata = s.metadata;
  return out;
}

/** What a key is bound to (team, customer, agent) and when it expires: config and admin API alike. */
export function keyBindings(k: { team?: string | undefined; customer?: string | undefined; agent?: string | undefined; expires_at?: string | undefined }): Pick<KeyRecord, 'team' | 'customer' | 'agent' | 'expiresAt'> {
  const out: Pick<KeyRecord, 'team' | 'customer' | 'agent' | 'expiresAt'> = {};
  if (k.team !== undefined) out.team = k.team;
  if (k.customer !== undefined) out.customer = k.customer;
  if (k.agent !== undefined) out.agent = k.agent;
  if (k.expires_at !== undefined) out.expiresAt = Date.parse(k.expires_at);
  return out;
}

export function compileTenants(config: Config, problems: string[]): TenantSettings {
  const tierNames = Object.keys(config.policy?.sensitivity ?? {});
  const policy: PolicySettings = {
    tiers: Object.entries(config.policy?.sensitivity ?? {}).map(([name, r]) => ({
      name,
      rule: {
        ...(r.providers ? { providers: r.providers } : {}),
        ...(r.jurisdictions ? { jurisdictions: r.jurisdictions } : {}),
        ...(r.retention ? { retention: r.retention } : {}),
        ...(r.trains_on_data !== undefined ? { trainsOnData: r.trains_on_data } : {}),
      },
    })),
  };
  const checkTier = (path: string, t: string | undefined) => {
    if (t !== undefined && !tierNames.includes(t)) problems.push(`${path}: unknown sensitivity tier "${t}" (define it under policy.sensitivity)`);
  };
  if (config.policy?.default !== undefined) {
    checkTier('policy.default', config.policy.default);
    policy.defaultTier = config.policy.default;
  }
  const teams = new Map<string, TeamRecord>();
  for (const [name, t] of Object.entries(config.teams ?? {})) {
    checkTier(`teams.${name}.sensitivity`, t.sensitivity);
    teams.set(name, { name, source: 'config', ...scopedFrom(t) });
  }
  const entities = (kind: 'customer' | 'agent', src: Config['customers']) => {
    const m = new Map<string, EntityRecord>();
    for (const [name, e] of Object.entries(src ?? {})) {
      checkTier(`${kind}s.${name}.sensitivity`, e.sensitivity);
      const rec: EntityRecord = { kind, name, source: 'config', ...scopedFrom(e) };
      m.set(name, rec);
    }
    return m;
  };
  const keys: KeyRecord[] = [];
  const seen = new Set<string>();
  for (const [name, k] of Object.entries(config.keys ?? {})) {
    const path = `keys.${name}`;
    checkTier(`${path}.sensitivity`, k.sensitivity);
    if (k.team !== undefined && !teams.has(k.team)) problems.push(`${path}.team: unknown team "${k.team}"`);
    if (k.key !== undefined && !isKeyShaped(k.key)) problems.push(`${path}.key: expected mp- followed by at least 32 URL-safe characters`);
    const hash = k.key !== undefined ? hashKey(k.key) : parseKeyHash(k.key_hash ?? '');
    if (seen.has(hash)) problems.push(`${path}: the same key is declared twice`);
    seen.add(hash);
    const rec: KeyRecord = {
      id: `cfg_${name}`,
      name,
      hash,
      prefix: k.key !== undefined ? k.key.slice(0, 11) : 'sha256',
      enabled: k.enabled ?? true,
      createdAt: 0,
      source: 'config',
      ...scopedFrom(k),
      ...keyBindings(k),
    };
    keys.push(rec);
  }
  const out: TenantSettings = {
    teams,
    keys,
    customers: entities('customer', config.customers),
    agents: entities('agent', config.agents),
    policy,
    alerts: {},
    ledger: { enabled: config.ledger?.enabled ?? true },
  };
  if (config.ledger?.retention_days !== undefined) out.ledger.retentionDays = config.ledger.retention_days;
  const wb = config.ledger?.write_behind;
  if (wb !== undefined) out.ledger.writeBehindMs = typeof wb === 'number' ? wb : parseDurationMs(wb, 'ledger.write_behind', problems);
  const global = budgetFrom(config.budget);
  if (global) out.globalBudget = global;
  if (config.budget_time_zone !== undefined) out.budgetTimeZone = config.budget_time_zone;
  const wh = config.alerts?.webhook;
  if (wh) {
    const timeoutMs = typeof wh.timeout === 'number' ? wh.timeout : wh.timeout !== undefined ? parseDurationMs(wh.timeout, 'alerts.webhook.timeout', problems) : 5_000;
    out.alerts.webhook = { url: wh.url, timeoutMs, retries: wh.retries ?? 5, ...(wh.secret !== undefined ? { secret: wh.secret } : {}) };
  }
  return out;
}

function parseDurationMs(s: string, path: string, problems: string[]): number {
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/.exec(s);
  if (!m) {
    problems.push(`${path}: expected a duration such as 500ms, 5s or 1m`);
    return 5_000;
  }
  return Math.round(Number(m[1]) * { ms: 1, s: 1000, m: 60_000 }[m[2] as 'ms']);
}
