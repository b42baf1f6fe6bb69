// Everything `strategy: auto` adds to a gateway, in one place: the planning stage, the decision
// recorder and its store (opened on first use, so a gateway without auto routes opens nothing),
// the live strong-share tracker, `POST /v1/feedback`, and the gauges /metrics exports.

import { join } from 'node:path';
import { Gauge, type Registry } from 'prom-client';
import type { Snapshot } from '../../config/snapshot.js';
import { autoRouter } from '../../gateway/stages/auto-router.js';
import type { Extension } from '../../gateway/extension.js';
import type { EndpointSpec } from '../../gateway/endpoint.js';
import { resolveDataDir } from '../../store/data-dir.js';
import type { Logger } from '../../telemetry/log.js';
import type { Embedder } from '../../cache/embedder.js';
import { StrongShareTracker, targetShare, type DriftOptions } from './drift.js';
import { jsonEndpoint } from '../../gateway/endpoints/json.js';
import { SavingsAccumulator, type SavingsRow } from './savings.js';
import { feedbackEndpoint } from './feedback-endpoint.js';
import { DecisionRecorder } from './recorder.js';
import { ROUTER_DB_FILE, SqliteRouterStore } from './router-store.js';

export interface AutoRoutingOptions {
  snapshot: Snapshot;
  log: Logger;
  configFile?: string;
  clock?: () => number;
  drift?: Omit<DriftOptions, 'warn'>;
  /** Write-behind period of decisions (0: only on feedback and at close; tests). */
  flushMs?: number;
  /** For routers of the embedder featurizer: an embedder other than the local one (tests: slow, failing, counting). */
  embedder?: Embedder;
  embedTimeoutMs?: number;
}

export interface AutoRouting {
  extension: Extension;
  tracker: StrongShareTracker;
  recorder(): DecisionRecorder | undefined;
  /** Adds `modelplane_router_strong_share{route}` and `..._target{route}` to a registry. */
  registerMetrics(registry: Registry): void;
}

export function createAutoRouting(o: AutoRoutingOptions): AutoRouting {
  const clock = o.clock ?? Date.now;
  const tracker = new StrongShareTracker({
    ...o.drift,
    warn: (route, live, target, samples) =>
      o.log.warn({ route, live_strong_share: Math.round(live * 1000) / 1000, target_strong_share: Math.round(target * 1000) / 1000, samples }, 'auto route: the share sent to the stronger tier drifted more than 10 points from its calibrated target (retrain or recalibrate the router: docs/routing.md)'),
  });
  let recorder: DecisionRecorder | undefined;
  let holdsAuto = [...o.snapshot.routes.values()].some((r) => r.auto !== undefined);
  const dir = resolveDataDir(o.snapshot.storage, o.configFile);
  const open = (): DecisionRecorder | undefined => {
    if (recorder === undefined && holdsAuto) {
      const path = dir === undefined || dir === ':memory:' ? ':memory:' : join(dir, ROUTER_DB_FILE);
      const store = new SqliteRouterStore(path);
      // Decisions live as long as the ledger rows they annotate (`ledger.retention_days`), pruned at open.
      const days = o.snapshot.tenants.ledger.retentionDays;
      if (days !== undefined) {
        const pruned = store.prune(clock() - days * 86_400_000);
        if (pruned > 0) o.log.info({ pruned, retention_days: days }, 'auto router: pruned old decisions');
      }
      recorder = new DecisionRecorder({ store, flushMs: o.flushMs ?? 1000, onError: (e) => o.log.warn({ err: String(e) }, 'auto router: could not write decisions') });
    }
    return recorder;
  };
  const saved = new SavingsAccumulator();
  const startedAt = clock();
  const stage = autoRouter(o.log, { recorder: open, drift: tracker, clock, live: saved, ...(o.embedder ? { embedder: o.embedder } : {}), ...(o.embedTimeoutMs !== undefined ? { embedTimeoutMs: o.embedTimeoutMs } : {}) });
  const endpoints = new Map<string, EndpointSpec>([
    ['POST /v1/feedback', feedbackEndpoint({ recorder: open, now: clock })],
    // For a dashboard panel: each auto route's live strong share against its target (null before any request).
    [
      'GET /admin/router',
      jsonEndpoint('admin', 'admin', (_d, call) => {
        const live = new Map(tracker.view().map((v) => [v.route, v]));
        const routes = [...call.ex.snapshot.routes.values()].filter((r) => r.auto !== undefined).map((r) => {
          const v = live.get(r.name);
          const n = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? null : Math.round(x * 1000) / 1000);
          return { route: r.name, router: r.auto!.routerName, threshold: n(r.auto!.threshold), tiers: r.auto!.tiers.map((t) => t.name), strong_share: n(v?.live), target_strong_share: n(v?.target ?? targetShare(r.auto!)), samples: v?.samples ?? 0, drifting: v?.drifting ?? false };
        });
        const r6 = (x: number) => Math.round(x * 1e6) / 1e6;
        const row = (x: SavingsRow) => ({ route: x.route, team: x.team, requests: x.requests, strong_share: r6(x.strongShare), cost_usd: r6(x.costUsd), all_strong_usd: r6(x.allStrongUsd), saved_usd: r6(x.savedUsd), saved_share: r6(x.savedShare), est_worse_share: r6(x.estWorseShare) });
        const rep = saved.report();
        return { routes, savings: { since: new Date(startedAt).toISOString(), rows: rep.rows.map(row), total: row(rep.total) } };
      }),
    ],
  ]);
  const extension: Extension = {
    ...stage,
    enabled: (s) => {
      const on = stage.enabled!(s);
      if (on) holdsAuto = true; // a reload that adds an auto route opens the store on first use
      return on;
    },
    endpoints,
    close: () => {
      recorder?.close();
      return Promise.resolve();
    },
  };
  return {
    extension,
    tracker,
    recorder: open,
    registerMetrics(registry) {
      new Gauge({ name: 'modelplane_router_strong_share', help: 'Share of an auto route\'s recent requests (last 500) sent above its cheapest tier.', labelNames: ['route'], registers: [registry], collect() {
        this.reset();
        for (const v of tracker.view()) if (!Number.isNaN(v.live)) this.labels(v.route).set(v.live);
      } });
      new Gauge({ name: 'modelplane_router_strong_share_target', help: 'The share an auto route\'s threshold was calibrated to send above its cheapest tier.', labelNames: ['route'], registers: [registry], collect() {
        this.reset();
        for (const v of tracker.view()) if (!Number.isNaN(v.target)) this.labels(v.route).set(v.target);
      } });
    },
  };
}
