// Data-sensitivity policy and allowlists as a deployment filter. The result is the planner's
// `call.exclude`: it runs before routing, so no fallback, hedge or resumed stream can reach a
// deployment outside it. A reason string names the rule, so a 403 can say which rule excluded
// which target.

import type { DeploymentSnapshot, ProviderSnapshot } from '../config/snapshot.js';
import { GatewayError } from '../spec/errors.js';
import { allows, type Principal } from './hierarchy.js';
import type { PolicySettings, SensitivityRule } from './types.js';

export type Exclude = (d: DeploymentSnapshot) => string | undefined;

/** Why a provider fails a tier's rule, or undefined when it passes. */
export function ruleViolation(tier: string, rule: SensitivityRule, p: ProviderSnapshot): string | undefined {
  if (rule.providers && !rule.providers.includes(p.id)) return `sensitivity "${tier}" allows providers [${rule.providers.join(', ')}], not ${p.id}`;
  if (rule.jurisdictions && (p.jurisdiction === undefined || !rule.jurisdictions.includes(p.jurisdiction))) {
    return `sensitivity "${tier}" allows jurisdictions [${rule.jurisdictions.join(', ')}], provider ${p.id} is ${p.jurisdiction ?? 'of unknown jurisdiction'}`;
  }
  if (rule.retention && (p.retention === undefined || !rule.retention.includes(p.retention))) {
    return `sensitivity "${tier}" allows retention [${rule.retention.join(', ')}], provider ${p.id} is ${p.retention ?? 'of unknown retention'}`;
  }
  if (rule.trainsOnData === false && p.trainsOnData !== false) return `sensitivity "${tier}" excludes providers that may train on data (${p.id}${p.trainsOnData === undefined ? ': not declared' : ''})`;
  return undefined;
}

/**
 * The request's tier: the caller's (key, team, policy default), raised by the
 * `x-modelplane-sensitivity` header when it names a stricter tier. A weaker or unknown tier in
 * the header is a 400: silently ignoring it would hide a misconfigured client.
 */
export function requestTier(policy: PolicySettings, callerTier: number, header: string | undefined): number {
  if (header === undefined || header === '') return callerTier;
  const i = policy.tiers.findIndex((t) => t.name === header);
  if (i === -1) {
    throw new GatewayError('invalid_request', `x-modelplane-sensitivity: unknown tier "${header.slice(0, 64)}" (known: ${policy.tiers.map((t) => t.name).join(', ') || 'none'})`, { param: 'x-modelplane-sensitivity' });
  }
  if (i < callerTier) {
    throw new GatewayError('invalid_request', `x-modelplane-sensitivity: "${header}" is less strict than this key's tier "${policy.tiers[callerTier]!.name}"; a request may raise its tier, never lower it`, { param: 'x-modelplane-sensitivity' });
  }
  return i;
}

/** The deployment filter for one request; undefined when nothing restricts it (the fast path). */
export function buildExclude(policy: PolicySettings, tier: number, principal: Principal | undefined): Exclude | undefined {
  const t = tier >= 0 ? policy.tiers[tier] : undefined;
  const rule = t && Object.keys(t.rule).length > 0 ? t : undefined;
  const providers = principal?.allowProvider ?? [];
  const tiers = principal?.allowTier ?? [];
  if (!rule && providers.length === 0 && tiers.length === 0) return undefined;
  // Each reason names the deployment, so the planner's 403 says which rule excluded which target.
  return (d) => {
    if (providers.length > 0 && !allows(providers, d.provider.id)) return `${d.id}: key ${principal!.key.name}: provider ${d.provider.id} is not in its provider allowlist`;
    if (tiers.length > 0 && (d.tier === undefined || !allows(tiers, d.tier))) return `${d.id}: key ${principal!.key.name}: tier ${d.tier ?? '(none)'} is not in its tier allowlist`;
    const why = rule ? ruleViolation(rule.name, rule.rule, d.provider) : undefined;
    return why === undefined ? undefined : `${d.id}: ${why}`;
  };
}

/**
 * Checks a plan's targets before routing: when the filter leaves none, a 403 naming which rule
 * excluded which target (the planner would otherwise report "no healthy deployment").
 */
export function assertSomeEligible(targets: readonly DeploymentSnapshot[], exclude: Exclude | undefined, route: string): void {
  if (!exclude || targets.length === 0) return;
  const reasons: string[] = [];
  for (const d of targets) {
    const why = exclude(d);
    if (why === undefined) return;
    reasons.push(why);
  }
  throw new GatewayError('policy_denied', `Policy denied: no deployment of route "${route}" may serve this request. ${reasons.join('; ')}.`);
}
