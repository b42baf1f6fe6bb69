// The producer of POST /v1/messages/count_tokens: the count of the provider the route would
// send the prompt to, where its wire format can ask for one (EgressFormat.buildCountTokensRequest:
// Anthropic count_tokens, Gemini countTokens), else the local estimate. The answer says which in
// `x-modelplane-token-count: upstream; deployment=<id>` or `estimate`. Only the first target
// that can count is asked, once (a count is advice, not worth a fallback chain), and the call's
// policy filter applies: a prompt never goes to a provider its key may not reach.

import type { DeploymentSnapshot, RouteSnapshot, Timeouts } from '../config/snapshot.js';
import { encodeCountTokensResponse } from '../formats/anthropic-messages/index.js';
import { requestInputTokens } from '../governance/token-estimate.js';
import type { CanonicalRequest } from '../spec/canonical.js';
import type { Answer, Call } from './call.js';
import { AttemptAbort } from './cancel.js';
import type { GatewayDeps } from './deps.js';
import { egressTarget } from './target.js';
import { callUpstreamBuffered } from './upstream.js';

export const TOKEN_COUNT_HEADER = 'x-modelplane-token-count';
/** A count is advice: never hold the client longer than this for one (the estimate answers instead). */
const COUNT_TIMEOUT_MS = 5_000;

function countTimeouts(t: Timeouts): Timeouts {
  return { connectMs: Math.min(t.connectMs, COUNT_TIMEOUT_MS), firstByteMs: Math.min(t.firstByteMs, COUNT_TIMEOUT_MS), totalMs: Math.min(t.totalMs, COUNT_TIMEOUT_MS) };
}

function* candidates(route: RouteSnapshot): Iterable<DeploymentSnapshot> {
  yield* route.targets;
  for (const c of route.classes) yield* c.targets;
}

async function askUpstream(deps: GatewayDeps, call: Call, request: CanonicalRequest): Promise<{ tokens: number; deployment: string } | undefined> {
  for (const d of candidates(call.route!)) {
    if (call.exclude?.(d) !== undefined) continue;
    const fmt = deps.egress[d.provider.format];
    if (!fmt?.buildCountTokensRequest || !fmt.parseCountTokensResponse) continue;
    try {
      const up = await callUpstreamBuffered(fmt.buildCountTokensRequest(request, egressTarget(d, d.credentials[0])), countTimeouts(d.timeouts), new AttemptAbort(), `count_tokens on ${d.id}`, d.upstreamLimits);
      if (up.status >= 200 && up.status < 300) {
        const tokens = fmt.parseCountTokensResponse(JSON.parse(up.body.toString('utf8')));
        if (tokens !== undefined) return { tokens, deployment: d.id };
      }
      deps.log.warn({ request_id: call.ex.requestId, deployment: d.id, status: up.status }, 'count_tokens: the upstream gave no count; answering with the local estimate');
    } catch (err) {
      deps.log.warn({ request_id: call.ex.requestId, deployment: d.id, err: String(err) }, 'count_tokens: the upstream count failed; answering with the local estimate');
    }
    return undefined;
  }
  return undefined;
}

export async function produceCountTokens(deps: GatewayDeps, call: Call): Promise<Answer> {
  const request = call.request as CanonicalRequest;
  const counted = await askUpstream(deps, call, request);
  if (counted) {
    call.headers.push(TOKEN_COUNT_HEADER, `upstream; deployment=${counted.deployment}`);
    return { kind: 'json', status: 200, body: encodeCountTokensResponse(counted.tokens) };
  }
  // The calibrated character-class estimate (governance/token-estimate.ts): it errs high, never
  // by the factor of two that four characters per token misses Chinese text or code by.
  call.headers.push(TOKEN_COUNT_HEADER, 'estimate');
  return { kind: 'json', status: 200, body: encodeCountTokensResponse(requestInputTokens(request)) };
}
