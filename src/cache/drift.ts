// The hit-rate drift signal: "when the hit rate drops, something has changed in the workload;
// when it rises sharply, you may be over-caching". The trends (trends.ts) flag a route whose
// last-hour hit rate left its trailing baseline by more than `cache.drift_band`; this watcher
// turns a new flag into one soft alert (a warn line and the budget alerts' webhook), edge
// triggered: a route is alerted again only after its flag cleared or turned the other way.

import type { CacheTrends, TrendReport } from './trends.js';

export interface DriftAlert {
  type: 'cache.hit_rate_drift';
  route: string;
  flag: 'drop' | 'rise';
  last_hour: { lookups: number; hit_rate: number };
  baseline: { lookups: number; hit_rate: number };
  band: number;
  at: string;
}

const round = (x: number): number => Math.round(x * 1e4) / 1e4;

export class DriftWatcher {
  private readonly flagged = new Map<string, 'drop' | 'rise'>();

  constructor(
    private readonly trends: CacheTrends,
    private readonly send: (alert: DriftAlert, message: string) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Compares every route once (a timer calls this every minute); returns the alerts it sent. */
  check(): DriftAlert[] {
    const sent: DriftAlert[] = [];
    const seen = new Set<string>();
    for (const t of this.trends.report()) {
      seen.add(t.route);
      if (t.flag === undefined) {
        this.flagged.delete(t.route);
        continue;
      }
      if (this.flagged.get(t.route) === t.flag) continue;
      this.flagged.set(t.route, t.flag);
      const alert = this.alert(t, t.flag);
      this.send(alert, `cache hit rate of route ${t.route} ${t.flag === 'drop' ? 'dropped' : 'rose'} from ${pct(t.baseline.hitRate)} to ${pct(t.lastHour.hitRate)} in the last hour (band ${pct(this.trends.band)})`);
      sent.push(alert);
    }
    for (const r of this.flagged.keys()) if (!seen.has(r)) this.flagged.delete(r);
    return sent;
  }

  private alert(t: TrendReport, flag: 'drop' | 'rise'): DriftAlert {
    return {
      type: 'cache.hit_rate_drift',
      route: t.route,
      flag,
      last_hour: { lookups: t.lastHour.lookups, hit_rate: round(t.lastHour.hitRate) },
      baseline: { lookups: t.baseline.lookups, hit_rate: round(t.baseline.hitRate) },
      band: this.trends.band,
      at: new Date(this.clock()).toISOString(),
    };
  }
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}
