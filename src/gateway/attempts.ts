// The attempt loop: walk the plan, call the upstream, fall back on retryable errors. For
// streams, nothing reaches the client until an upstream has answered 200 and sent its first
// event, so a provider that fails before that (error status, reset, timeout) is replaced
// silently by the next attempt; one that fails after its first event but before any content is
// replaced silently too, by the relay in gateway/chat.ts, on the same plan.

import type { CanonicalEvent, CanonicalRequest, CanonicalResponse } from '../spec/canonical.js';
import { GatewayError } from '../spec/errors.js';
import type { EgressFormat, UpstreamRequest, UpstreamResponseMeta } from '../spec/wire.js';
import type { RouteSnapshot, Timeouts } from '../config/snapshot.js';
import { callUpstream, callUpstreamBuffered, transportError, type UpstreamResult } from './upstream.js';
import { egressTarget } from './target.js';
import type { Attempt, AttemptPlan, Router } from './router.js';
import { AttemptAbort, type Cancellation } from './cancel.js';

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
  /** Events already pulled while deciding to commit (the first content event last). */
  buffered: CanonicalEvent[];
  /** The rest of the upstream's events. */
  rest: AsyncIterator<CanonicalEvent>;
  startedAt: number;
  upstream: UpstreamResult;
  /** Releases the upstream (timers, socket); call once the stream is over. */
  release(): void;
}

export interface JsonSuccess {
  attempt: Attempt;
  response: CanonicalResponse;
  startedAt: number;
}

const sleep = (ms: number, cancel: Cancellation) =>
  new Promise<void>((resolve) => {
    if (ms <= 0) return resolve();
    const t = setTimeout(() => { off(); resolve(); }, ms);
    const off = cancel.on(() => { clearTimeout(t); resolve(); });
  });

/**
 * The event that commits a stream to the client: the upstream's first event (its message start),
 * not a bare usage report. A failure after it but before any content still falls back silently
 * (gateway/chat.ts relay), so committing early costs nothing but the choice of HTTP status when
 * every target fails that way; it saves the wait for one more upstream event on every stream.
 */
function commits(e: CanonicalEvent): boolean {
  return e.type !== 'usage';
}

/** The request deadline bounds the wait for a first byte; a long stream may outlive it. */
function capTimeouts(t: Timeouts, deadlineAt: number): Timeouts {
  const left = Math.max(1, deadlineAt - Date.now());
  return left >= t.firstByteMs ? t : { ...t, firstByteMs: left, firstByteIsDeadline: true };
}

const descriptions = new WeakMap<Attempt['deployment'], string>();
function describe(a: Attempt): string {
  let d = descriptions.get(a.deployment);
  if (d === undefined) descriptions.set(a.deployment, (d = `deployment ${a.deployment.id} (provider ${a.deployment.provider.id})`));
  return d;
}

/** What the attempt loop itself needs; chat and embeddings add their request. */
export interface LoopInput {
  route: RouteSnapshot;
  plan: AttemptPlan;
  router: Router;
  egress: EgressRegistry;
  cancel: Cancellation;
  trace: AttemptTrace;
  startedAt: number;
  /**
   * A failure, already reported, of an attempt that was serving this request (a stream that
   * failed after it was committed): the plan continues from it, as after any failed attempt.
   */
  after?: GatewayError;
}

export interface AttemptLoopInput extends LoopInput {
  request: CanonicalRequest;
}

interface InFlight<T> {
  attempt: Attempt;
  controller: AttemptAbort;
  settled: Promise<{ ok: true; value: T; f: InFlight<T> } | { ok: false; error: GatewayError; f: InFlight<T> }>;
}

/**
 * Runs attempts until one succeeds. `once` performs a single attempt (under its own abort
 * signal) and returns its result or throws; the loop decides whether to go on.
 *
 * Hedging (route `hedge_after`): when the first attempt has not answered within the delay, a
 * second attempt starts on the plan's next target and the first to answer wins; the loser is
 * aborted and reported as abandoned (no health verdict: slowness is not failure). One hedge per
 * request, so a hedged route costs at most two concurrent upstream calls.
 */
export function runAttempts<T>(input: LoopInput, once: (a: Attempt, fmt: EgressFormat, controller: AttemptAbort) => Promise<T>, discard: (t: T) => void): Promise<T> {
  const hedgeAfter = input.plan.plan.hedgeAfterMs;
  return hedgeAfter === undefined ? sequential(input, once) : hedged(input, once, discard, hedgeAfter);
}

