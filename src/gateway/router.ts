// The gateway's view of routing: a lazy plan of attempts for a request, and one report per
// attempt. The logic lives in src/routing (strategies, breakers, retry rules, deadlines); this
// facade is all the attempt loop calls, so the loop never knows which strategy is in use.

import type { CanonicalRequest, EmbeddingRequest } from '../spec/canonical.js';
import type { GatewayError } from '../spec/errors.js';
import type { Headers } from '../spec/wire.js';
import type { DeploymentSnapshot, RouteSnapshot, Snapshot, RoutingPolicy } from '../config/snapshot.js';
import type { Attempt } from '../routing/index.js';
import type { RequestNeeds } from '../routing/estimate.js';

export type { Attempt };

export interface AttemptSequence {
  className?: string;
  plan: RoutingPolicy;
  /** Wall-clock bound for the whole request (ms since epoch). */
  deadlineAt: number;
  /**
   * The next attempt: the first on the first call, then the one that follows `lastError`
   * (another key, the same deployment after backoff, or the next deployment); undefined when
   * the request should stop. Attempts may carry `delayMs` to wait before sending.
   */
  next(now: number, lastError?: GatewayError): Attempt | undefined;
}

export interface Router {
  /**
   * Throws GatewayError when no target can serve the request (capabilities, context window,
   * `exclude`'s policy, all down). `needs` as computed when the request was decoded.
   */
  plan(route: RouteSnapshot, request: CanonicalRequest | EmbeddingRequest, headers: Headers, now: number, needs?: RequestNeeds, exclude?: (d: DeploymentSnapshot) => string | undefined, policy?: RoutingPolicy): AttemptSequence;
  started(a: Attempt): void;
  /** For active probes: whether `a` may go now (takes a half-open trial slot when cooling is over). */
  tryAcquire(a: Attempt, now: number): boolean;
  succeeded(a: Attempt, latencyMs: number, ttftMs: number | undefined, now: number): void;
  failed(a: Attempt, error: GatewayError, now: number): void;
  /** The attempt ended without a verdict (client left, hedge lost). */
  abandoned(a: Attempt): void;
  /** After a config reload: forget health and stats of ids that no longer exist. */
  retain(snapshot: Snapshot): void;
  /** The GET /admin/health document for this snapshot. */
  health(now: number, snapshot: Snapshot): unknown;
}
