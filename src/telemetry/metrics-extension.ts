// Metrics as an Extension: the attempt observer counts upstream verdicts, a stage counts requests
// in flight, the after-hook records the finished call into Prometheus series and the dashboard's
// rolling window. It serves `GET /metrics`, `GET /admin/dashboard/data` and the dashboard's
// pages. `telemetry.metrics.enabled: false` takes every hook off the hot path (`enabled`).

import type { SnapshotHolder } from '../config/holder.js';
import type { Snapshot } from '../config/snapshot.js';
import type { Call } from '../gateway/call.js';
import type { EndpointSpec } from '../gateway/endpoint.js';
import type { Extension } from '../gateway/extension.js';
import { jsonEndpoint } from '../gateway/endpoints/json.js';
import type { Router } from '../gateway/router.js';
import { GatewayError } from '../spec/errors.js';
import { dashboardEndpoints } from './dashboard-assets.js';
import { GatewayMetrics } from './gateway-metrics.js';
import type { Logger } from './log.js';
import { serveMetricsPort, type MetricsPort } from './metrics-port.js';
import { healthEntities, HealthTimeline } from './health-timeline.js';
import { plainEndpoint, requireAdminKey } from './plain-endpoint.js';
import { RollingWindow, type WindowOptions } from './rolling-window.js';
import type { StateSources } from './state-metrics.js';
import { RequestTail } from './request-tail.js';

const IN_FLIGHT = Symbol('metrics.inFlight');

const STATES = ['closed', 'open', 'half-open'] as const;

export interface MetricsExtensionOptions {
  /** The start-up snapshot: its `telemetry.metrics.labels` fix the series' label names. */
  snapshot: Snapshot;
  holder?: SnapshotHolder;
  /** The dashboard's window (tests inject a clock). */
  window?: WindowOptions;
  /** For `telemetry.metrics.port`: the breaker view outside the request pipeline. */
  router?: Router;
  log?: Logger;
  /** Read-only views of budgets, shadow mirrors and cache savings, for scrape-time series. */
  sources?: StateSources;
}

export interface MetricsExtension extends Extension {
  readonly metrics: GatewayMetrics;
  readonly window: RollingWindow;
  /** The separate metrics listener, when `telemetry.metrics.port` is set. */
  readonly port?: MetricsPort;
}

/** Sets the breaker gauge from the router's health view: one series per entity and state. */
function collectBreakers(metrics: GatewayMetrics, doc: unknown): void {
  const g = metrics.breakerState;
  g.reset();
  for (const [level, id, state] of healthEntities(doc)) for (const s of STATES) g.labels(level, id, s).set(state === s ? 1 : 0);
}

/** `?range=15m` (s, m, h) for the dashboard's data; default 15 minutes, at most the window. */
function rangeOf(call: Call): number {
  const url = call.ex.req.url ?? '';
  const m = /[?&]range=(\d+)([smh])\b/.exec(url);
  if (!m) return 15 * 60_000;
  const n = Number(m[1]);
  return n * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 3_600_000);
}