async function hedged<T>(input: LoopInput, once: (a: Attempt, fmt: EgressFormat, controller: AttemptAbort) => Promise<T>, discard: (t: T) => void, hedgeAfter: number): Promise<T> {
  const { plan, router, trace } = input;
  let lastError: GatewayError | undefined = input.after;
  const inflight: Array<InFlight<T>> = [];
  let hedged = false;
  let hedgeTimer: NodeJS.Timeout | undefined;

  const launch = (attempt: Attempt): InFlight<T> => {
    const fmt = formatFor(input, attempt);
    const controller = new AttemptAbort();
    input.cancel.link(controller);
    trace.attempts++;
    router.started(attempt);
    const f = { attempt, controller } as InFlight<T>;
    f.settled = once(attempt, fmt, controller).then(
      (value) => ({ ok: true as const, value, f }),
      (e: unknown) => ({ ok: false as const, error: e instanceof GatewayError ? e : transportError(e, describe(attempt), attempt.deployment.timeouts), f }),
    ).finally(() => input.cancel.unlink(controller));
    inflight.push(f);
    return f;
  };

  try {
    for (;;) {
      if (inflight.length === 0) {
        const attempt = plan.next(lastError === undefined ? input.startedAt : Date.now(), lastError);
        if (!attempt) break;
        if (attempt.delayMs > 0) await sleep(attempt.delayMs, input.cancel);
        if (input.cancel.aborted) throw new GatewayError('upstream_connection', 'client closed the request', { retryable: false });
        launch(attempt);
      }
      let hedgeFired: Promise<'hedge'> | undefined;
      if (!hedged && inflight.length === 1) {
        hedgeFired = new Promise((r) => { hedgeTimer = setTimeout(() => r('hedge'), hedgeAfter); });
      }
      const r = await Promise.race(hedgeFired ? [...inflight.map((f) => f.settled), hedgeFired] : inflight.map((f) => f.settled));
      clearTimeout(hedgeTimer);
      if (r === 'hedge') {
        hedged = true;
        const second = plan.next(Date.now());
        if (second) {
          launch(second);
          trace.failures.push('hedged');
        }
        continue;
      }
      inflight.splice(inflight.indexOf(r.f), 1);
      if (r.ok) {
        for (const loser of inflight.splice(0)) {
          loser.controller.abort(new Error('hedge lost'));
          router.abandoned(loser.attempt);
          void loser.settled.then((x) => { if (x.ok) discard(x.value); });
        }
        return r.value;
      }
      if (input.cancel.aborted) {
        router.abandoned(r.f.attempt);
        throw r.error;
      }
      router.failed(r.f.attempt, r.error, Date.now());
      trace.failures.push(r.error.code);
      lastError = r.error;
    }
  } finally {
    clearTimeout(hedgeTimer);
  }
  if (lastError) throw lastError;
  throw new GatewayError('no_healthy_deployment', `route ${input.route.name}: no deployment is available (every target is cooling down or ineligible)`);
}

function formatFor(input: LoopInput, attempt: Attempt): EgressFormat {
  const fmt = input.egress[attempt.deployment.provider.format];
  if (!fmt) throw new GatewayError('internal_error', `no egress translator for wire format ${attempt.deployment.provider.format}`);
  return fmt;
}

/** The common case, without hedging: one attempt at a time, no races, no extra promises. */
async function sequential<T>(input: LoopInput, once: (a: Attempt, fmt: EgressFormat, controller: AttemptAbort) => Promise<T>): Promise<T> {
  const { plan, router, trace } = input;
  let lastError: GatewayError | undefined = input.after;
  for (;;) {
    const attempt = plan.next(lastError === undefined ? input.startedAt : Date.now(), lastError);
    if (!attempt) break;
    if (attempt.delayMs > 0) await sleep(attempt.delayMs, input.cancel);
    if (input.cancel.aborted) throw new GatewayError('upstream_connection', 'client closed the request', { retryable: false });
    const fmt = formatFor(input, attempt);
    const controller = new AttemptAbort();
    input.cancel.link(controller);
    trace.attempts++;
    router.started(attempt);
    try {
      return await once(attempt, fmt, controller);
    } catch (e) {
      const err = e instanceof GatewayError ? e : transportError(e, describe(attempt), attempt.deployment.timeouts);
      if (input.cancel.aborted) {
        router.abandoned(attempt);
        throw err;
      }
      router.failed(attempt, err, Date.now());
      trace.failures.push(err.code);
      lastError = err;
    } finally {
      input.cancel.unlink(controller);
    }
  }
  if (lastError) throw lastError;
  throw new GatewayError('no_healthy_deployment', `route ${input.route.name}: no deployment is available (every target is cooling down or ineligible)`);
}

