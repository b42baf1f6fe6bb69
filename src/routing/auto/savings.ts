// What `strategy: auto` saved: the cost of the traffic an auto route served against what the same
// requests would have cost all on its strongest tier, by route and team, with two estimates of
// what the saving cost in quality:
//   est_worse   the router's own estimate: a request sent below the strongest tier with score s
//               had probability 1 - s that the stronger tier's answer would have been better
//   feedback    the measured one: mean caller score (`POST /v1/feedback`) per tier
//
// The counterfactual prices each request's own tokens at the strongest tier's first deployment:
// a stronger model would write a different number of output tokens, so it is an estimate (the
// same one RouteLLM's cost figures make). Cache hits and failed requests cost the same either way.
// A cascaded request costs its final answer (the ledger's figure) plus the answers it replaced
// (recorded with the decision).

import type { AutoRouteSnapshot, Snapshot } from '../../config/snapshot.js';
import { costOf } from '../../governance/cost.js';
import type { Label } from './router-store.js';

/** One request of an auto route, from the ledger (with its decision) or from a request line. */
export interface ServedRequest {
  requestId: string;
  route: string;
  team?: string;
  deployment?: string;
  tier?: string;
  score?: number;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  costUsd: number;
  /** What answers a cascade replaced cost (not in the ledger's figure). */
  cascadeUsd?: number;
  status: number;
  cache?: string;
}

export interface SavingsRow {
  route: string;
  team: string | null;
  requests: number;
  /** Share served above the cheapest tier. */
  strongShare: number;
  costUsd: number;
  allStrongUsd: number;
  savedUsd: number;
  /** savedUsd / allStrongUsd (0 when nothing would have cost anything). */
  savedShare: number;
  /** The router's estimate of the share of requests the strongest tier would have answered better. */
  estWorseShare: number;
  /** Mean feedback score on tiers below the strongest, and on the strongest; null without labels. */
  feedbackCheap: { mean: number; n: number } | null;
  feedbackStrong: { mean: number; n: number } | null;
}

export interface SavingsReport {
  rows: SavingsRow[];
  total: SavingsRow;
  /** Requests of routes that are no longer auto routes in this config (not priced). */
  skipped: number;
  /** Requests whose tier could not be told (neither a decision nor a deployment with a tier). */
  unknownTier: number;
}

interface Acc {
  route: string;
  team: string | null;
  requests: number;
  up: number;
  cost: number;
  strong: number;
  worse: number;
  fbCheap: [number, number];
  fbStrong: [number, number];
}

const acc = (route: string, team: string | null): Acc => ({ route, team, requests: 0, up: 0, cost: 0, strong: 0, worse: 0, fbCheap: [0, 0], fbStrong: [0, 0] });

function row(a: Acc): SavingsRow {
  const saved = a.strong - a.cost;
  const fb = ([s, n]: [number, number]) => (n === 0 ? null : { mean: s / n, n });
  return {
    route: a.route,
    team: a.team,
    requests: a.requests,
    strongShare: a.requests === 0 ? 0 : a.up / a.requests,
    costUsd: a.cost,
    allStrongUsd: a.strong,
    savedUsd: saved,
    savedShare: a.strong > 0 ? saved / a.strong : 0,
    estWorseShare: a.requests === 0 ? 0 : a.worse / a.requests,
    feedbackCheap: fb(a.fbCheap),
    feedbackStrong: fb(a.fbStrong),
  };
}

function tierOf(auto: AutoRouteSnapshot, snapshot: Snapshot, r: ServedRequest): number {
  if (r.tier !== undefined) {
    const i = auto.tiers.findIndex((t) => t.name === r.tier);
    if (i !== -1) return i;
  }
  const t = r.deployment !== undefined ? snapshot.deployments.get(r.deployment)?.tier : undefined;
  return t === undefined ? -1 : auto.tiers.findIndex((x) => x.name === t);
}

/** Adds requests one at a time (the CLI's report, and the gateway's live view since it started). */
export class SavingsAccumulator {
  private readonly groups = new Map<string, Acc>();
  private readonly total = acc('(all)', null);
  private skipped = 0;
  private unknownTier = 0;

  constructor(private readonly labels: ReadonlyMap<string, Label> = new Map()) {}

  add(r: ServedRequest, snapshot: Snapshot): void {
    const auto = snapshot.routes.get(r.route)?.auto;
    if (auto === undefined) {
      this.skipped++;
      return;
    }
    const strongest = auto.tiers.length - 1;
    let index = tierOf(auto, snapshot, r);
    if (index === -1) {
      this.unknownTier++;
      index = strongest; // priced as if it had been the strong tier: no saving claimed
    }
    const top = auto.tiers[strongest]!.plan.targets[0];
    const priced = r.status < 400 && r.cache !== 'hit' && index !== strongest;
    const strongCost = priced ? (costOf(top?.price, { inputTokens: r.inputTokens, outputTokens: r.outputTokens, cacheReadTokens: r.cachedTokens }) ?? r.costUsd) : r.costUsd;
    const key = `${r.route}\u0000${r.team ?? ''}`;
    let g = this.groups.get(key);
    if (g === undefined) this.groups.set(key, (g = acc(r.route, r.team ?? null)));
    const label = this.labels.get(r.requestId);
    for (const a of [g, this.total]) {
      a.requests++;
      if (index > 0) a.up++;
      a.cost += r.costUsd + (r.cascadeUsd ?? 0);
      a.strong += strongCost;
      if (index < strongest && r.score !== undefined) a.worse += 1 - r.score;
      if (label) {
        const f = label.tierIndex >= label.tiers - 1 ? a.fbStrong : a.fbCheap;
        f[0] += label.score;
        f[1]++;
      }
    }
  }

  report(): SavingsReport {
    const rows = [...this.groups.values()].map(row).sort((x, y) => y.savedUsd - x.savedUsd || x.route.localeCompare(y.route));
    return { rows, total: row(this.total), skipped: this.skipped, unknownTier: this.unknownTier };
  }
}

export function savings(requests: Iterable<ServedRequest>, snapshot: Snapshot, labels: readonly Label[] = []): SavingsReport {
  const a = new SavingsAccumulator(new Map(labels.map((l) => [l.requestId, l])));
  for (const r of requests) a.add(r, snapshot);
  return a.report();
}
