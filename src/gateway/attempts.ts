// The attempt loop: walk the plan, call the upstream, fall back on retryable errors. For
// streams, nothing reaches the client until an upstream has answered 200 and sent its first
// event, so a provider that fails before that (error status, reset, timeout) is replaced
// silently by the next attempt; one that fails after its first event but before any content is
// replaced silently too, by the relay (relay.ts), on the same plan.
//
// Every verdict on an attempt (started, succeeded, failed, abandoned) goes through `verdicts`
// below, the one place that tells the lifecycle's observers (the router's health first); the
// relay uses it too for verdicts that arrive after the stream was committed.
//
// Whose fault is it? Only an upstream's own behaviour may count against upstream health. An
// exception thrown by our own code while encoding the upstream request (a bug, or an input our
// translator cannot handle) is an `internal_error` of this request: it is not reported to the
// breakers and does not fall back, since the next target would run the same code and fail the
// same way, and charging each of them would let one caller open every provider's breaker.

import type { CanonicalEvent, CanonicalRequest, CanonicalResponse } from '../spec/canonical.js';
import { GatewayError } from '../spec/errors.js';
import type { EgressFormat, UpstreamRequest, UpstreamResponseMeta } from '../spec/wire.js';
import type { Timeouts } from '../config/snapshot.js';
import { callUpstream, callUpstreamBuffered, transportError, type UpstreamResult } from './upstream.js';
import { egressTarget } from './target.js';
import type { Attempt, AttemptSequence } from './router.js';
import { AttemptAbort } from './cancel.js';
import type { Call } from './call.js';
import type { Lifecycle } from './lifecycle.js';
import { redactorFor, sanitizeUpstreamError } from './redact.js';

export type EgressRegistry = Readonly<Record<string, EgressFormat | undefined>>;

export interface StreamSuccess {
  attempt: Attempt;
  /** Events already pulled while deciding to commit (the committing event last). */
  buffered: CanonicalEvent[];
  /** The rest of the upstream's events. */
  rest: AsyncIterator<CanonicalEvent>;
  startedAt: number;
  upstream: UpstreamResult;
  /** Turns a throw from `rest` into the right GatewayError (transport failure vs protocol). */
  classify(e: unknown): GatewayError;
  /** Releases the upstream (timers, socket); idempotent. */
  release(): void;
  /** A failure verdict was given on this attempt after it was committed (relay.ts). */
  judged: boolean;
}

export interface JsonSuccess {
  attempt: Attempt;
  response: CanonicalResponse;
  startedAt: number;
}

/** What the attempt loop needs; chat adds its request. */
export interface LoopInput {
  call: Call;
  plan: AttemptSequence;
  egress: EgressRegistry;
  lifecycle: Lifecycle;
  /**
   * A failure, already reported, of an attempt that was serving this request (a stream that
   * failed after it was committed): the plan continues from it, as after any failed attempt.
   */
  after?: GatewayError;
}

export interface AttemptLoopInput extends LoopInput {
  request: CanonicalRequest;
}

/** One attempt: its result, or a throw (a GatewayError for upstream faults). */
export type OnceFn<T> = (a: Attempt, fmt: EgressFormat, controller: AttemptAbort) => Promise<T>;

// ------------------------------------------------------------------ verdicts (the one place)

export const verdicts = {
  started(input: LoopInput, a: Attempt): void {
    input.call.trace.attempts++;
    const obs = input.lifecycle.observers;
    for (let i = 0; i < obs.length; i++) obs[i]!.started?.(input.call, a);
  },
  succeeded(input: LoopInput, a: Attempt, latencyMs: number, ttftMs: number | undefined, now: number): void {
    const obs = input.lifecycle.observers;
    for (let i = 0; i < obs.length; i++) obs[i]!.succeeded?.(input.call, a, latencyMs, ttftMs, now);
  },
  failed(input: LoopInput, a: Attempt, err: GatewayError, now: number): void {
    input.call.trace.failures.push(err.code);
    const obs = input.lifecycle.observers;
    for (let i = 0; i < obs.length; i++) obs[i]!.failed?.(input.call, a, err, now);
  },
  abandoned(input: LoopInput, a: Attempt): void {
    const obs = input.lifecycle.observers;
    for (let i = 0; i < obs.length; i++) obs[i]!.abandoned?.(input.call, a);
  },
};

/**
 * An error built from an upstream's own words (error body, in-stream error event), as it may
 * leave the gateway: every credential the snapshot holds and anything shaped like a key
 * redacted, a bounded single line, HTML pages summarised (redact.ts). Runs on error paths only.
 */
export function upstreamFault(call: Call, err: GatewayError): GatewayError {
  return err.upstream === undefined && err.code === 'internal_error' ? err : sanitizeUpstreamError(err, redactorFor(call.ex.snapshot));
}

