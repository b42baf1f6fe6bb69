// max_tokens above a deployment's known output limit is clamped to the limit before any egress
// format sees the request, so a provider never answers 400 for a limit we knew about. Routes
// that prefer a refusal set `max_tokens_above_limit: reject`; the planner then rules such
// deployments out before an attempt is made (routing/constraints.ts).
import type { EgressFormat } from '../spec/wire.js';

export function withOutputLimit(format: EgressFormat): EgressFormat {
  const wrapped: EgressFormat = Object.create(format) as EgressFormat;
  wrapped.buildRequest = (req, target) => {
    const limit = target.maxOutputTokens;
    if (limit === undefined || req.maxTokens === undefined || req.maxTokens <= limit) return format.buildRequest(req, target);
    const warning = `max_tokens ${req.maxTokens} clamped to ${limit}: the deployment's output limit`;
    const out = format.buildRequest({ ...req, maxTokens: limit }, target);
    // Bedrock signs its request asynchronously; the others build it synchronously.
    if (out instanceof Promise) return out.then((r) => (r.warnings.push(warning), r));
    out.warnings.push(warning);
    return out;
  };
  return wrapped;
}
