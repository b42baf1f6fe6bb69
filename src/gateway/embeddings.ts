// POST /v1/embeddings: same route/plan/fallback machinery as chat, without streaming.

import type { EmbeddingRequest, EmbeddingResponse } from '../spec/canonical.js';
import { GatewayError } from '../spec/errors.js';
import type { EgressFormat } from '../spec/wire.js';
import { callUpstream, transportError } from './upstream.js';
import { AttemptAbort } from './cancel.js';
import { egressTarget } from './target.js';
import { lookupRoute, type Exchange, type GatewayDeps } from './chat.js';

export interface EmbeddingCodec {
  decode(body: unknown): EmbeddingRequest;
  encode(r: EmbeddingResponse, request: EmbeddingRequest): unknown;
}

export async function handleEmbeddings(deps: GatewayDeps, ex: Exchange, codec: EmbeddingCodec, body: unknown): Promise<void> {
  const request = codec.decode(body);
  const route = lookupRoute(ex.snapshot, request.model);
  const plan = deps.router.plan(route, request, ex.req.headers, ex.startedAt);
  let attempts = 0;
  const failures: string[] = [];
  let lastError: GatewayError | undefined;
  for (;;) {
    const attempt = plan.next(Date.now(), lastError);
    if (!attempt) break;
    if (attempt.delayMs > 0) await new Promise((r) => setTimeout(r, attempt.delayMs));
    const fmt: EgressFormat | undefined = deps.egress[attempt.deployment.provider.format];
    if (!fmt?.buildEmbeddingRequest || !fmt.parseEmbeddingResponse) {
      throw new GatewayError('unsupported_capability', `deployment ${attempt.deployment.id} cannot serve embeddings (wire format ${attempt.deployment.provider.format})`);
    }
    attempts++;
    deps.router.started(attempt);
    const t0 = Date.now();
    try {
      const upReq = await fmt.buildEmbeddingRequest(request, egressTarget(attempt.deployment, attempt.credential));
      const controller = new AttemptAbort();
      const off = ex.cancel.on((reason) => controller.abort(reason));
      const up = await callUpstream(upReq, attempt.deployment.timeouts, controller, `deployment ${attempt.deployment.id}`).finally(off);
      let result: EmbeddingResponse;
      try {
        if (up.status < 200 || up.status >= 300) throw fmt.parseError(await up.body.text(), { status: up.status, headers: up.headers });
        result = fmt.parseEmbeddingResponse(await up.body.json(), { status: up.status, headers: up.headers });
      } finally {
        up.done();
      }
      deps.router.succeeded(attempt, Date.now() - t0, undefined, Date.now());
      const payload = JSON.stringify(codec.encode({ ...result, model: request.model }, request));
      ex.res.setHeader('x-modelplane-route', route.name);
      ex.res.setHeader('x-modelplane-attempts', String(attempts));
      ex.res.setHeader('x-modelplane-deployment', attempt.deployment.id);
      if (failures.length) ex.res.setHeader('x-modelplane-fallback-reason', failures.join(','));
      ex.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
      ex.res.end(payload);
      deps.log.info({ request_id: ex.requestId, format: 'openai-embeddings', route: route.name, deployment: attempt.deployment.id, status: 200, latency_ms: Date.now() - ex.startedAt, attempts, tokens_in: result.usage.inputTokens }, 'request');
      return;
    } catch (e) {
      const err = e instanceof GatewayError ? e : transportError(e, `deployment ${attempt.deployment.id}`, attempt.deployment.timeouts);
      deps.router.failed(attempt, err, Date.now());
      failures.push(err.code);
      lastError = err;
    }
  }
  const err = lastError ?? new GatewayError('no_healthy_deployment', `route ${route.name}: no deployment is available`);
  ex.res.setHeader('x-modelplane-attempts', String(attempts));
  if (attempts > 0) ex.res.setHeader('x-should-retry', 'false');
  if (failures.length) ex.res.setHeader('x-modelplane-fallback-reason', failures.join(','));
  deps.log.warn({ request_id: ex.requestId, format: 'openai-embeddings', route: route.name, status: err.status, attempts, error: err.code, error_message: err.message }, 'request');
  throw err;
}
