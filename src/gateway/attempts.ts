// The attempt loop: walk the plan, call the upstream, fall back on retryable errors. For
// streams, nothing reaches the client until the first content event has arrived from an
// upstream, so a provider that fails before producing output (error status, reset, a stream
// that dies after its role chunk) is still replaced silently by the next attempt.

import type { CanonicalEvent, CanonicalRequest, CanonicalResponse } from '../spec/canonical.js';
import { GatewayError } from '../spec/errors.js';
import type { EgressFormat } from '../spec/wire.js';
import type { RouteSnapshot, Timeouts } from '../config/snapshot.js';
import { callUpstream, transportError, type UpstreamResult } from './upstream.js';
import { egressTarget } from './target.js';
import type { Attempt, AttemptPlan, Router } from './router.js';

export type EgressRegistry = Readonly<Record<string, EgressFormat | undefined>>;

export interface AttemptTrace {
  attempts: number;
  /** Error codes of the failed attempts, in order. */
  failures: string[];
  warnings: string[];
  className?: string;
}

export interface StreamSuccess {
  attempt: Attempt;
  /** Events already pulled while deciding to commit, then the rest. */
  events: AsyncIterable<CanonicalEvent>;
  startedAt: number;
  upstream: UpstreamResult;
}

export interface JsonSuccess {
  attempt: Attempt;
  response: CanonicalResponse;
  startedAt: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0) return resolve();
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
  });

/** Events that mean the upstream really started answering. */
function isContent(e: CanonicalEvent): boolean {
  return e.type !== 'message-start' && e.type !== 'usage';
}

async function* prepend(first: CanonicalEvent[], rest: AsyncIterator<CanonicalEvent>, onEnd: () => void): AsyncGenerator<CanonicalEvent> {
  try {
    for (const e of first) yield e;
    for (;;) {
      const r = await rest.next();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    onEnd();
  }
}

/** The request deadline bounds the wait for a first byte; a long stream may outlive it. */
function capTimeouts(t: Timeouts, deadlineAt: number): Timeouts {
  const left = Math.max(1, deadlineAt - Date.now());
  return left >= t.firstByteMs ? t : { ...t, firstByteMs: left };
}

function describe(a: Attempt): string {
  return `deployment ${a.deployment.id} (provider ${a.deployment.provider.id})`;
}

export interface AttemptLoopInput {
  route: RouteSnapshot;
  request: CanonicalRequest;
  plan: AttemptPlan;
  router: Router;
  egress: EgressRegistry;
  signal: AbortSignal;
  trace: AttemptTrace;
  startedAt: number;
}

/**
 * Runs attempts until one succeeds. `once` performs a single attempt and returns its result or
 * throws a GatewayError; the loop decides whether to go on.
 */
async function loop<T>(input: AttemptLoopInput, once: (a: Attempt, fmt: EgressFormat) => Promise<T>): Promise<T> {
  const { plan, router, trace } = input;
  let lastError: GatewayError | undefined;
  for (;;) {
    const attempt = plan.next(Date.now(), lastError);
    if (!attempt) break;
    if (attempt.delayMs > 0) await sleep(attempt.delayMs, input.signal);
    if (input.signal.aborted) throw new GatewayError('upstream_connection', 'client closed the request', { retryable: false });
    const fmt = input.egress[attempt.deployment.provider.format];
    if (!fmt) throw new GatewayError('internal_error', `no egress translator for wire format ${attempt.deployment.provider.format}`);
    trace.attempts++;
    router.started(attempt);
    try {
      return await once(attempt, fmt);
    } catch (e) {
      const err = e instanceof GatewayError ? e : transportError(e, describe(attempt), attempt.deployment.timeouts);
      if (input.signal.aborted) {
        router.abandoned(attempt);
        throw err;
      }
      router.failed(attempt, err, Date.now());
      trace.failures.push(err.code);
      lastError = err;
    }
  }
  if (lastError) throw lastError;
  throw new GatewayError('no_healthy_deployment', `route ${input.route.name}: no deployment is available (every target is cooling down or ineligible)`);
}

async function send(input: AttemptLoopInput, attempt: Attempt, fmt: EgressFormat) {
  const target = egressTarget(attempt.deployment, attempt.credential);
  const upReq = await fmt.buildRequest(input.request, target);
  for (const w of upReq.warnings) if (!input.trace.warnings.includes(w)) input.trace.warnings.push(w);
  const up = await callUpstream(upReq, capTimeouts(attempt.deployment.timeouts, input.plan.deadlineAt), input.signal, describe(attempt));
  if (up.status < 200 || up.status >= 300) {
    let text = '';
    try {
      text = await up.body.text();
    } catch {
      // A body that cannot be read still leaves the status to map.
    } finally {
      up.done();
    }
    throw fmt.parseError(text, { status: up.status, headers: up.headers });
  }
  return up;
}

export function runJsonAttempts(input: AttemptLoopInput): Promise<JsonSuccess> {
  return loop(input, async (attempt, fmt) => {
    const t0 = Date.now();
    const up = await send(input, attempt, fmt);
    let json: unknown;
    try {
      json = await up.body.json();
    } catch (e) {
      throw new GatewayError('upstream_protocol', `${describe(attempt)}: response body is not valid JSON`, { cause: e });
    } finally {
      up.done();
    }
    const response = fmt.parseResponse(json, { status: up.status, headers: up.headers });
    input.router.succeeded(attempt, Date.now() - t0, undefined, Date.now());
    return { attempt, response, startedAt: t0 };
  });
}

/**
 * Resolves once an upstream has produced its first content event; the caller then commits the
 * response to the client. Failures after that point are the caller's to render mid-stream.
 */
export function runStreamAttempts(input: AttemptLoopInput): Promise<StreamSuccess> {
  return loop(input, async (attempt, fmt) => {
    const t0 = Date.now();
    const up = await send(input, attempt, fmt);
    const it = fmt.parseStream(up.body, { model: attempt.deployment.model })[Symbol.asyncIterator]();
    const buffered: CanonicalEvent[] = [];
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        if (r.value.type === 'error') throw r.value.error;
        buffered.push(r.value);
        if (isContent(r.value)) break;
      }
    } catch (e) {
      up.done();
      up.body.destroy();
      throw e instanceof GatewayError ? e : transportError(e, describe(attempt), attempt.deployment.timeouts);
    }
    if (buffered.length === 0) {
      up.done();
      throw new GatewayError('upstream_protocol', `${describe(attempt)}: stream ended without any event`);
    }
    const events = prepend(buffered, it, () => {
      up.done();
      if (!up.body.destroyed) up.body.destroy();
    });
    return { attempt, events, startedAt: t0, upstream: up };
  });
}

/** Turns a throw from the upstream body into a canonical error event, so the client gets a well-formed end. */
export async function* guardStream(events: AsyncIterable<CanonicalEvent>, attempt: Attempt): AsyncGenerator<CanonicalEvent> {
  try {
    for await (const e of events) yield e;
  } catch (e) {
    const err = e instanceof GatewayError ? e : transportError(e, describe(attempt), attempt.deployment.timeouts);
    yield {
      type: 'error',
      error: err.code === 'stream_interrupted' ? err : new GatewayError('stream_interrupted', `upstream stream failed mid-way: ${err.message}`, { cause: err }),
    };
  }
}
