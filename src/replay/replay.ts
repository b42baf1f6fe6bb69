// What-if cost replay: prices recorded traffic under another routing config. Each record is
// planned by the candidate config's route (its class when the record names one that still
// exists) and priced over the targets that plan would use, weighted by how it would spread
// traffic. What cannot be known from a log is an assumption, and every report states them.
import type { DeploymentSnapshot, Price, RouteSnapshot, Snapshot, RoutingPolicy } from '../config/snapshot.js';
import type { ReplayFilter, ReplayRecord, ReplaySource } from './source.js';
import type { OutputRatioLookup } from './output-ratios.js';
import { ReplayBudgets, type BudgetOutcome } from './budgets.js';

export function tokenCost(p: Price, tokensIn: number, tokensOut: number, cacheRead = 0): number {
  const cr = Math.min(cacheRead, tokensIn);
  return ((tokensIn - cr) * p.inputPerMTok + cr * (p.cacheReadPerMTok ?? p.inputPerMTok) + tokensOut * p.outputPerMTok) / 1e6;
}

/** How a plan would spread requests over its targets (shares summing to 1). */
export function spread(plan: RoutingPolicy): Array<{ d: DeploymentSnapshot; share: number }> {
  const t = plan.targets;
  if (t.length === 0) return [];
  switch (plan.strategy) {
    case 'weighted': {
      const sum = plan.weights.reduce((a, b) => a + b, 0);
      return sum > 0 ? t.map((d, i) => ({ d, share: (plan.weights[i] ?? 0) / sum })).filter((x) => x.share > 0) : [{ d: t[0]!, share: 1 }];
    }
    case 'cost': {
      const priced = t.filter((d) => d.price);
      const cheapest = priced.sort((a, b) => a.price!.inputPerMTok + a.price!.outputPerMTok - (b.price!.inputPerMTok + b.price!.outputPerMTok))[0];
      return [{ d: cheapest ?? t[0]!, share: 1 }];
    }
    case 'least-latency':
    case 'least-busy':
      // Depends on live latency and load, which a log cannot replay: assume an even split.
      return t.map((d) => ({ d, share: 1 / t.length }));
    case 'ordered':
      return [{ d: t[0]!, share: 1 }];
  }
}

function planFor(route: RouteSnapshot, className: string | undefined): RoutingPolicy {
  return (className !== undefined && route.classes.find((c) => c.name === className)) || route;
}

export interface ReplayGroup {
  key: string;
  requests: number;
  /** Requests both sides could price. */
  priced: number;
  actualUsd: number;
  replayUsd: number;
  /** Of the priced requests, what the replay would spend relative to what was spent: (replay - actual) / actual. */
  delta: number | null;
}

export interface ReplayReport {
  since?: string;
  records: number;
  skipped: { failed: number; unpriced: number; routeNotInPolicy: number };
  total: ReplayGroup;
  routes: ReplayGroup[];
  teams: ReplayGroup[];
  /** Per route: where the policy would send its traffic. */
  targets: Record<string, Array<{ deployment: string; share: number }>>;
  /** Output-token re-estimates used: from the deployment that served to the one the policy plans, measured on shadow pairs. */
  outputTokens: Array<{ route: string; from: string; to: string; ratio: number; pairs: number; basis: string; records: number }>;
  /** The policy's team and global budgets over the replayed spend; refused requests cost nothing in the replay. */
  budgets: BudgetOutcome[];
  assumptions: string[];
}

export interface ReplayOptions {
  /** The candidate config. */
  policy: Snapshot;
  /** The config the traffic ran under, to price records the gateway did not price (default: the policy's deployments of the same name). */
  current?: Snapshot;
  filter?: ReplayFilter;
  /** Output-token ratios between deployments (from shadow pairs); without one, recorded output tokens are reused. */
  outputRatio?: OutputRatioLookup;
}

const RECORDED_OUTPUT = 'output tokens are the recorded ones where no shadow pairs measured the planned deployment against the one that served: tokenizers and answer lengths differ between model families, often by 5-20%';
const MEASURED_OUTPUT = 'where shadow pairs compared the deployment that served with the planned one (at least 10 pairs, on the route or else between the same two providers), output tokens are scaled by the measured ratio; elsewhere the recorded ones are reused';

const ASSUMPTIONS = [
  'the recorded cache hit rate carries over: a cache hit costs nothing on either side',
  'budgets: the policy\'s team and global budgets are applied per UTC period in record order (a request an enforced budget would refuse costs nothing here); key, customer and agent budgets are not modelled',
  'no fallbacks: each request is priced on the target(s) the policy plans first; a fallback rate of f adds up to f x the second target\'s price',
  'least-latency and least-busy routes are assumed to split evenly over their targets',
  'failed requests (status >= 400) are left out on both sides',
];

function group(key: string): ReplayGroup {
  return { key, requests: 0, priced: 0, actualUsd: 0, replayUsd: 0, delta: null };
}

function actualCost(r: ReplayRecord, current: Snapshot | undefined): number | undefined {
  if (r.cache === 'hit') return 0;
  if (r.costUsd !== undefined) return r.costUsd;
  const p = r.deployment !== undefined ? current?.deployments.get(r.deployment)?.price : undefined;
  return p ? tokenCost(p, r.tokensIn, r.tokensOut, r.tokensCacheRead) : undefined;
}

type RatioUse = ReplayReport['outputTokens'][number];

