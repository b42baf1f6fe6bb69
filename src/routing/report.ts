// The two calls the attempt loop makes when an attempt ends, so stats and health never drift
// apart: health gets the verdict, stats the latency sample and the in-flight decrement.
// (stats.begin(attempt.deployment.id) is called when the attempt is sent.)

import type { GatewayError } from '../spec/errors.js';
import type { AttemptRef, HealthRegistry } from './health.js';
import type { DeploymentStats } from './stats.js';

export interface RoutingState {
  health: HealthRegistry;
  stats: DeploymentStats;
}

/** Call once the attempt is known good (headers for JSON, first event for streams). */
export function reportSuccess(state: RoutingState, ref: AttemptRef, now: number, latencyMs: number, ttftMs?: number): void {
  state.health.recordSuccess(ref, latencyMs, now);
  state.stats.recordSuccess(ref.deploymentId, now, latencyMs, ttftMs);
  state.stats.end(ref.deploymentId);
}

export function reportFailure(state: RoutingState, ref: AttemptRef, error: GatewayError, now: number): void {
  state.health.recordFailure(ref, error, now);
  // Only the deployment's (or its provider's) own failures count against its stats.
  if ((error.scope === 'deployment' || error.scope === 'provider') && error.code !== 'context_length_exceeded') {
    state.stats.recordError(ref.deploymentId, now);
  }
  state.stats.end(ref.deploymentId);
}

/** The attempt was abandoned (client disconnected, hedge lost): no verdict, free its trial slots. */
export function reportCancelled(state: RoutingState, ref: AttemptRef): void {
  state.health.cancel(ref);
  state.stats.end(ref.deploymentId);
}
