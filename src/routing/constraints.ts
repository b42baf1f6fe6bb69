// Hard constraints: can this deployment serve this request at all? Checked once per request,
// before the strategy orders anything, so a vision request never lands on a text-only model
// just because it was fastest.

import type { DeploymentSnapshot } from '../config/snapshot.js';
import type { RequestNeeds } from './estimate.js';

/**
 * Why a deployment was ruled out; `context` failures become context_length_exceeded, `policy`
 * (the caller's allowlist or data-sensitivity tier, via the call's `exclude`) policy_denied.
 */
export type IneligibleKind = 'tools' | 'vision' | 'json-schema' | 'embeddings' | 'context' | 'policy';

export type Eligibility = { ok: true } | { ok: false; kind: IneligibleKind; reason: string };

const OK: Eligibility = { ok: true };

export function eligible(dep: DeploymentSnapshot, needs: RequestNeeds): Eligibility {
  const caps = dep.capabilities;
  if (needs.embeddings && !caps.embeddings) {
    return { ok: false, kind: 'embeddings', reason: `deployment ${dep.id} does not serve embeddings` };
  }
  if (needs.tools && !caps.tools) {
    return { ok: false, kind: 'tools', reason: `deployment ${dep.id} does not support tools` };
  }
  if (needs.vision && !caps.vision) {
    return { ok: false, kind: 'vision', reason: `deployment ${dep.id} does not accept images` };
  }
  if (needs.jsonSchema && !caps.jsonSchema) {
    return { ok: false, kind: 'json-schema', reason: `deployment ${dep.id} does not support json_schema response formats` };
  }
  const window = caps.contextWindow;
  if (window !== undefined) {
    const needed = requiredWindow(needs);
    if (needed > window) {
      return {
        ok: false,
        kind: 'context',
        reason: `deployment ${dep.id}: request needs ~${needed} tokens, context window is ${window}`,
      };
    }
  }
  return OK;
}

/**
 * Tokens the request occupies in a context window: the prompt plus the output the client asked
 * room for. Without `max_tokens` only the prompt counts; the provider picks an output limit
 * that fits.
 */
export function requiredWindow(needs: RequestNeeds): number {
  return needs.estimatedInputTokens + (needs.maxOutputTokens ?? 0);
}
