// The budget and limit scopes the tenants declare, registered with the BudgetBook and the
// RateLimiter on every directory change (new budgets seeded from the ledger), and how a scope
// id (`key:<id>`, `team:<name>`, `customer:<name>`, `agent:<name>`, `global`) reads in views
// and messages. Kept out of the Governor so the request path reads on its own.

import type { LedgerStore, SpendScope, SpendTotals } from '../store/ledger-store.js';
import type { BudgetBook } from './budgets.js';
import type { TenantDirectory } from './directory.js';
import type { LimitState, RateLimiter } from './rate-limit.js';

/**
 * Registers every budget and limit, drops the ones no longer declared, and returns how many
 * rules apply to any caller whatever its key (a policy tier, a global budget, or a registered
 * customer or agent with a budget, limits or a tier: attribution may name it on any request).
 * Zero opens admission's fast path.
 */
export function registerScopes(d: TenantDirectory, budgets: BudgetBook, limits: RateLimiter, limitsById: Map<string, LimitState>, ledger: LedgerStore | undefined): number {
  budgets.timeZone = d.tenants.budgetTimeZone;
  const budgetIds = new Set<string>();
  const limitIds = new Set<string>();
  // New budgets are seeded from the ledger: one grouped read per period start (day, week,
  // month, all time), shared by every budget of that period, and only when one is new.
  const totals = new Map<number, SpendTotals>();
  const seed = (id: string) =>
    ledger
      ? (start: number) => {
          let t = totals.get(start);
          if (!t) totals.set(start, (t = ledger.totalsSince(start)));
          const s = scopeOf(id);
          return s.column === 'global' ? t.global : t[s.column].get(s.value) ?? 0;
        }
      : undefined;
  const budget = (id: string, spec: Parameters<BudgetBook['ensure']>[1] | undefined) => {
    if (!spec || budgetIds.has(id)) return;
    budgetIds.add(id);
    budgets.ensure(id, spec, seed(id));
  };
  const limit = (id: string, spec: Parameters<RateLimiter['ensure']>[1] | undefined) => {
    if (!spec || limitIds.has(id)) return;
    limitIds.add(id);
    limitsById.set(id, limits.ensure(id, spec));
  };
  for (const k of d.keys()) {
    budget(`key:${k.id}`, k.budget);
    limit(`key:${k.id}`, k.limits);
  }
  for (const t of d.teams()) {
    budget(`team:${t.name}`, t.budget);
    limit(`team:${t.name}`, t.limits);
  }
  let shared = d.tenants.policy.tiers.length + (d.tenants.globalBudget ? 1 : 0);
  for (const kind of ['customer', 'agent'] as const) {
    for (const e of d.entities(kind)) {
      budget(`${kind}:${e.name}`, e.budget);
      limit(`${kind}:${e.name}`, e.limits);
      if (e.budget || e.limits || e.sensitivity !== undefined) shared++;
    }
  }
  budget('global', d.tenants.globalBudget);
  budgets.retain(budgetIds);
  limits.retain(limitIds);
  for (const id of limitsById.keys()) if (!limitIds.has(id)) limitsById.delete(id);
  return shared;
}

export function scopeOf(id: string): SpendScope {
  if (id === 'global') return { column: 'global' };
  const i = id.indexOf(':');
  return { column: id.slice(0, i) as 'key' | 'team' | 'customer' | 'agent', value: id.slice(i + 1) };
}

export function describeScope(id: string): string {
  if (id === 'global') return 'the gateway';
  const i = id.indexOf(':');
  return `${id.slice(0, i)} "${id.slice(i + 1)}"`;
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** GET /admin/budgets and `modelplane budgets`: every budget with its period and state. */
export function budgetsView(book: BudgetBook): Array<Record<string, unknown>> {
  return book.all().map((b) => {
    const [scope, ...rest] = b.id.split(':');
    return {
      budget: b.id,
      scope,
      ...(rest.length > 0 ? { name: rest.join(':') } : {}),
      limit_usd: b.spec.usd,
      spent_usd: round(b.spent),
      reserved_usd: round(b.reserved),
      remaining_usd: round(Math.max(0, b.spec.usd - b.spent - b.reserved)),
      period: b.spec.period,
      ...(b.zone !== undefined ? { time_zone: b.zone } : {}),
      period_start: new Date(b.periodStart).toISOString(),
      ...(Number.isFinite(b.periodEnd) ? { period_end: new Date(b.periodEnd).toISOString() } : {}),
      soft_threshold: b.spec.soft,
      soft_alerted: b.softAlerted,
      enforce: b.spec.enforce,
      ...(b.spec.enforce ? {} : { would_have_refused: b.wouldRefuse }),
    };
  });
}
