// The error a request gets when no target of its plan can serve it at all. The message names
// the limit, because "no deployment" alone sends people to the wrong config section.

import type { DeploymentSnapshot, RoutingPolicy } from '../config/snapshot.js';
import { GatewayError } from '../spec/errors.js';
import { requiredWindow, type IneligibleKind } from './constraints.js';
import type { RequestNeeds } from './estimate.js';

export interface Rejection {
  dep: DeploymentSnapshot;
  kind: IneligibleKind;
  reason: string;
}

const WHAT: Record<Exclude<IneligibleKind, 'context' | 'policy' | 'max-tokens'>, { text: string; param: string }> = {
  tools: { text: 'supports tools', param: 'tools' },
  vision: { text: 'accepts images', param: 'messages' },
  'json-schema': { text: 'supports json_schema response formats', param: 'response_format' },
  embeddings: { text: 'serves embeddings', param: 'model' },
};

/**
 * Only context windows too small: context_length_exceeded (scope `request`: no other target
 * of this plan would do better). A capability nobody has: unsupported_capability. A mix: the
 * capability error, listing every reason.
 */
export function ineligibleError(where: string, plan: RoutingPolicy, needs: RequestNeeds, rejections: Rejection[]): GatewayError {
  if (plan.targets.length === 0) return new GatewayError('no_healthy_deployment', `${where} has no targets`);
  const kinds = new Set(rejections.map((r) => r.kind));
  if (kinds.has('policy')) {
    // Policy comes first: saying "no deployment supports tools" when the allowed ones were
    // filtered out by policy would send the caller after the wrong fix.
    const policy = rejections.filter((r) => r.kind === 'policy');
    if (policy.length === rejections.length || rejections.length === plan.targets.length) {
      return new GatewayError('policy_denied', `no deployment on ${where} is allowed for this caller: ${rejections.map((r) => r.reason).join('; ')}`);
    }
  }
  if (kinds.size === 1 && kinds.has('context')) {
    let largest = 0;
    for (const r of rejections) largest = Math.max(largest, r.dep.capabilities.contextWindow ?? 0);
    const needed = requiredWindow(needs);
    const parts =
      needs.maxOutputTokens !== undefined
        ? ` (~${needs.estimatedInputTokens} input + ${needs.maxOutputTokens} max output)`
        : '';
    return new GatewayError(
      'context_length_exceeded',
      `request needs ~${needed} tokens${parts}; the largest context window on ${where} is ${largest}`,
      { scope: 'request', param: 'messages' },
    );
  }
  if (kinds.size === 1 && kinds.has('max-tokens')) {
    // The route asked for refusals (max_tokens_above_limit: reject): say what the limit is.
    let largest = 0;
    for (const r of rejections) largest = Math.max(largest, r.dep.capabilities.maxOutputTokens ?? 0);
    return new GatewayError(
      'invalid_request',
      `max_tokens ${needs.maxOutputTokens} is above the output limit of every target of ${where} (the largest is ${largest}); send max_tokens <= ${largest}`,
      { scope: 'request', param: 'max_tokens' },
    );
  }
  if (kinds.size === 1) {
    const what = WHAT[[...kinds][0] as Exclude<IneligibleKind, 'context' | 'policy' | 'max-tokens'>];
    return new GatewayError('unsupported_capability', `no deployment on ${where} ${what.text}`, { param: what.param });
  }
  return new GatewayError(
    'unsupported_capability',
    `no deployment on ${where} can serve this request: ${rejections.map((r) => r.reason).join('; ')}`,
  );
}
