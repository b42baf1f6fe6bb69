// The chat pipeline, for any ingress format: decode -> route -> plan -> attempts -> encode.
// The client gets its own wire format back; the upstream's format never leaks.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CanonicalEvent, FinishReason, Usage } from '../spec/canonical.js';
import { GatewayError } from '../spec/errors.js';
import type { EncodeContext, IngressFormat } from '../spec/wire.js';
import type { DeploymentSnapshot, RouteSnapshot, Snapshot } from '../config/snapshot.js';
import type { Logger } from '../telemetry/log.js';
import { jsonNum, jsonStr, LEVEL_INFO, LEVEL_WARN, writeLine } from '../telemetry/access-log.js';
import { describeAttempt, runJsonAttempts, runStreamAttempts, type AttemptTrace, type EgressRegistry, type StreamSuccess } from './attempts.js';
import { transportError } from './upstream.js';
import type { Cancellation } from './cancel.js';
import { continuationRequest, prefillPlan, resumable } from './resume.js';
import type { Attempt, Router } from './router.js';

export interface GatewayDeps {
  router: Router;
  egress: EgressRegistry;
  log: Logger;
}

/** One inbound HTTP exchange, as the server hands it to a pipeline. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  requestId: string;
  /** `x-request-id` (and `request-id` for Anthropic clients), to send with the status line. */
  idHeaders: readonly string[];
  startedAt: number;
  snapshot: Snapshot;
  /** Cancelled when the client goes away: aborts upstream work. */
  cancel: Cancellation;
}

export function mergeUsage(into: Usage | undefined, u: Usage): Usage {
  if (!into) return { ...u };
  for (const k of Object.keys(u) as Array<keyof Usage>) if (u[k] !== undefined) into[k] = u[k]!;
  return into;
}

function headerSafe(v: string): string {
  return v.replace(/[^\x20-\x7e]/g, '?').slice(0, 1024);
}

export function lookupRoute(snapshot: Snapshot, name: string) {
  const route = snapshot.routes.get(name);
  if (!route) {
    throw new GatewayError('model_not_found', `The route '${name}' does not exist. Call GET /v1/models for the routes you can use.`, { param: 'model' });
  }
  return route;
}

/** The x-modelplane-* headers, appended to a flat [name, value, ...] list. */
export function attemptHeaders(out: string[], route: RouteSnapshot, attempt: Attempt | undefined, trace: AttemptTrace): string[] {
  out.push('x-modelplane-route', routeHeader(route), 'x-modelplane-attempts', String(trace.attempts));
  if (attempt) out.push('x-modelplane-deployment', deploymentHeader(attempt.deployment, route.exposeDeployment));
  if (trace.failures.length > 0) out.push('x-modelplane-fallback-reason', trace.failures.join(','));
  if (trace.warnings.length > 0) out.push('x-modelplane-warnings', headerSafe(trace.warnings.join('; ')));
  return out;
}

export function setAttemptHeaders(res: ServerResponse, route: RouteSnapshot, attempt: Attempt | undefined, trace: AttemptTrace) {
  const h = attemptHeaders([], route, attempt, trace);
  for (let i = 0; i < h.length; i += 2) res.setHeader(h[i]!, h[i + 1]!);
}

const routeHeaders = new WeakMap<RouteSnapshot, string>();
function routeHeader(r: RouteSnapshot): string {
  let v = routeHeaders.get(r);
  if (v === undefined) routeHeaders.set(r, (v = headerSafe(r.name)));
  return v;
}

/** The deployment as shown to clients: its id when the route exposes it, else an opaque hash. */
const shownIds = new WeakMap<DeploymentSnapshot, string>();
function deploymentHeader(d: DeploymentSnapshot, expose: boolean): string {
  if (expose) return headerSafe(d.id);
  let v = shownIds.get(d);
  if (v === undefined) shownIds.set(d, (v = opaqueId(d.id)));
  return v;
}

