// POST /v1/embeddings: the same route, plan and attempt loop as chat, without streaming.

import type { EmbeddingRequest, EmbeddingResponse } from '../spec/canonical.js';
import { GatewayError } from '../spec/errors.js';
import { fetchJson, runAttempts, type AttemptTrace } from './attempts.js';
import { egressTarget } from './target.js';
import { attemptHeaders, lookupRoute, setAttemptHeaders, type Exchange, type GatewayDeps } from './chat.js';

export interface EmbeddingCodec {
  decode(body: unknown): EmbeddingRequest;
  encode(r: EmbeddingResponse, request: EmbeddingRequest): unknown;
}

export async function handleEmbeddings(deps: GatewayDeps, ex: Exchange, codec: EmbeddingCodec, body: unknown): Promise<void> {
  const request = codec.decode(body);
  const route = lookupRoute(ex.snapshot, request.model);
  const plan = deps.router.plan(route, request, ex.req.headers, ex.startedAt);
  const trace: AttemptTrace = { attempts: 0, failures: [], warnings: [] };
  const input = { route, plan, router: deps.router, egress: deps.egress, cancel: ex.cancel, trace, startedAt: ex.startedAt };
  const log = { request_id: ex.requestId, format: 'openai-embeddings', route: route.name };
  const { res } = ex;
  let r;
  try {
    r = await runAttempts(input, async (attempt, fmt, controller) => {
      if (!fmt.buildEmbeddingRequest || !fmt.parseEmbeddingResponse) {
        throw new GatewayError('unsupported_capability', `deployment ${attempt.deployment.id} cannot serve embeddings (wire format ${attempt.deployment.provider.format})`);
      }
      const t0 = Date.now();
      const upReq = await fmt.buildEmbeddingRequest(request, egressTarget(attempt.deployment, attempt.credential));
      const { json, meta } = await fetchJson(input, attempt, fmt, controller, upReq);
      return { attempt, result: fmt.parseEmbeddingResponse(json, meta), startedAt: t0 };
    }, () => {});
  } catch (e) {
    const err = e instanceof GatewayError ? e : new GatewayError('internal_error', String(e), { cause: e });
    setAttemptHeaders(res, route, undefined, trace);
    if (trace.attempts > 0) res.setHeader('x-should-retry', err.retryable && err.retryAfterMs !== undefined ? 'true' : 'false');
    deps.log.warn({ ...log, status: err.status, attempts: trace.attempts, error: err.code, error_message: err.message }, 'request');
    throw err;
  }
  deps.router.succeeded(r.attempt, Date.now() - r.startedAt, undefined, Date.now());
  const payload = JSON.stringify(codec.encode({ ...r.result, model: request.model }, request));
  const headers = ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(payload)), ...ex.idHeaders];
  res.writeHead(200, attemptHeaders(headers, route, r.attempt, trace));
  res.end(payload);
  deps.log.info({ ...log, deployment: r.attempt.deployment.id, status: 200, latency_ms: Date.now() - ex.startedAt, attempts: trace.attempts, tokens_in: r.result.usage.inputTokens }, 'request');
}
