// Router backed by src/routing: planner, health registry (breakers at provider, deployment and
// credential level) and latency/in-flight stats. One instance per process; state is keyed by
// ids, so it survives config reloads.
import { HealthRegistry, DeploymentStats, planAttempts, type PlanInput, reportCancelled, reportFailure, reportSuccess, type HealthChange, type HealthOptions } from '../routing/index.js';
import type { Logger } from '../telemetry/log.js';
import { healthView } from './health-view.js';
import type { Attempt, AttemptSequence, Router } from './router.js';

export interface RouterOptions {
  health?: HealthOptions;
  rng?: () => number;
}

export function createRouter(log: Logger, opts: RouterOptions = {}): Router & { state: { health: HealthRegistry; stats: DeploymentStats } } {
  const health = new HealthRegistry(opts.health);
  const stats = new DeploymentStats();
  const state = { health, stats };
  health.onChange((c: HealthChange) => log.warn({ health: c }, 'health state changed'));
  return {
    state,
    plan(route, request, headers, now, needs, exclude, chosen): AttemptSequence {
      const input: PlanInput = { route, request, headers, now };
      if (opts.rng) input.rng = opts.rng;
      if (needs) input.needs = needs;
      if (exclude) input.exclude = exclude;
      if (chosen) input.policy = chosen;
      const p = planAttempts(input, state);
      let last: Attempt | undefined;
      const out: AttemptSequence = {
        plan: p.plan,
        deadlineAt: p.deadlineAt,
        next(t, lastError) {
          last = last === undefined ? p.first : lastError ? p.next(t, lastError, last) : p.next(t);
          return last;
        },
      };
      if (p.className !== undefined) out.className = p.className;
      return out;
    },
    started: (a) => stats.begin(a.deployment.id),
    tryAcquire: (a, now) => health.acquire(a.ref, now),
    succeeded: (a, latencyMs, ttftMs, now) => reportSuccess(state, a.ref, now, latencyMs, ttftMs),
    failed: (a, error, now) => reportFailure(state, a.ref, error, now),
    abandoned: (a) => reportCancelled(state, a.ref),
    retain(snapshot) {
      const credentials = new Set<string>();
      for (const p of snapshot.providers.values()) for (const c of p.credentials) credentials.add(c.id);
      for (const d of snapshot.deployments.values()) for (const c of d.credentials) credentials.add(c.id);
      const deployments = new Set(snapshot.deployments.keys());
      health.retain({ providers: new Set(snapshot.providers.keys()), deployments, credentials });
      stats.retain(deployments);
    },
    health: (now, snapshot) => healthView(snapshot, health, stats, now),
  };
}
