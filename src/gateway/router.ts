// The gateway's view of routing: a plan of attempts for a request, and feedback after each
// attempt. The logic lives in src/routing (strategies, breakers, retry rules); this facade is
// what the attempt loop calls, so the loop never knows which strategy is in use.

import type { CanonicalRequest } from '../spec/canonical.js';
import type { GatewayError } from '../spec/errors.js';
import type { Headers } from '../spec/wire.js';
import type { CredentialSnapshot, DeploymentSnapshot, RouteSnapshot, TargetPlan } from '../config/snapshot.js';

export interface Attempt {
  deployment: DeploymentSnapshot;
  credential: CredentialSnapshot;
}

export interface AttemptPlan {
  className?: string;
  plan: TargetPlan;
  /** The next attempt to make, given the last failure; undefined when the plan is exhausted. */
  next(now: number, lastError?: GatewayError): Attempt | undefined;
}

export interface Router {
  plan(route: RouteSnapshot, request: CanonicalRequest, headers: Headers, now: number): AttemptPlan;
  started(a: Attempt): void;
  succeeded(a: Attempt, latencyMs: number, ttftMs: number | undefined, now: number): void;
  failed(a: Attempt, error: GatewayError, now: number): void;
  /** Called when an attempt ends without a verdict (client left): releases in-flight counts. */
  abandoned(a: Attempt): void;
  /** Whether to try another attempt after this error. */
  shouldFallBack(error: GatewayError, plan: TargetPlan): boolean;
  /** How long to wait before the next attempt (backoff, `retry-after`). */
  retryDelayMs(error: GatewayError, attemptNumber: number, plan: TargetPlan): number;
  health(now: number): unknown;
}
