// GET /admin/health: every configured provider, deployment and credential with its breaker
// state, why, since and until when, recent error rate and latency. Entities that have seen no
// traffic are listed as closed with zero requests, so the view always matches the config.
import type { Snapshot } from '../config/snapshot.js';
import type { DeploymentStats, HealthEntry, HealthRegistry } from '../routing/index.js';

const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

function row(e: HealthEntry | undefined, level: string, id: string) {
  return {
    level,
    id,
    state: e?.state ?? 'closed',
    reason: e?.reason || undefined,
    since: iso(e?.since),
    until: iso(e?.until),
    error_rate: e?.errorRate ?? 0,
    requests: e?.requests ?? 0,
    consecutive_failures: e?.consecutiveFailures ?? 0,
    p50_latency_ms: e?.p50LatencyMs,
  };
}

export function healthView(snapshot: Snapshot, health: HealthRegistry, stats: DeploymentStats, now: number) {
  const entries = health.snapshot(now);
  const find = (level: string, id: string) => entries.find((e) => e.level === level && e.id === id);
  const providers = [...snapshot.providers.values()].map((p) => ({
    ...row(find('provider', p.id), 'provider', p.id),
    format: p.format,
    credentials: p.credentials.map((c) => row(find('credential', c.id), 'credential', c.id)),
  }));
  const deployments = [...snapshot.deployments.values()].map((d) => {
    const v = stats.view(d.id, now);
    return {
      ...row(find('deployment', d.id), 'deployment', d.id),
      provider: d.provider.id,
      tier: d.tier,
      in_flight: v.inFlight,
      mean_latency_ms: v.meanLatencyMs,
      mean_ttft_ms: v.meanTtftMs,
      // Per-key rate-limit cooldowns for this deployment (`key@deployment`).
      rate_limits: entries.filter((e) => e.level === 'credential' && e.id.endsWith(`@${d.id}`)).map((e) => row(e, 'credential', e.id)),
      credentials: d.credentials.filter((c) => !d.provider.credentials.includes(c)).map((c) => row(find('credential', c.id), 'credential', c.id)),
    };
  });
  return { time: iso(now), config_version: snapshot.version, providers, deployments };
}
