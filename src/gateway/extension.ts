// The seams a capability plugs into, in one interface. An extension is a bundle of optional
// hooks; the lifecycle (lifecycle.ts) composes the extensions of a snapshot once, so a request
// pays only for the hooks that exist. The order of the lifecycle, and what each hook may read
// and write, is documented in docs/architecture.md ("Request lifecycle").

import type { CanonicalEvent } from '../spec/canonical.js';
import type { GatewayError } from '../spec/errors.js';
import type { Snapshot } from '../config/snapshot.js';
import type { Attempt } from '../routing/index.js';
import type { Answer, Call, Caller } from './call.js';
import type { EndpointSpec } from './endpoint.js';

/**
 * An onion stage (hono's `compose`): runs after the request is decoded and its route resolved,
 * before the producer. Call `next()` to go on (at most once), or return an answer of your own
 * (a cache hit) or throw a GatewayError (a refusal) without any upstream attempt.
 */
export type Stage = (call: Call, next: () => Promise<Answer>) => Promise<Answer>;

/** Notified of every attempt's verdict, from one place in attempts.ts. */
export interface AttemptObserver {
  started?(call: Call, a: Attempt): void;
  succeeded?(call: Call, a: Attempt, latencyMs: number, ttftMs: number | undefined, now: number): void;
  failed?(call: Call, a: Attempt, error: GatewayError, now: number): void;
  /** The attempt ended without a verdict (client left, hedge lost). */
  abandoned?(call: Call, a: Attempt): void;
}

/**
 * Wraps the one-attempt call (undici's interceptors are the model): runs before the attempt and
 * sees its result or error. Return `next()`'s promise, or a promise derived from it.
 */
export type AttemptInterceptor = (call: Call, attempt: Attempt, next: () => Promise<unknown>) => Promise<unknown>;

/**
 * A synchronous per-event observer of a streamed answer, called inline by the relay before the
 * event is encoded for the client. Return nothing to pass the event on, another event to replace
 * it, or a GatewayError to end the stream with that error (e.g. a budget cut-off).
 */
export type StreamTap = (e: CanonicalEvent) => CanonicalEvent | GatewayError | void;

export interface Extension {
  name: string;
  /** Whether the extension has anything to do under this snapshot (checked once per snapshot). */
  enabled?(snapshot: Snapshot): boolean;
  /**
   * Resolves the caller from the presented credential, before the body is read. Return
   * undefined when the credential is not yours; throw a GatewayError to refuse it.
   */
  authenticate?(presentedKey: string | undefined, call: Call): Caller | undefined;
  stage?: Stage;
  observer?: AttemptObserver;
  interceptor?: AttemptInterceptor;
  /** A tap for this call's stream, or undefined. */
  tap?(call: Call): StreamTap | undefined;
  /** Runs once the response has left (write-behind work). Must not throw. */
  after?(call: Call): void;
  /**
   * Endpoints the extension serves (`'GET /metrics'`, `'POST /admin/keys'`, ...), added to the
   * endpoint table at start-up; a path ending in `/*` matches deeper paths.
   */
  endpoints?: ReadonlyMap<string, EndpointSpec>;
  /** Flushes and closes what the extension holds (stores, timers), when the gateway stops. */
  close?(): Promise<void>;
}