function opaqueId(id: string): string {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return 'dep_' + (h >>> 0).toString(16);
}

interface Outcome {
  status: number;
  attempt?: Attempt;
  usage?: Usage;
  finish?: FinishReason;
  ttftMs?: number;
  error?: GatewayError;
  /** Times the stream was resumed on another deployment. */
  resumed?: number;
  /** The failed attempt was already reported to the router. */
  failureReported?: boolean;
  /** With `logging.log_bodies`: the prompt (canonical messages) and the completion text. */
  prompt?: unknown;
  completion?: string;
}

function logRequest(deps: GatewayDeps, ex: Exchange, ingress: IngressFormat, route: string, stream: boolean, trace: AttemptTrace, o: Outcome) {
  // Field order is the log line's contract (docs/operations.md); see telemetry/access-log.ts.
  let f = `"request_id":${jsonStr(ex.requestId)},"format":${jsonStr(ingress.name)},"route":${jsonStr(route)},"stream":${stream},"status":${o.status},"latency_ms":${Date.now() - ex.startedAt},"attempts":${trace.attempts}`;
  if (trace.className !== undefined) f += `,"class":${jsonStr(trace.className)}`;
  if (o.attempt) {
    f += `,"deployment":${jsonStr(o.attempt.deployment.id)},"provider":${jsonStr(o.attempt.deployment.provider.id)}`;
    if (o.attempt.credential) f += `,"credential":${jsonStr(o.attempt.credential.id)}`;
  }
  if (o.ttftMs !== undefined) f += `,"ttft_ms":${jsonNum(o.ttftMs)}`;
  if (o.usage) {
    f += `,"tokens_in":${jsonNum(o.usage.inputTokens)},"tokens_out":${jsonNum(o.usage.outputTokens)}`;
    if (o.usage.cacheReadTokens) f += `,"tokens_cache_read":${jsonNum(o.usage.cacheReadTokens)}`;
  }
  if (o.finish !== undefined) f += `,"finish":${jsonStr(o.finish)}`;
  if (o.resumed) f += `,"resumed":${o.resumed}`;
  if (trace.failures.length) f += `,"fallback_reasons":${JSON.stringify(trace.failures)}`;
  if (o.prompt !== undefined) f += `,"prompt":${JSON.stringify(o.prompt)}`;
  if (o.completion !== undefined) f += `,"completion":${jsonStr(o.completion)}`;
  if (o.error) f += `,"error":${jsonStr(o.error.code)},"error_message":${jsonStr(o.error.message)}`;
  writeLine(deps.log, o.status >= 500 || o.error ? LEVEL_WARN : LEVEL_INFO, f, 'request');
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

export async function handleChat(deps: GatewayDeps, ex: Exchange, ingress: IngressFormat, body: unknown): Promise<void> {
  // Bad input throws before anything is logged or charged: the server renders it as a 4xx.
  const request = ingress.decodeRequest(body, ex.snapshot.server.limits);
  const route = lookupRoute(ex.snapshot, request.model);
  if (route.kind === 'embeddings') {
    throw new GatewayError('unsupported_capability', `route '${route.name}' serves embeddings (POST /v1/embeddings), not chat`, { param: 'model' });
  }
  const plan = deps.router.plan(route, request, ex.req.headers, ex.startedAt);
  const trace: AttemptTrace = { attempts: 0, failures: [], warnings: [] };
  if (plan.className !== undefined) trace.className = plan.className;
  const ctx: EncodeContext = { model: request.model, requestId: ex.requestId, created: Math.floor(ex.startedAt / 1000) };
  if (request.includeUsage !== undefined) ctx.includeUsage = request.includeUsage;
  const loopInput = { route, request, plan, router: deps.router, egress: deps.egress, cancel: ex.cancel, trace, startedAt: ex.startedAt };
  const { res } = ex;
  // Prompts are user data: logged only when the operator turned `logging.log_bodies` on.
  const logBodies = ex.snapshot.logging.logBodies;

  // Every attempt failed: headers and the log line say what was tried; the server renders the error.
  const failed = (e: unknown): never => {
    const err = e instanceof GatewayError ? e : new GatewayError('internal_error', String(e), { cause: e });
    setAttemptHeaders(res, route, undefined, trace);
    // Our attempts already retried and fell back: an SDK retry on top would multiply them. The
    // exception is a provider that said when to come back (retry-after) beyond our deadline.
    if (trace.attempts > 0) res.setHeader('x-should-retry', err.retryable && err.retryAfterMs !== undefined ? 'true' : 'false');
    logRequest(deps, ex, ingress, route.name, request.stream, trace, { status: ex.cancel.aborted ? 499 : err.status, error: err });
    throw err;
  };

  if (!request.stream) {
    let r: Awaited<ReturnType<typeof runJsonAttempts>>;
    try {
      r = await runJsonAttempts(loopInput);
    } catch (e) {
      return failed(e);
    }
    const payload = ingress.encodeResponseText ? ingress.encodeResponseText(r.response, ctx) : JSON.stringify(ingress.encodeResponse(r.response, ctx));
    const headers = ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(payload))];
    for (const h of ex.idHeaders) headers.push(h);
    res.writeHead(200, attemptHeaders(headers, route, r.attempt, trace));
    res.end(payload);
    const o: Outcome = { status: 200, attempt: r.attempt, finish: r.response.finishReason };
    if (r.response.usage) o.usage = r.response.usage;
    if (logBodies) {
      o.prompt = request.messages;
      o.completion = r.response.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
    }
    logRequest(deps, ex, ingress, route.name, false, trace, o);
    return;
  }

  let first: StreamSuccess;
  try {
    first = await runStreamAttempts(loopInput);
  } catch (e) {
    return failed(e);
  }
  const outcome: Outcome = { status: 200, attempt: first.attempt };
  if (logBodies) {
    outcome.prompt = request.messages;
    outcome.completion = '';
  }
  const cur = { s: first };
  const resume: Resume | undefined = resumable(route, request)
    ? async (partial, failure) => {
        if (ex.cancel.aborted) return undefined;
        const input = { ...loopInput, request: continuationRequest(request, partial), plan: prefillPlan(plan, failure) };
        return runStreamAttempts(input).catch(() => undefined);
      }
    : undefined;
  const onFailed = (s: StreamSuccess, e: GatewayError) => {
    if (ex.cancel.aborted) return; // the client left: not the upstream's fault
    deps.router.failed(s.attempt, e, Date.now());
    trace.failures.push(e.code);
  };
  const fallback: Fallback = (failure) =>
    ex.cancel.aborted ? Promise.resolve(undefined) : runStreamAttempts({ ...loopInput, after: failure }).catch(() => undefined);
  const tapped = relay(cur, outcome, fallback, resume, onFailed);
  // A client that leaves mid-stream releases the upstream at once, not at its next chunk.
  const offCancel = ex.cancel.on(() => cur.s.release());
  const headers = ['content-type', 'text/event-stream; charset=utf-8', 'cache-control', 'no-cache', 'connection', 'keep-alive', 'x-accel-buffering', 'no', ...ex.idHeaders];
  res.writeHead(200, attemptHeaders(headers, route, first.attempt, trace));
  try {
    for await (const chunk of ingress.encodeEvents(tapped, ctx)) {
      if (res.destroyed) break;
      const p = write(res, chunk);
      if (p) await p;
    }
  } finally {
    offCancel();
    if (!res.destroyed) res.end();
    const now = Date.now();
    const attempt = cur.s.attempt;
    if (ex.cancel.aborted || (res.destroyed && !res.writableFinished)) {
      // The client left: no verdict on the upstream (releasing it may have surfaced as an error).
      deps.router.abandoned(attempt);
      outcome.error = new GatewayError('upstream_connection', 'client disconnected mid-stream', { retryable: false });
      outcome.status = 499;
    } else if (outcome.error) {
      if (!outcome.failureReported) deps.router.failed(attempt, outcome.error, now);
    } else deps.router.succeeded(attempt, now - cur.s.startedAt, outcome.ttftMs, now);
    logRequest(deps, ex, ingress, route.name, true, trace, outcome);
  }
}

