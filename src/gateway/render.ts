// Writes answers to the client: JSON in one writeHead + end (Node's fast path), streams with
// backpressure, errors in the endpoint's own wire shape. Response headers come from the call
// (headers.ts), so an answer without an attempt (a cache hit, a refusal) has the same headers.

import type { ServerResponse } from 'node:http';
import { GatewayError } from '../spec/errors.js';
import type { EncodeContext, IngressFormat } from '../spec/wire.js';
import type { Logger } from '../telemetry/log.js';
import type { Answer, Call } from './call.js';
import { callHeaders, deploymentHeader } from './headers.js';

const SSE_HEADERS = ['content-type', 'text/event-stream; charset=utf-8', 'cache-control', 'no-cache', 'connection', 'keep-alive', 'x-accel-buffering', 'no'];

export function writeJson(call: Call, status: number, payload: string): void {
  const headers = ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(payload))];
  call.outcome.status = status;
  call.ex.res.writeHead(status, callHeaders(headers, call, call.outcome.attempt));
  call.ex.res.end(payload);
}

/** Writes with backpressure: resolves once the socket can take more. */
function write(res: ServerResponse, chunk: string): Promise<void> | undefined {
  if (res.write(chunk)) return undefined;
  return new Promise((resolve) => {
    const done = () => { res.off('drain', done); res.off('close', done); resolve(); };
    res.on('drain', done);
    res.on('close', done);
  });
}

export function encodeContext(call: Call, model: string, requestId = call.ex.requestId): EncodeContext {
  const ctx: EncodeContext = { model, requestId, created: Math.floor(call.ex.startedAt / 1000) };
  const r = call.request;
  if (r !== undefined && 'includeUsage' in r && r.includeUsage !== undefined) ctx.includeUsage = r.includeUsage;
  return ctx;
}

/**
 * Renders a chat-like answer (response, stream or plain JSON) in `ingress`'s format. After a
 * stream fell back behind its first event, the headers are out and name the first deployment; a
 * trailing SSE comment (ignored by SSE clients) says which one answered.
 */
export async function renderChat(call: Call, answer: Answer, ingress: IngressFormat, ctx: EncodeContext): Promise<void> {
  const { res } = call.ex;
  if (answer.kind === 'json') return writeJson(call, answer.status, JSON.stringify(answer.body));
  if (answer.kind === 'response') {
    const payload = ingress.encodeResponseText ? ingress.encodeResponseText(answer.response, ctx) : JSON.stringify(ingress.encodeResponse(answer.response, ctx));
    return writeJson(call, 200, payload);
  }
  if (answer.kind !== 'stream') throw new GatewayError('internal_error', `a chat endpoint cannot render a ${answer.kind} answer`);
  const o = call.outcome;
  res.writeHead(200, callHeaders(SSE_HEADERS.slice(), call, o.committedAttempt ?? o.attempt));
  try {
    for await (const chunk of ingress.encodeEvents(answer.events, ctx)) {
      if (res.destroyed) break;
      const p = write(res, chunk);
      if (p) await p;
    }
    const answered = o.attempt;
    if (answered && o.committedAttempt && answered.deployment !== o.committedAttempt.deployment && !res.destroyed && call.route) {
      res.write(`: x-modelplane-deployment ${deploymentHeader(answered.deployment, call.route.exposeDeployment)}\n\n`);
    }
  } finally {
    if (!res.destroyed) res.end();
  }
}

/**
 * The one error exit: records the error in the outcome and answers in the endpoint's shape.
 * Internal errors are logged with their stack for us; the caller gets a plain message.
 */
export function renderError(call: Call, errors: Pick<IngressFormat, 'encodeError'>, e: unknown, log: Logger): void {
  const err = e instanceof GatewayError ? e : new GatewayError('internal_error', 'internal error', { cause: e });
  const o = call.outcome;
  o.error = err;
  o.status = call.ex.cancel.aborted ? 499 : err.status;
  if (err.code === 'internal_error') {
    const cause = err.cause ?? e;
    log.error({ request_id: call.ex.requestId, err: cause instanceof Error ? cause.stack : String(cause) }, 'internal error');
  }
  const res = call.ex.res;
  if (res.headersSent) {
    if (!res.destroyed) res.end();
    return;
  }
  const rendered = errors.encodeError(err.code === 'internal_error' ? new GatewayError('internal_error', 'internal error') : err);
  const payload = JSON.stringify(rendered.body);
  const headers = ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(payload))];
  if (rendered.headers) for (const k in rendered.headers) headers.push(k, rendered.headers[k]!);
  if (err.retryAfterMs !== undefined && (err.status === 429 || err.status === 503) && rendered.headers?.['retry-after'] === undefined) {
    headers.push('retry-after', String(Math.ceil(err.retryAfterMs / 1000)));
  }
  // The official SDKs obey x-should-retry. When the gateway already ran its own attempts, an SDK
  // retry would multiply them, unless a provider said when to come back (retry-after) beyond our
  // deadline; otherwise a retryable error (e.g. every key cooling down) may be retried.
  const retry = call.trace.attempts > 0 ? err.retryable && err.retryAfterMs !== undefined : err.retryable;
  headers.push('x-should-retry', retry ? 'true' : 'false');
  res.writeHead(rendered.status, callHeaders(headers, call, undefined));
  res.end(payload);
}