export function metricsExtension(opts: MetricsExtensionOptions): MetricsExtension {
  const m = opts.snapshot.telemetry.metrics;
  const metrics = new GatewayMetrics({ labels: m.labels, maxLabelValues: m.maxLabelValues, ...(opts.sources ? { sources: opts.sources } : {}) });
  const window = new RollingWindow(opts.window);
  const now = opts.window?.now ?? Date.now;
  const tail = new RequestTail();
  const inFlight = { chat: metrics.inFlight.cell('chat'), embeddings: metrics.inFlight.cell('embeddings') };
  const timeline = new HealthTimeline();
  const healthNow = (router: Router, snapshot: Snapshot) => {
    const now = Date.now();
    const doc = router.health(now, snapshot);
    timeline.observe(doc, now);
    return doc;
  };
  const scrape = async (router: Router, snapshot: Snapshot) => {
    metrics.configVersion.set(snapshot.version);
    collectBreakers(metrics, healthNow(router, snapshot));
    return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
  };
  const router = opts.router;
  const port =
    m.port !== undefined && router !== undefined
      ? serveMetricsPort({ port: m.port, host: m.host, current: () => opts.holder?.current ?? opts.snapshot, scrape: (s) => scrape(router, s), ...(opts.log ? { log: opts.log } : {}) })
      : undefined;
  // Breaker changes between dashboard polls and scrapes: the router's view every 5 s (a walk of
  // the health view, off the request path), the first one the baseline.
  const ticker =
    router === undefined
      ? undefined
      : setInterval(() => {
          if ((opts.holder?.current ?? opts.snapshot).telemetry.metrics.enabled) healthNow(router, opts.holder?.current ?? opts.snapshot);
        }, 5000);
  ticker?.unref();
  if (router !== undefined) healthNow(router, opts.snapshot);
  opts.holder?.onReload(() => metrics.reloads.labels('success').inc());
  opts.holder?.onReloadFailed(() => metrics.reloads.labels('failure').inc());

  const endpoints = new Map<string, EndpointSpec>([
    [
      'GET /metrics',
      plainEndpoint('admin', 'none', async (deps, call) => {
        const t = call.ex.snapshot.telemetry.metrics;
        if (!t.enabled) throw new GatewayError('not_found', 'metrics are off: telemetry.metrics.enabled is false');
        if (t.auth === 'admin') requireAdminKey(call);
        return { ...(await scrape(deps.router, call.ex.snapshot)), cacheControl: 'no-store' };
      }),
    ],
    [
      'GET /admin/dashboard/data',
      jsonEndpoint('admin', 'admin', (d, call) => {
        if (!call.ex.snapshot.telemetry.metrics.enabled) throw new GatewayError('not_found', 'the dashboard reads the metrics window: telemetry.metrics.enabled is false');
        healthNow(d.router, call.ex.snapshot);
        return { health_changes: timeline.view(), config_version: call.ex.snapshot.version, ...window.view(rangeOf(call)), cache_similarity: metrics.similarityDistribution() };
      }),
    ],
    [
      'GET /admin/dashboard/tail',
      jsonEndpoint('admin', 'admin', (_d, call) => {
        if (!call.ex.snapshot.telemetry.metrics.enabled) throw new GatewayError('not_found', 'the live tail is kept by the metrics extension: telemetry.metrics.enabled is false');
        const q = new URL(call.ex.req.url ?? '/', 'http://x').searchParams;
        const after = Number(q.get('after') ?? 0);
        const limit = Number(q.get('limit') ?? 100);
        if (!Number.isInteger(after) || after < 0) throw new GatewayError('invalid_request', 'after: a sequence number from an earlier answer (an integer >= 0)');
        if (!Number.isInteger(limit) || limit < 1 || limit > tail.size) throw new GatewayError('invalid_request', `limit: an integer from 1 to ${tail.size}`);
        return tail.since(after, limit);
      }),
    ],
    ...dashboardEndpoints(),
  ]);

  return {
    name: 'metrics',
    metrics,
    window,
    ...(port ? { port } : {}),
    close: async () => {
      clearInterval(ticker);
      await port?.close();
    },
    endpoints,
    enabled: (s) => s.telemetry.metrics.enabled,
    stage: (call, next) => {
      const e = call.endpoint;
      if (e === 'chat' || e === 'embeddings') {
        inFlight[e].value++;
        call[IN_FLIGHT] = inFlight[e];
      }
      return next();
    },
    observer: {
      started: (c, a) => metrics.attemptMetrics.started(c, a, c.ex.clock()),
      succeeded: (c, a, latencyMs) => metrics.attemptMetrics.succeeded(c, a, latencyMs),
      failed: (c, a, err, at) => metrics.attemptMetrics.failed(c, a, err, at),
      abandoned: (c, a) => metrics.attemptMetrics.abandoned(c, a),
    },
    after: (call) => {
      const g = call[IN_FLIGHT] as { value: number } | undefined;
      if (g !== undefined) g.value--;
      // One clock reading for both: the request's duration is the same number in each.
      const t = now();
      metrics.record(call, t);
      window.add(call, t);
      tail.add(call, t);
    },
  };
}