/** A non-GatewayError thrown by our own code during an attempt. */
function ownFault(e: unknown, a: Attempt): GatewayError {
  return new GatewayError('internal_error', `internal error while preparing the request for ${describe(a)}`, { cause: e, clientMessage: 'internal error' });
}

const asError = (e: unknown, a: Attempt): GatewayError => (e instanceof GatewayError ? e : ownFault(e, a));

const sleep = (ms: number, call: Call) =>
  new Promise<void>((resolve) => {
    if (ms <= 0) return resolve();
    const t = setTimeout(() => { off(); resolve(); }, ms);
    const off = call.ex.cancel.on(() => { clearTimeout(t); resolve(); });
  });

/**
 * The event that commits a stream to the client: the upstream's first event (its message start),
 * not a bare usage report. A failure after it but before any content still falls back silently
 * (relay.ts), so committing early costs nothing but the choice of HTTP status when every target
 * fails that way; it saves the wait for one more upstream event on every stream.
 */
function commits(e: CanonicalEvent): boolean {
  return e.type !== 'usage';
}

/** The request deadline bounds the wait for a first byte; a long stream may outlive it. */
function capTimeouts(t: Timeouts, deadlineAt: number, now: number): Timeouts {
  const left = Math.max(1, deadlineAt - now);
  return left >= t.firstByteMs ? t : { ...t, firstByteMs: left, firstByteIsDeadline: true };
}

const descriptions = new WeakMap<Attempt['deployment'], string>();
function describe(a: Attempt): string {
  let d = descriptions.get(a.deployment);
  if (d === undefined) descriptions.set(a.deployment, (d = `deployment ${a.deployment.id} (provider ${a.deployment.provider.id})`));
  return d;
}

function formatFor(input: LoopInput, attempt: Attempt): EgressFormat {
  const fmt = input.egress[attempt.deployment.provider.format];
  if (!fmt) throw new GatewayError('internal_error', `no egress translator for wire format ${attempt.deployment.provider.format}`);
  return fmt;
}

function noDeployment(input: LoopInput): GatewayError {
  return new GatewayError('no_healthy_deployment', `route ${input.call.route?.name ?? '?'}: no deployment is available (every target is cooling down or ineligible)`);
}

function clientLeft(): GatewayError {
  return new GatewayError('upstream_connection', 'client closed the request', { retryable: false });
}

interface Launched<T> {
  attempt: Attempt;
  controller: AttemptAbort;
  settled: Promise<{ ok: true; value: T; f: Launched<T> } | { ok: false; error: GatewayError; f: Launched<T> }>;
}

/**
 * The one launch path of an attempt, sequential or hedged: counts it, tells the observers, links
 * it to the request's cancellation and runs it through the interceptors.
 */
