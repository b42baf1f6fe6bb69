// modelplane_admission_fallbacks_total{reason}: admissions the unavailable policy answered
// (Redis timed out or could not be reached), read from the store's counts at scrape time, and
// modelplane_cluster_live_instances: the instance count, as last seen in Redis, that the local
// policy divides every limit by (a stale count means a larger share: docs/scaling.md).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { AdmissionStore } from '../../governance/admission-store.js';
import { RedisAdmissionStore } from './admission-store.js';

export function registerAdmissionMetrics(registry: Registry, store: AdmissionStore): void {
  if (!(store instanceof RedisAdmissionStore)) return;
  const seen = { timeout: 0, error: 0 };
  new Counter({
    name: 'modelplane_admission_fallbacks_total',
    help: 'Admissions answered by cluster.on_redis_unavailable because Redis timed out (admission_timeout_ms) or was unreachable.',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      for (const reason of ['timeout', 'error'] as const) {
        const d = store.fallbacks[reason] - seen[reason];
        seen[reason] = store.fallbacks[reason];
        // Touch both series so a scrape shows 0 before the first fallback.
        this.inc({ reason }, d);
      }
    },
  });
  new Gauge({
    name: 'modelplane_cluster_live_instances',
    help: 'Live gateway instances as last counted in Redis (the divisor of on_redis_unavailable: local).',
    registers: [registry],
    collect() {
      this.set(store.liveInstances);
    },
  });
}
