// Temporary ordered router; replaced by the src/routing planner.
import type { CanonicalRequest } from '../spec/canonical.js';
import type { GatewayError } from '../spec/errors.js';
import type { Headers } from '../spec/wire.js';
import type { RouteSnapshot, TargetPlan } from '../config/snapshot.js';
import type { Logger } from '../telemetry/log.js';
import type { Attempt, AttemptPlan, Router } from './router.js';

export function createRouter(_log: Logger): Router {
  return {
    plan(route: RouteSnapshot, _request: CanonicalRequest, _headers: Headers): AttemptPlan {
      const attempts: Attempt[] = [];
      for (const d of route.targets) for (let i = 0; i < route.retry.attemptsPerDeployment; i++) attempts.push({ deployment: d, credential: d.credentials[i % d.credentials.length]! });
      let n = 0;
      return { plan: route, next: () => (n < route.retry.maxAttempts ? attempts[n++] : undefined) };
    },
    started() {},
    succeeded() {},
    failed() {},
    abandoned() {},
    shouldFallBack: (e: GatewayError, _p: TargetPlan) => e.retryable || e.scope === 'credential' || e.scope === 'deployment',
    retryDelayMs: () => 0,
    health: () => ({}),
  };
}
