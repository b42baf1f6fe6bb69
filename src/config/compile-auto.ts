// Compiles a `strategy: auto` route: its tiers (named, or the route's targets grouped by their
// deployments' tiers, cheapest first), one plan per tier with the other tiers behind it as
// fallback, and the router (the shipped `default`, or a weights file from `modelplane router train`).

import type { DeploymentSnapshot, RouteSnapshot, RoutingPolicy, AutoTier } from './snapshot.js';
import type { Config, RouteConfig } from './schema.js';
import { loadRouter } from '../routing/auto/load.js';
import { thresholdForShare } from '../routing/auto/model.js';
import type { PlanCompiler } from './compile.js';

const DEFAULT_THRESHOLD = 0.5;

function tierGroups(path: string, r: RouteConfig, deployments: Map<string, DeploymentSnapshot>, problems: string[]): Array<{ name: string; members: DeploymentSnapshot[] }> {
  if (r.tiers) {
    if (r.targets) problems.push(`${path}: an auto route takes tiers or targets, not both`);
    return r.tiers.map((name, i) => {
      const members = [...deployments.values()].filter((d) => d.tier === name);
      if (members.length === 0) problems.push(`${path}.tiers[${i}]: no deployment has tier "${name}"`);
      return { name, members };
    });
  }
  if (!r.targets) {
    problems.push(`${path}: an auto route needs tiers (cheapest first), or targets whose deployments have tiers`);
    return [];
  }
  const groups: Array<{ name: string; members: DeploymentSnapshot[] }> = [];
  r.targets.forEach((id, i) => {
    const d = deployments.get(id);
    if (!d) return; // reported by the plan compiler
    if (d.tier === undefined) problems.push(`${path}.targets[${i}]: deployment "${id}" has no tier (an auto route groups its targets by tier)`);
    const tier = d.tier ?? '?';
    let g = groups.find((x) => x.name === tier);
    if (!g) groups.push((g = { name: tier, members: [] }));
    g.members.push(d);
  });
  if (groups.length < 2) problems.push(`${path}: an auto route needs deployments of at least two tiers`);
  return groups;
}

export function compileAutoRoute(
  path: string,
  name: string,
  r: RouteConfig,
  deployments: Map<string, DeploymentSnapshot>,
  config: Config,
  problems: string[],
  source: string | undefined,
  compilePlan: PlanCompiler,
): RouteSnapshot | undefined {
  if (r.classes?.length) problems.push(`${path}.classes: an auto route picks its tier with the router; request classes are not supported on it`);
  if (r.kind === 'embeddings') problems.push(`${path}: an auto route serves chat`);
  const groups = tierGroups(path, r, deployments, problems);
  if (groups.length < 2 || groups.some((g) => g.members.length === 0)) return undefined;
  const { tiers: _t, auto: _a, targets: _g, tier: _tier, strategy: _s, ...rest } = r;
  const tiers: AutoTier[] = groups.map((g, i) => {
    // This tier first, then the stronger tiers (quality kept), then the cheaper ones.
    const order = [g, ...groups.slice(i + 1), ...groups.slice(0, i).reverse()].flatMap((x) => x.members.map((d) => d.id));
    const plan: RoutingPolicy = compilePlan(`${path} (tier ${g.name})`, { ...rest, targets: order, strategy: 'ordered' }, undefined, deployments, config, problems);
    return { name: g.name, plan };
  });
  const a = r.auto ?? {};
  let router;
  try {
    router = loadRouter(a.router ?? 'default', source);
  } catch (e) {
    problems.push(`${path}.auto.router: ${(e as Error).message}`);
    return undefined;
  }
  if (a.threshold !== undefined && a.strong_share !== undefined) problems.push(`${path}.auto: give threshold or strong_share, not both`);
  const threshold = a.strong_share !== undefined ? thresholdForShare(router.calibration, a.strong_share) : a.threshold ?? DEFAULT_THRESHOLD;
  const first = tiers[0]!.plan;
  const route: RouteSnapshot = {
    name,
    ...first,
    classes: [],
    exposeDeployment: r.expose_deployment ?? true,
    kind: 'chat',
    resumeStreams: r.resume_streams ?? false,
    auto: { tiers, routerName: a.router ?? 'default', router, threshold, text: a.text ?? 'last_user_and_system', cascade: a.cascade === true || typeof a.cascade === 'object', cascadeStreams: typeof a.cascade === 'object' && a.cascade.stream === 'buffer' },
  };
  if (a.strong_share !== undefined) route.auto!.strongShare = a.strong_share;
  return route;
}
