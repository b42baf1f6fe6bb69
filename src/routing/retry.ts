// Retry and fallback arithmetic. Which errors may be retried is decided by the error table
// (`retryable`, `scope` in spec/errors.ts), never by provider status codes here.

import type { DeploymentSnapshot, RetryPolicy, RoutingPolicy } from '../config/snapshot.js';
import type { GatewayError } from '../spec/errors.js';

export type Rng = () => number;

/**
 * Backoff before retry number `attempt` (1 = the first retry): exponential with full jitter,
 * i.e. uniform in [0, min(maxBackoffMs, baseBackoffMs · 2^(attempt-1))). Full jitter spreads a
 * burst of clients that failed together, which plain exponential backoff would keep in step.
 */
export function backoffMs(attempt: number, policy: RetryPolicy, rng: Rng): number {
  const exp = Math.max(0, attempt - 1);
  const cap = Math.min(policy.maxBackoffMs, policy.baseBackoffMs * 2 ** exp);
  return Math.floor(rng() * cap);
}

/**
 * Delay before retrying the same target. The provider's retry-after (already parsed into
 * `retryAfterMs`) wins over our own backoff, even above maxBackoffMs: retrying earlier only
 * earns another 429. Whether the wait still fits is fitsDeadline's call.
 */
export function retryDelay(error: GatewayError, attempt: number, policy: RetryPolicy, rng: Rng): number {
  if (error.retryAfterMs !== undefined) return error.retryAfterMs;
  return backoffMs(attempt, policy, rng);
}

/**
 * Whether the request may continue on another target after `error`. Request-scope errors never
 * (the request itself is wrong). Credential, deployment and provider errors do, retryable or not:
 * an exhausted key or a missing model says nothing about the next key or deployment.
 * context_length_exceeded only when the plan allows it and (given `from`, the deployment that
 * failed) some target has a known, larger context window.
 */
export function shouldFallBack(error: GatewayError, plan: RoutingPolicy, from?: DeploymentSnapshot): boolean {
  if (error.code === 'context_length_exceeded') {
    if (!plan.fallbackOnContextLength) return false;
    if (from === undefined) return true;
    const limit = from.capabilities.contextWindow;
    return plan.targets.some((t) => {
      const w = t.capabilities.contextWindow;
      return t !== from && w !== undefined && (limit === undefined || w > limit);
    });
  }
  return error.scope !== 'request';
}

/**
 * Whether the same target may be tried again after `error` (after retryDelay): only retryable
 * errors, e.g. a 5xx, a timeout, or a 429 once its retry-after has passed.
 */
export function canRetrySameTarget(error: GatewayError): boolean {
  return error.retryable && error.scope !== 'request';
}

/**
 * Whether waiting `delayMs` from `now` still leaves the request inside its deadline, with at
 * least `minAttemptMs` for the attempt itself.
 */
export function fitsDeadline(startedAt: number, now: number, delayMs: number, deadlineMs: number, minAttemptMs = 0): boolean {
  return now + delayMs + minAttemptMs < startedAt + deadlineMs;
}
