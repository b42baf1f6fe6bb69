// Metrics read from other capabilities' state at scrape time, through small read-only views
// (server/extensions.ts wires them): budgets (limit, spend, reservations, utilisation, soft-alert
// state), shadow mirrors (sent, dropped, over budget) and what the cache saved (tokens, USD).
// Nothing here runs per request. Budgets can be many (one per key): the `max` most utilised are
// exported, and `modelplane_budgets` says how many exist.

import type { Registry } from 'prom-client';
import { ScrapedSeries, type MetricValue } from './fast-series.js';

/** One budget as GET /admin/budgets shows it (fields read defensively). */
export interface BudgetView {
  budget: string;
  scope: string;
  limit_usd: number;
  spent_usd: number;
  reserved_usd: number;
  soft_alerted: boolean;
}

export interface ShadowView {
  route: string;
  candidate: string;
  pairs: number;
  dropped: number;
  over_budget: number;
}

export interface CacheSavedView {
  route: string;
  tokensSaved: number;
  usdSaved: number;
}

/** The views; each is optional (a capability that is not installed exports nothing). */
export interface StateSources {
  budgets?: () => readonly Record<string, unknown>[];
  shadow?: () => readonly ShadowView[];
  cacheSaved?: () => readonly CacheSavedView[];
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function budgetsOf(rows: readonly Record<string, unknown>[], max: number): BudgetView[] {
  const out: BudgetView[] = rows.map((r) => ({
    budget: String(r.budget ?? ''),
    scope: String(r.scope ?? ''),
    limit_usd: num(r.limit_usd),
    spent_usd: num(r.spent_usd),
    reserved_usd: num(r.reserved_usd),
    soft_alerted: r.soft_alerted === true,
  }));
  if (out.length <= max) return out;
  const util = (b: BudgetView) => (b.limit_usd > 0 ? (b.spent_usd + b.reserved_usd) / b.limit_usd : 0);
  return out.sort((a, b) => util(b) - util(a)).slice(0, max);
}

export function registerStateMetrics(registry: Registry, sources: StateSources, maxBudgets: number): void {
  // One read of the budgets per scrape, shared by its series (the registry reads them in order).
  let cached: { at: number; rows: BudgetView[]; total: number } | undefined;
  const budgets = (): { rows: BudgetView[]; total: number } => {
    const now = Date.now();
    if (cached === undefined || now - cached.at > 500) {
      const all = sources.budgets?.() ?? [];
      cached = { at: now, rows: budgetsOf(all, maxBudgets), total: all.length };
    }
    return cached;
  };
  const perBudget = (name: string, help: string, value: (b: BudgetView) => number) =>
    new ScrapedSeries(name, help, 'gauge', () => budgets().rows.map((b): MetricValue => ({ labels: { budget: b.budget, scope: b.scope }, value: value(b) })), registry);
  if (sources.budgets) {
    new ScrapedSeries('modelplane_budgets', 'Budgets the gateway enforces (the per-budget series show the most utilised, up to telemetry.metrics.max_label_values).', 'gauge', () => [{ labels: {}, value: budgets().total }], registry);
    perBudget('modelplane_budget_limit_usd', 'A budget\'s limit for its period, in USD.', (b) => b.limit_usd);
    perBudget('modelplane_budget_spent_usd', 'Spent against a budget in its current period, in USD.', (b) => b.spent_usd);
    perBudget('modelplane_budget_reserved_usd', 'Reserved by requests in flight against a budget, in USD.', (b) => b.reserved_usd);
    perBudget('modelplane_budget_utilisation_ratio', 'Spent over limit (1 = used up).', (b) => (b.limit_usd > 0 ? b.spent_usd / b.limit_usd : 0));
    perBudget('modelplane_budget_soft_alert', '1 when a budget crossed its soft threshold this period (the alert was sent).', (b) => (b.soft_alerted ? 1 : 0));
  }
  if (sources.shadow) {
    const read = sources.shadow;
    new ScrapedSeries(
      'modelplane_shadow_mirrors_total',
      'Shadow mirrors per route and candidate, by outcome: sent, dropped (queue full or excluded by policy), over_budget.',
      'counter',
      () =>
        read().flatMap((r) => [
          { labels: { route: r.route, candidate: r.candidate, outcome: 'sent' }, value: r.pairs },
          { labels: { route: r.route, candidate: r.candidate, outcome: 'dropped' }, value: r.dropped },
          { labels: { route: r.route, candidate: r.candidate, outcome: 'over_budget' }, value: r.over_budget },
        ]),
      registry,
    );
  }
  if (sources.cacheSaved) {
    const read = sources.cacheSaved;
    new ScrapedSeries('modelplane_cache_tokens_saved_total', 'Tokens cache hits saved, per route (as GET /admin/cache counts them).', 'counter', () => read().map((r) => ({ labels: { route: r.route }, value: r.tokensSaved })), registry);
    new ScrapedSeries('modelplane_cache_usd_saved_total', 'USD cache hits saved, per route (as GET /admin/cache counts them).', 'counter', () => read().map((r) => ({ labels: { route: r.route }, value: r.usdSaved })), registry);
  }
}
