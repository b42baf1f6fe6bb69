// Request classes: a route may send some requests to a sub-plan (tool calls to a model that is
// good at them, long prompts to a long-context tier, a header-selected canary). The first class
// whose rule fully matches wins; otherwise the route's own plan applies.

import type { RequestClassRule, RouteSnapshot, RoutingPolicy } from '../config/snapshot.js';
import type { RequestNeeds } from './estimate.js';

export type HeaderMap = Record<string, string | string[] | undefined>;

export interface PlanSelection {
  plan: RoutingPolicy;
  className?: string;
}

/**
 * `req` only needs its metadata, so embedding requests (which have none) can pass `{}`.
 * Header names are looked up lowercased (Node's IncomingMessage lowercases them) and values
 * compared case-insensitively; metadata keys and values are compared exactly, since they are
 * the caller's own data.
 */
export function selectPlan(
  route: RouteSnapshot,
  req: { metadata?: Record<string, string> | undefined },
  headers: HeaderMap,
  needs: RequestNeeds,
): PlanSelection {
  for (const cls of route.classes) {
    if (matches(cls.when, req.metadata, headers, needs)) return { plan: cls, className: cls.name };
  }
  return { plan: route };
}

export function matches(
  rule: RequestClassRule,
  metadata: Record<string, string> | undefined,
  headers: HeaderMap,
  needs: RequestNeeds,
): boolean {
  if (rule.header !== undefined && !headerMatches(headers, rule.header.name, rule.header.equals)) return false;
  if (rule.metadata !== undefined) {
    const value = metadata?.[rule.metadata.key];
    if (value === undefined) return false;
    if (rule.metadata.equals !== undefined && value !== rule.metadata.equals) return false;
  }
  if (rule.hasTools !== undefined && rule.hasTools !== needs.tools) return false;
  if (rule.hasImages !== undefined && rule.hasImages !== needs.vision) return false;
  if (rule.minInputTokens !== undefined && needs.estimatedInputTokens < rule.minInputTokens) return false;
  if (rule.maxInputTokens !== undefined && needs.estimatedInputTokens > rule.maxInputTokens) return false;
  return true;
}

function headerMatches(headers: HeaderMap, name: string, equals: string | undefined): boolean {
  const raw = headers[name.toLowerCase()] ?? headers[name];
  if (raw === undefined) return false;
  if (equals === undefined) return true;
  const want = equals.toLowerCase();
  if (Array.isArray(raw)) return raw.some((v) => v.trim().toLowerCase() === want);
  return raw.trim().toLowerCase() === want;
}
