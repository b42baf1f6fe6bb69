// Opt-in mid-stream resumption (route `resume_streams: true`). When an upstream fails after text
// already reached the client, the request is sent to the next deployment with the partial answer
// as an assistant prefill, and its continuation is spliced into the same client stream.
//
// When this is sound, and so when it is attempted (docs/reliability.md has the reasoning):
// - the output so far is plain text: a half-streamed tool call or reasoning block cannot be
//   continued by another model (arguments would be re-generated from scratch, and reasoning
//   signatures are bound to the model that produced them);
// - the request does not ask for reasoning (Anthropic rejects prefill with extended thinking);
// - the next deployment continues a trailing assistant message instead of answering it anew
//   (`capabilities.prefill`: Anthropic does, by default; most OpenAI-compatible servers do not).
// The continuation is another sample, possibly from another model: the seam is consistent text,
// not the text the first model would have written. The prompt is billed again.

import type { CanonicalRequest } from '../spec/canonical.js';
import type { GatewayError } from '../spec/errors.js';
import type { RouteSnapshot } from '../config/snapshot.js';
import type { AttemptSequence } from './router.js';

export function resumable(route: RouteSnapshot, request: CanonicalRequest): boolean {
  return route.resumeStreams && request.reasoning === undefined && (request.n ?? 1) === 1;
}

/** The original request plus the partial answer as a trailing assistant message (prefill). */
export function continuationRequest(request: CanonicalRequest, partial: string): CanonicalRequest {
  // Anthropic rejects a prefill that ends in white space; the trimmed tail is restored by the
  // caller (the client already has it) by dropping leading white space from the continuation.
  return { ...request, messages: [...request.messages, { role: 'assistant', content: [{ type: 'text', text: partial.trimEnd() }] }] };
}

/** The rest of the plan, restricted to deployments that continue a prefill. */
export function prefillPlan(plan: AttemptSequence, failure: GatewayError): AttemptSequence {
  let first = true;
  return {
    ...plan,
    next(now, lastError) {
      for (;;) {
        const a = plan.next(now, first ? failure : lastError ?? failure);
        first = false;
        if (!a || a.deployment.capabilities.prefill) return a;
      }
    },
  };
}
