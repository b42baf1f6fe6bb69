// Team -> key inheritance: a key inherits its team's budgets, limits, allowlists, sensitivity and
// default metadata, and may only narrow them. Narrowing is by construction, not by comparison:
// both the team's and the key's allowlists must admit a route/tier/provider, both budgets and
// both limits apply, and the sensitivity is the stricter of the two. So no key setting can
// widen what its team allows, whatever it says.

import type { BudgetSpec, KeyRecord, LimitSpec, PolicySettings, TeamRecord } from './types.js';

/** A compiled allowlist: undefined admits everything. */
export type Allow = (value: string) => boolean;

/** Budgets and limits that apply to a caller, each with the scope it belongs to. */
export interface ScopedBudget {
  /** `key:<id>`, `team:<name>`, `customer:<name>`, `agent:<name>` or `global`. */
  id: string;
  spec: BudgetSpec;
}

export interface ScopedLimit {
  id: string;
  spec: LimitSpec;
}

/** What authentication hands the rest of the pipeline for a virtual key: all precomputed. */
export interface Principal {
  key: KeyRecord;
  team?: TeamRecord;
  allowRoute: Allow[];
  allowTier: Allow[];
  allowProvider: Allow[];
  /** The stricter of key and team (and the policy default), as a tier index; -1: no policy. */
  sensitivity: number;
  budgets: ScopedBudget[];
  limits: ScopedLimit[];
  /** Team defaults overlaid by key defaults. */
  metadata: Record<string, string>;
  /**
   * Nothing of its own to enforce: no budget, limit or allowlist on the key or its team.
   * Precomputed here so admission's common case is one flag test (governor.ts).
   */
  plain: boolean;
}

/** `support-*`, `*-eu`, `exact`: `*` matches any run of characters, nothing else is special. */
export function globMatcher(patterns: readonly string[]): Allow {
  const exact = new Set<string>();
  const res: RegExp[] = [];
  for (const p of patterns) {
    if (!p.includes('*')) exact.add(p);
    else res.push(new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`));
  }
  return (v) => exact.has(v) || res.some((r) => r.test(v));
}

export function tierIndex(policy: PolicySettings, name: string | undefined): number {
  if (name === undefined) return -1;
  return policy.tiers.findIndex((t) => t.name === name);
}

function allowlists(list: Array<string[] | undefined>, glob: boolean): Allow[] {
  const out: Allow[] = [];
  for (const l of list) {
    if (l === undefined) continue;
    if (glob) out.push(globMatcher(l));
    else {
      const set = new Set(l);
      out.push((v) => set.has(v));
    }
  }
  return out;
}

export function allows(list: readonly Allow[], value: string): boolean {
  for (const a of list) if (!a(value)) return false;
  return true;
}

export function resolvePrincipal(key: KeyRecord, team: TeamRecord | undefined, policy: PolicySettings): Principal {
  const budgets: ScopedBudget[] = [];
  const limits: ScopedLimit[] = [];
  if (key.budget) budgets.push({ id: `key:${key.id}`, spec: key.budget });
  if (team?.budget) budgets.push({ id: `team:${team.name}`, spec: team.budget });
  if (key.limits) limits.push({ id: `key:${key.id}`, spec: key.limits });
  if (team?.limits) limits.push({ id: `team:${team.name}`, spec: team.limits });
  const sensitivity = Math.max(tierIndex(policy, policy.defaultTier), tierIndex(policy, team?.sensitivity), tierIndex(policy, key.sensitivity));
  const p: Principal = {
    key,
    allowRoute: allowlists([team?.routes, key.routes], true),
    allowTier: allowlists([team?.tiers, key.tiers], false),
    allowProvider: allowlists([team?.providers, key.providers], false),
    sensitivity,
    budgets,
    limits,
    metadata: { ...(team?.metadata ?? {}), ...(key.metadata ?? {}) },
    plain: false,
  };
  p.plain = budgets.length === 0 && limits.length === 0 && p.allowRoute.length === 0 && p.allowTier.length === 0 && p.allowProvider.length === 0;
  if (team) p.team = team;
  return p;
}

/**
 * Problems with a key's settings against its team, for the admin API and CLI to refuse up front
 * (the runtime would narrow anyway; an operator asking for a wider key deserves to be told).
 */
export function wideningProblems(key: Pick<KeyRecord, 'sensitivity' | 'providers' | 'tiers'>, team: TeamRecord | undefined, policy: PolicySettings): string[] {
  const out: string[] = [];
  if (!team) return out;
  if (key.sensitivity !== undefined && team.sensitivity !== undefined && tierIndex(policy, key.sensitivity) < tierIndex(policy, team.sensitivity)) {
    out.push(`sensitivity: "${key.sensitivity}" is less strict than team ${team.name}'s "${team.sensitivity}"`);
  }
  for (const field of ['providers', 'tiers'] as const) {
    const k = key[field];
    const t = team[field];
    if (k && t) {
      const extra = k.filter((v) => !t.includes(v));
      if (extra.length > 0) out.push(`${field}: ${extra.join(', ')} not allowed by team ${team.name}`);
    }
  }
  return out;
}