/** Replaces a stream that failed before any content, on the same plan, or gives up (undefined). */
type Fallback = (failure: GatewayError) => Promise<StreamSuccess | undefined>;

/** Continues an interrupted stream elsewhere, or gives up (undefined). See resume.ts. */
type Resume = (partial: string, failure: GatewayError) => Promise<StreamSuccess | undefined>;

/**
 * The committed stream, in one generator: the events buffered while deciding to commit, then the
 * rest; usage, finish, errors and time to first token recorded on the way; a throw from the
 * upstream body turned into a well-formed error event; the upstream released at the end.
 * (One layer instead of three: each async-generator layer costs per chunk.) With `resume`, a
 * failure after plain text is spliced over to a continuation instead of ending the stream.
 */
async function* relay(cur: { s: StreamSuccess }, o: Outcome, fallback: Fallback, resume: Resume | undefined, onFailed: (s: StreamSuccess, e: GatewayError) => void): AsyncGenerator<CanonicalEvent> {
  let s = cur.s;
  let partial = '';
  let textOnly = true;
  let trimLead = false;
  let started = false; // the client has its message start
  let content = false; // ... and something after it
  try {
    let i = 0;
    for (;;) {
      let e: CanonicalEvent;
      if (i < s.buffered.length) e = s.buffered[i++]!;
      else {
        let r: IteratorResult<CanonicalEvent>;
        try {
          r = await s.rest.next();
        } catch (err) {
          const cause = err instanceof GatewayError ? err : transportError(err, describeAttempt(s.attempt), s.attempt.deployment.timeouts);
          r = { done: false, value: { type: 'error', error: cause.code === 'stream_interrupted' ? cause : new GatewayError('stream_interrupted', `upstream stream failed mid-way: ${cause.message}`, { cause }) } };
        }
        if (r.done) return;
        e = r.value;
      }
      switch (e.type) {
        case 'usage':
          o.usage = mergeUsage(o.usage, e.usage);
          break;
        case 'finish':
          o.finish = e.reason;
          content = true;
          break;
        case 'error': {
          if (!content) {
            // Only the message start reached the client: the next target answers in its place,
            // as if this attempt had failed before committing.
            onFailed(s, e.error);
            s.release();
            const next = await fallback(e.error);
            if (next) {
              s = cur.s = next;
              o.attempt = next.attempt;
              i = 0;
              continue;
            }
            o.failureReported = true;
          } else if (resume && textOnly && partial !== '') {
            onFailed(s, e.error);
            s.release();
            const next = await resume(partial, e.error);
            if (next) {
              s = cur.s = next;
              o.attempt = next.attempt;
              o.resumed = (o.resumed ?? 0) + 1;
              i = 0;
              trimLead = /\s$/.test(partial);
              continue;
            }
            o.failureReported = true;
          }
          o.error = e.error;
          break;
        }
        case 'message-start':
          if (started) continue; // the client already has one (fallback or resumption)
          started = true;
          break;
        case 'text-delta':
          if (trimLead) {
            trimLead = false;
            const text = e.text.replace(/^\s+/, '');
            if (text === '') continue;
            e = { type: 'text-delta', text };
          }
          content = true;
          if (resume) partial += e.text;
          if (o.completion !== undefined) o.completion += e.text;
          if (o.ttftMs === undefined) o.ttftMs = Date.now() - s.startedAt;
          break;
        default:
          content = true;
          textOnly = false;
          if (o.ttftMs === undefined) o.ttftMs = Date.now() - s.startedAt;
      }
      yield e;
      if (e.type === 'error') return;
    }
  } finally {
    s.release();
  }
}
