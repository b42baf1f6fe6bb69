// Reads a modelplane gateway config (raw YAML, no secrets resolved: a linter must not need the
// API keys) into "which routes serve this model", so a finding can say which route to call.

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { candidates } from './normalise.js';

export interface RouteIndex {
  source: string;
  /** Model candidate (lower-case) -> route names that reach a deployment of it. */
  routesByModel: Map<string, Set<string>>;
}

type Loose = Record<string, unknown>;

const isObject = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export class GatewayConfigError extends Error {}

export function loadRouteIndex(file: string): RouteIndex {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new GatewayConfigError(`cannot read gateway config ${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!isObject(raw) || !isObject(raw.deployments) || !isObject(raw.routes)) {
    throw new GatewayConfigError(`${file} is not a gateway config (expected top-level deployments: and routes:)`);
  }
  return buildRouteIndex(file, raw.deployments, raw.routes);
}

export function buildRouteIndex(source: string, deployments: Loose, routes: Loose): RouteIndex {
  const modelOf = new Map<string, string>();
  const byTier = new Map<string, string[]>();
  for (const [name, d] of Object.entries(deployments)) {
    if (!isObject(d) || typeof d.model !== 'string') continue;
    modelOf.set(name, d.model);
    if (typeof d.tier === 'string') byTier.set(d.tier, [...(byTier.get(d.tier) ?? []), name]);
  }
  const routesByModel = new Map<string, Set<string>>();
  const add = (route: string, deployment: string) => {
    const model = modelOf.get(deployment);
    if (!model) return;
    for (const c of candidates(model)) {
      let set = routesByModel.get(c);
      if (!set) routesByModel.set(c, (set = new Set()));
      set.add(route);
    }
  };
  const plan = (route: string, p: Loose) => {
    for (const t of strings(p.targets)) add(route, t);
    // `tier:` picks a tier's deployments; `strategy: auto` chooses between `tiers:`.
    for (const tier of [...(typeof p.tier === 'string' ? [p.tier] : []), ...strings(p.tiers)]) for (const t of byTier.get(tier) ?? []) add(route, t);
  };
  for (const [name, r] of Object.entries(routes)) {
    if (!isObject(r)) continue;
    plan(name, r);
    if (Array.isArray(r.classes)) for (const c of r.classes) if (isObject(c)) plan(name, c);
  }
  return { source, routesByModel };
}

/** Several gateway configs (staging, production): a model is served by the routes of any of them. */
export function mergeRouteIndexes(indexes: readonly RouteIndex[]): RouteIndex | undefined {
  if (indexes.length <= 1) return indexes[0];
  const merged: RouteIndex = { source: indexes.map((i) => i.source).join(', '), routesByModel: new Map() };
  for (const ix of indexes) {
    for (const [model, set] of ix.routesByModel) {
      const into = merged.routesByModel.get(model) ?? new Set<string>();
      for (const r of set) into.add(r);
      merged.routesByModel.set(model, into);
    }
  }
  return merged;
}

export function routesFor(index: RouteIndex, id: string): string[] {
  for (const c of candidates(id)) {
    const set = index.routesByModel.get(c);
    if (set) return [...set].sort();
  }
  return [];
}

/** The suggestion for one id: a route from the config when one serves it, otherwise how to add one. */
export function suggestionFor(index: RouteIndex | undefined, id: string, provider: string | undefined): { text: string; route?: string } {
  const deployment = `{ provider: ${provider ?? '<provider>'}, model: ${id} }`;
  if (!index) return { text: `call a route (e.g. "chat-default") and map it to this model in the gateway config: deployments: { <name>: ${deployment} }, routes: { chat-default: { targets: [<name>] } }` };
  const routes = routesFor(index, id);
  if (routes.length === 1) return { text: `use route "${routes[0]}"`, route: routes[0]! };
  if (routes.length > 1) return { text: `use one of the routes ${routes.map((r) => `"${r}"`).join(', ')}` };
  return { text: `no route in ${index.source} serves this model: add a deployment ${deployment} and a route that targets it` };
}
