// The producer of POST /v1/embeddings: the same plan and attempt loop as chat, without streaming.

import type { EmbeddingRequest } from '../spec/canonical.js';
import { GatewayError } from '../spec/errors.js';
import type { Answer, Call } from './call.js';
import { fetchJson, runAttempts, verdicts, type LoopInput } from './attempts.js';
import { egressTarget } from './target.js';
import type { GatewayDeps } from './deps.js';
import type { Lifecycle } from './lifecycle.js';

export async function produceEmbeddings(deps: GatewayDeps, lifecycle: Lifecycle, call: Call): Promise<Answer> {
  const request = call.request as EmbeddingRequest;
  const plan = deps.router.plan(call.route!, request, call.ex.req.headers, call.ex.startedAt, call.needs, call.exclude);
  const input: LoopInput = { call, plan, egress: deps.egress, lifecycle };
  const r = await runAttempts(input, async (attempt, fmt, controller) => {
    if (!fmt.buildEmbeddingRequest || !fmt.parseEmbeddingResponse) {
      throw new GatewayError('unsupported_capability', `deployment ${attempt.deployment.id} cannot serve embeddings (wire format ${attempt.deployment.provider.format})`);
    }
    const t0 = call.ex.clock();
    const upReq = await fmt.buildEmbeddingRequest(request, egressTarget(attempt.deployment, attempt.credential));
    const { json, meta } = await fetchJson(input, attempt, fmt, controller, upReq);
    return { attempt, result: fmt.parseEmbeddingResponse(json, meta), startedAt: t0 };
  }, () => {});
  const now = call.ex.clock();
  verdicts.succeeded(input, r.attempt, now - r.startedAt, undefined, now);
  call.outcome.attempt = r.attempt;
  call.outcome.usage = { inputTokens: r.result.usage.inputTokens, outputTokens: 0 };
  return { kind: 'embeddings', response: { ...r.result, model: request.model } };
}