function launch<T>(input: LoopInput, attempt: Attempt, once: OnceFn<T>): { controller: AttemptAbort; result: Promise<T> } {
  const fmt = formatFor(input, attempt);
  const controller = new AttemptAbort();
  input.call.ex.cancel.link(controller);
  verdicts.started(input, attempt);
  const ics = input.lifecycle.interceptors;
  let result: Promise<T>;
  try {
    if (ics.length === 0) result = once(attempt, fmt, controller);
    else {
      let run = (): Promise<unknown> => once(attempt, fmt, controller);
      for (let i = ics.length - 1; i >= 0; i--) {
        const ic = ics[i]!;
        const next = run;
        run = () => ic(input.call, attempt, next);
      }
      result = run() as Promise<T>;
    }
  } catch (e) {
    // A synchronous throw gets the same verdict path as a rejection (the attempt was started).
    result = Promise.reject(e);
  }
  return { controller, result };
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
export function runAttempts<T>(input: LoopInput, once: OnceFn<T>, discard: (t: T) => void): Promise<T> {
  const hedgeAfter = input.plan.plan.hedgeAfterMs;
  return hedgeAfter === undefined ? sequential(input, once) : hedged(input, once, discard, hedgeAfter);
}

/** The common case, without hedging: one attempt at a time, no races, no extra promises. */
async function sequential<T>(input: LoopInput, once: OnceFn<T>): Promise<T> {
  const { plan, call } = input;
  let lastError: GatewayError | undefined = input.after;
  for (;;) {
    const attempt = plan.next(lastError === undefined ? call.ex.startedAt : call.ex.clock(), lastError);
    if (!attempt) break;
    if (attempt.delayMs > 0) await sleep(attempt.delayMs, call);
    if (call.ex.cancel.aborted) throw clientLeft();
    const l = launch(input, attempt, once);
    try {
      return await l.result;
    } catch (e) {
      const err = asError(e, attempt);
      if (call.ex.cancel.aborted || err.code === 'internal_error') {
        verdicts.abandoned(input, attempt);
        throw err;
      }
      verdicts.failed(input, attempt, err, call.ex.clock());
      lastError = err;
    } finally {
      call.ex.cancel.unlink(l.controller);
    }
  }
  throw lastError ?? noDeployment(input);
}

async function hedged<T>(input: LoopInput, once: OnceFn<T>, discard: (t: T) => void, hedgeAfter: number): Promise<T> {
  const { plan, call } = input;
  let lastError: GatewayError | undefined = input.after;
  const inflight: Array<Launched<T>> = [];
  let hedgedOnce = false;
  let hedgeTimer: NodeJS.Timeout | undefined;

  const start = (attempt: Attempt): void => {
    const l = launch(input, attempt, once);
    const f = { attempt, controller: l.controller } as Launched<T>;
    f.settled = l.result.then(
      (value) => ({ ok: true as const, value, f }),
      (e: unknown) => ({ ok: false as const, error: asError(e, attempt), f }),
    ).finally(() => call.ex.cancel.unlink(l.controller));
    inflight.push(f);
  };

  try {
    for (;;) {
      if (inflight.length === 0) {
        const attempt = plan.next(lastError === undefined ? call.ex.startedAt : call.ex.clock(), lastError);
        if (!attempt) break;
        if (attempt.delayMs > 0) await sleep(attempt.delayMs, call);
        if (call.ex.cancel.aborted) throw clientLeft();
        start(attempt);
      }
      let hedgeFired: Promise<'hedge'> | undefined;
      if (!hedgedOnce && inflight.length === 1) {
        hedgeFired = new Promise((r) => { hedgeTimer = setTimeout(() => r('hedge'), hedgeAfter); });
      }
      const r = await Promise.race(hedgeFired ? [...inflight.map((f) => f.settled), hedgeFired] : inflight.map((f) => f.settled));
      clearTimeout(hedgeTimer);
      if (r === 'hedge') {
        hedgedOnce = true;
        const second = plan.next(call.ex.clock());
        if (second) {
          start(second);
          call.trace.failures.push('hedged');
        }
        continue;
      }
      inflight.splice(inflight.indexOf(r.f), 1);
      if (r.ok) {
        for (const loser of inflight.splice(0)) {
          loser.controller.abort(new Error('hedge lost'));
          verdicts.abandoned(input, loser.attempt);
          void loser.settled.then((x) => { if (x.ok) discard(x.value); });
        }
        return r.value;
      }
      if (call.ex.cancel.aborted || r.error.code === 'internal_error') {
        verdicts.abandoned(input, r.f.attempt);
        for (const other of inflight.splice(0)) {
          other.controller.abort(new Error('request over'));
          verdicts.abandoned(input, other.attempt);
          void other.settled.then((x) => { if (x.ok) discard(x.value); });
        }
        throw r.error;
      }
      verdicts.failed(input, r.f.attempt, r.error, call.ex.clock());
      lastError = r.error;
    }
  } finally {
    clearTimeout(hedgeTimer);
  }
  throw lastError ?? noDeployment(input);
}

/** Builds the upstream request; a throw here is our own fault (see the file comment). */
function build(input: AttemptLoopInput, attempt: Attempt, fmt: EgressFormat): UpstreamRequest | Promise<UpstreamRequest> {
  try {
    return fmt.buildRequest(input.request, egressTarget(attempt.deployment, attempt.credential));
  } catch (e) {
    throw asError(e, attempt);
  }
}

function noteWarnings(input: LoopInput, upReq: UpstreamRequest): void {
  const w = input.call.trace.warnings;
  for (const x of upReq.warnings) if (!w.includes(x)) w.push(x);
}

async function send(input: AttemptLoopInput, attempt: Attempt, fmt: EgressFormat, controller: AttemptAbort) {
  const upReq = await build(input, attempt, fmt);
  noteWarnings(input, upReq);
  input.call.upstreamHeaders?.(attempt, upReq.headers);
  const up = await callUpstream(upReq, capTimeouts(attempt.deployment.timeouts, input.plan.deadlineAt, input.call.ex.clock()), controller, describe(attempt), attempt.deployment.upstreamLimits);
  if (up.status < 200 || up.status >= 300) {
    let text = '';
    try {
      text = await up.body.text();
    } catch {
      // A body that cannot be read still leaves the status to map.
    } finally {
      up.release();
    }
    throw upstreamFault(input.call, fmt.parseError(text, { status: up.status, headers: up.headers }));
  }
  return up;
}

/**
 * One buffered upstream call: a non-2xx answer becomes the format's GatewayError, a 2xx body
 * that does not parse an `upstream_protocol` error.
 */
export function fetchJson(input: LoopInput, attempt: Attempt, fmt: EgressFormat, controller: AttemptAbort, upReq: UpstreamRequest): Promise<{ json: unknown; meta: UpstreamResponseMeta }> {
  noteWarnings(input, upReq);
  input.call.upstreamHeaders?.(attempt, upReq.headers);
  return callUpstreamBuffered(upReq, capTimeouts(attempt.deployment.timeouts, input.plan.deadlineAt, input.call.ex.clock()), controller, describe(attempt), attempt.deployment.upstreamLimits).then((up) => {
    const meta: UpstreamResponseMeta = up; // headers are parsed only if a format reads them
    if (up.status < 200 || up.status >= 300) throw upstreamFault(input.call, fmt.parseError(up.body.toString('utf8'), meta));
    let json: unknown;
    try {
      json = JSON.parse(up.body.toString('utf8'));
    } catch (e) {
      throw new GatewayError('upstream_protocol', `${describe(attempt)}: response body is not valid JSON`, { cause: e, clientMessage: 'the upstream answered with a body that is not valid JSON' });
    }
    return { json, meta };
  });
}

/**
 * Translating the upstream's answer: a throw means the answer had a shape the format cannot
 * read, which is the upstream's behaviour (upstream_protocol), not a bug of this request.
 */
function translated<T>(attempt: Attempt, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof GatewayError) throw e;
    throw new GatewayError('upstream_protocol', `${describe(attempt)}: response could not be translated (${(e as Error)?.message ?? String(e)})`, { cause: e, clientMessage: 'the upstream answered in a shape the gateway cannot read' });
  }
}