function replayCost(r: ReplayRecord, route: RouteSnapshot, ratio: OutputRatioLookup | undefined, used: Map<string, RatioUse>): number | undefined {
  if (r.cache === 'hit') return 0;
  let sum = 0;
  for (const { d, share } of spread(planFor(route, r.className))) {
    if (!d.price) return undefined;
    const m = ratio && r.deployment !== undefined ? ratio(r.route, r.deployment, d.id) : undefined;
    if (m) {
      const k = `${r.route}\u0000${r.deployment}\u0000${d.id}`;
      const u = used.get(k) ?? { route: r.route, from: r.deployment!, to: d.id, ratio: m.ratio, pairs: m.pairs, basis: m.basis, records: 0 };
      u.records++;
      used.set(k, u);
    }
    sum += share * tokenCost(d.price, r.tokensIn, m ? r.tokensOut * m.ratio : r.tokensOut, r.tokensCacheRead);
  }
  return sum;
}

export async function replay(source: ReplaySource, opts: ReplayOptions): Promise<ReplayReport> {
  const total = group('total');
  const routes = new Map<string, ReplayGroup>();
  const teams = new Map<string, ReplayGroup>();
  const skipped = { failed: 0, unpriced: 0, routeNotInPolicy: 0 };
  let records = 0;
  const budgets = new ReplayBudgets(opts.policy);
  const used = new Map<string, RatioUse>();
  const get = (m: Map<string, ReplayGroup>, k: string) => {
    let g = m.get(k);
    if (!g) m.set(k, (g = group(k)));
    return g;
  };
  for await (const r of source.records(opts.filter ?? {})) {
    records++;
    if (r.status >= 400) {
      skipped.failed++;
      continue;
    }
    const route = opts.policy.routes.get(r.route);
    if (!route) {
      skipped.routeNotInPolicy++;
      continue;
    }
    const gs = [total, get(routes, r.route), get(teams, r.team ?? '(none)')];
    for (const g of gs) g.requests++;
    const a = actualCost(r, opts.current ?? opts.policy);
    let b = replayCost(r, route, opts.outputRatio, used);
    if (a === undefined || b === undefined) {
      skipped.unpriced++;
      continue;
    }
    if (!budgets.charge(r.at, r.team, b)) b = 0;
    for (const g of gs) {
      g.priced++;
      g.actualUsd += a;
      g.replayUsd += b;
    }
  }
  const finish = (g: ReplayGroup) => ((g.delta = g.actualUsd > 0 ? (g.replayUsd - g.actualUsd) / g.actualUsd : null), g);
  const targets: ReplayReport['targets'] = {};
  for (const name of routes.keys()) targets[name] = spread(opts.policy.routes.get(name)!).map((x) => ({ deployment: x.d.id, share: x.share }));
  const report: ReplayReport = {
    records,
    skipped,
    total: finish(total),
    routes: [...routes.values()].map(finish).sort((x, y) => x.key.localeCompare(y.key)),
    teams: [...teams.values()].map(finish).sort((x, y) => x.key.localeCompare(y.key)),
    targets,
    outputTokens: [...used.values()],
    budgets: budgets.report(),
    assumptions: [opts.outputRatio ? MEASURED_OUTPUT : RECORDED_OUTPUT, ...ASSUMPTIONS],
  };
  if (opts.filter?.since !== undefined) report.since = new Date(opts.filter.since).toISOString();
  return report;
}

const usd = (n: number) => `$${n.toFixed(4)}`;
const pct = (d: number | null) => (d === null ? '-' : `${d >= 0 ? '+' : ''}${(100 * d).toFixed(1)}%`);

export function formatReplay(r: ReplayReport): string {
  const lines = [`replayed ${r.records} requests${r.since ? ` since ${r.since}` : ''} (left out: ${r.skipped.failed} failed, ${r.skipped.unpriced} unpriced, ${r.skipped.routeNotInPolicy} on routes the policy lacks)`];
  const row = (label: string, g: ReplayGroup) => `${label.padEnd(28)} ${String(g.requests).padStart(8)} ${usd(g.actualUsd).padStart(12)} ${usd(g.replayUsd).padStart(12)} ${pct(g.delta).padStart(9)}`;
  lines.push(`${'route'.padEnd(28)} ${'requests'.padStart(8)} ${'actual'.padStart(12)} ${'replay'.padStart(12)} ${'delta'.padStart(9)}`);
  for (const g of r.routes) lines.push(`${row(g.key, g)}   -> ${r.targets[g.key]!.map((t) => `${t.deployment} ${(100 * t.share).toFixed(0)}%`).join(', ')}`);
  lines.push(row('total', r.total));
  if (r.teams.length > 1 || r.teams[0]?.key !== '(none)') {
    lines.push('', `${'team'.padEnd(28)} ${'requests'.padStart(8)} ${'actual'.padStart(12)} ${'replay'.padStart(12)} ${'delta'.padStart(9)}`);
    for (const g of r.teams) lines.push(row(g.key, g));
  }
  if (r.outputTokens.length > 0) {
    lines.push('', 'output tokens re-estimated (measured on shadow pairs):');
    for (const o of r.outputTokens) lines.push(`  ${o.route}: ${o.from} -> ${o.to} x${o.ratio.toFixed(3)} (${o.pairs} pairs, by ${o.basis}; ${o.records} records)`);
  }
  if (r.budgets.length > 0) {
    lines.push('', 'budgets of the policy over the replayed spend:');
    for (const b of r.budgets) lines.push(`  ${b.budget.padEnd(24)} ${usd(b.limitUsd)}/${b.period}  peak ${usd(b.peakUsd)}  ${b.refused} ${b.enforce ? 'refused' : 'would be refused (enforce: false)'}`);
  }
  lines.push('', 'assumptions:', ...r.assumptions.map((a) => `  - ${a}`));
  return lines.join('\n') + '\n';
}