async function send(input: AttemptLoopInput, attempt: Attempt, fmt: EgressFormat, controller: AttemptAbort) {
  const target = egressTarget(attempt.deployment, attempt.credential);
  const upReq = await fmt.buildRequest(input.request, target);
  for (const w of upReq.warnings) if (!input.trace.warnings.includes(w)) input.trace.warnings.push(w);
  const up = await callUpstream(upReq, capTimeouts(attempt.deployment.timeouts, input.plan.deadlineAt), controller, describe(attempt));
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

/**
 * One buffered upstream call: a non-2xx answer becomes the format's GatewayError, a 2xx body
 * that does not parse an `upstream_protocol` error.
 */
export function fetchJson(input: LoopInput, attempt: Attempt, fmt: EgressFormat, controller: AttemptAbort, upReq: UpstreamRequest): Promise<{ json: unknown; meta: UpstreamResponseMeta }> {
  return callUpstreamBuffered(upReq, capTimeouts(attempt.deployment.timeouts, input.plan.deadlineAt), controller, describe(attempt)).then((up) => {
    const meta: UpstreamResponseMeta = up; // headers are parsed only if a format reads them
    if (up.status < 200 || up.status >= 300) throw fmt.parseError(up.body.toString('utf8'), meta);
    let json: unknown;
    try {
      json = JSON.parse(up.body.toString('utf8'));
    } catch (e) {
      throw new GatewayError('upstream_protocol', `${describe(attempt)}: response body is not valid JSON`, { cause: e });
    }
    return { json, meta };
  });
}

export async function runJsonAttempts(input: AttemptLoopInput): Promise<JsonSuccess> {
  const r = await runAttempts(input, (attempt, fmt, controller) => {
    const t0 = Date.now();
    const send = (upReq: UpstreamRequest): Promise<JsonSuccess> => {
      for (const w of upReq.warnings) if (!input.trace.warnings.includes(w)) input.trace.warnings.push(w);
      return fetchJson(input, attempt, fmt, controller, upReq).then(({ json, meta }) => ({ attempt, response: fmt.parseResponse(json, meta), startedAt: t0 }));
    };
    // Most formats build synchronously; only signing (SigV4) needs a promise.
    let built: UpstreamRequest | Promise<UpstreamRequest>;
    try {
      built = fmt.buildRequest(input.request, egressTarget(attempt.deployment, attempt.credential));
    } catch (e) {
      return Promise.reject(e);
    }
    return built instanceof Promise ? built.then(send) : send(built);
  }, () => {});
  // Reported here, not inside the attempt: a hedge loser that also finished is abandoned, not a success.
  const now = Date.now();
  input.router.succeeded(r.attempt, now - r.startedAt, undefined, now);
  return r;
}

/**
 * Resolves once an upstream has produced its first content event; the caller then commits the
 * response to the client. Failures after that point are the caller's to render mid-stream.
 */
export function runStreamAttempts(input: AttemptLoopInput): Promise<StreamSuccess> {
  return runAttempts(input, async (attempt, fmt, controller) => {
    const t0 = Date.now();
    const up = await send(input, attempt, fmt, controller);
    // Formats turn a failing body into an error event; remember the transport cause so a stalled
    // or reset body is classified as a timeout/connection failure, not a protocol error.
    let bodyError: unknown;
    up.body.once('error', (e) => { bodyError = e; });
    const it = fmt.parseStream(up.body, { model: attempt.deployment.model })[Symbol.asyncIterator]();
    const buffered: CanonicalEvent[] = [];
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        if (r.value.type === 'error') {
          if (bodyError !== undefined || controller.aborted) throw transportError(controller.aborted ? controller.reason ?? bodyError : bodyError, describe(attempt), attempt.deployment.timeouts);
          throw r.value.error;
        }
        buffered.push(r.value);
        if (commits(r.value)) break;
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
    const release = () => {
      up.done();
      if (!up.body.destroyed) up.body.destroy();
    };
    return { attempt, buffered, rest: it, startedAt: t0, upstream: up, release };
  }, (s) => s.release());
}

/** For logs and error messages. */
export { describe as describeAttempt };