export async function runJsonAttempts(input: AttemptLoopInput): Promise<JsonSuccess> {
  const r = await runAttempts(input, (attempt, fmt, controller) => {
    const t0 = input.call.ex.clock();
    const go = (upReq: UpstreamRequest): Promise<JsonSuccess> =>
      fetchJson(input, attempt, fmt, controller, upReq).then(({ json, meta }) => ({ attempt, response: translated(attempt, () => fmt.parseResponse(json, meta)), startedAt: t0 }));
    // Most formats build synchronously; only signing (SigV4) needs a promise.
    let built: UpstreamRequest | Promise<UpstreamRequest>;
    try {
      built = build(input, attempt, fmt);
    } catch (e) {
      return Promise.reject(e);
    }
    return built instanceof Promise ? built.then(go) : go(built);
  }, () => {});
  // Reported here, not inside the attempt: a hedge loser that also finished is abandoned, not a success.
  const now = input.call.ex.clock();
  verdicts.succeeded(input, r.attempt, now - r.startedAt, undefined, now);
  return r;
}

/**
 * Resolves once an upstream has produced its first event; the caller then commits the response
 * to the client. Failures after that point are the relay's to handle.
 */
export function runStreamAttempts(input: AttemptLoopInput): Promise<StreamSuccess> {
  return runAttempts(input, async (attempt, fmt, controller) => {
    const t0 = input.call.ex.clock();
    const up = await send(input, attempt, fmt, controller);
    // Formats turn a failing body into an error event; remember the transport cause so a stalled
    // or reset body is classified as a timeout/connection failure, not a protocol error.
    let bodyError: unknown;
    up.body.once('error', (e) => { bodyError = e; });
    const classify = (e: unknown): GatewayError => {
      if (bodyError !== undefined || controller.aborted) return transportError(controller.aborted ? controller.reason ?? bodyError : bodyError, describe(attempt), attempt.deployment.timeouts);
      if (e instanceof GatewayError) return e;
      return new GatewayError('upstream_protocol', `${describe(attempt)}: stream could not be translated (${(e as Error)?.message ?? String(e)})`, { cause: e, clientMessage: 'the upstream streamed events the gateway cannot read' });
    };
    const it = fmt.parseStream(up.body, { model: attempt.deployment.model })[Symbol.asyncIterator]();
    const buffered: CanonicalEvent[] = [];
    try {
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        if (r.value.type === 'error') {
          if (bodyError !== undefined || controller.aborted) throw classify(undefined);
          throw upstreamFault(input.call, r.value.error);
        }
        buffered.push(r.value);
        if (commits(r.value)) break;
      }
    } catch (e) {
      up.release();
      up.body.destroy();
      throw classify(e);
    }
    if (buffered.length === 0) {
      up.release();
      throw new GatewayError('upstream_protocol', `${describe(attempt)}: stream ended without any event`, { clientMessage: 'the upstream stream ended without any event' });
    }
    const release = () => {
      up.release();
      if (!up.body.destroyed) up.body.destroy();
    };
    return { attempt, buffered, rest: it, startedAt: t0, upstream: up, classify, release, judged: false };
  }, (s) => s.release());
}

/** For logs and error messages. */
export { describe as describeAttempt };
