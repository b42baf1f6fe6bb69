// The gateway's Prometheus metrics: the OpenTelemetry GenAI signals where the conventions define
// one (names with dots become underscores, durations end in _seconds, as the OTel-to-Prometheus
// mapping does), `modelplane_*` for the rest. docs/observability.md lists every metric.
//
// Recording is on the hot path's tail (the after-hook), so the cells of a label tuple are found
// once and kept in a tree keyed by the snapshot's own route and deployment objects
// (cell-tree.ts): a request costs a few Map hits and additions, and builds no string and no
// object; prom-client formats the text only when /metrics is scraped (fast-series.ts).

import { Counter, Gauge, Registry } from 'prom-client';
import type { Call } from '../gateway/call.js';
import type { AttributionLabel } from '../config/telemetry.js';
import { FastCounter, FastGauge, FastHistogram, type Cell, type HistogramCell } from './fast-series.js';
import type { DeploymentSnapshot, RouteSnapshot } from '../config/snapshot.js';
import { AttemptMetrics } from './attempt-metrics.js';
import { CellTree } from './cell-tree.js';
import { DecisionMetrics } from './decision-metrics.js';
import { LabelGuard, NONE } from './label-guard.js';
import { registerStateMetrics, type StateSources } from './state-metrics.js';

/** Bucket boundaries the GenAI semantic conventions advise. */
export const BUCKETS = {
  tokens: [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864],
  operationSeconds: [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92],
  ttftSeconds: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0],
};

const GENAI = ['gen_ai_operation_name', 'gen_ai_provider_name', 'gen_ai_request_model', 'gen_ai_response_model'] as const;

/** The GenAI operation an endpoint performs; undefined for endpoints that are not one (models, count_tokens). */
export function operationName(call: Call): string | undefined {
  return call.endpoint === 'chat' ? 'chat' : call.endpoint === 'embeddings' ? 'embeddings' : undefined;
}

/**
 * The cells one (endpoint, route, deployment, attribution) tuple records into, resolved on its
 * first request and kept in the cell tree: recording a request is then a few additions.
 */
interface RequestCells {
  /** Status 200; other statuses in `byStatus`. */
  ok: Cell;
  byStatus: Map<number, Cell>;
  tokensIn: Cell;
  tokensOut: Cell;
  tokensCacheRead: Cell;
  cost: Cell;
  /** Per (endpoint, route) series, found through this tuple so no key is built per request. */
  errors: Map<string, Cell>;
  cache: Map<string, Cell>;
  fallbacks: Map<string, Cell>;
  hedges?: Cell;
  resumptions?: Cell;
  /** GenAI series; undefined for endpoints that are not a GenAI operation. */
  genai?: {
    durationOk: HistogramCell;
    durationByError: Map<string, HistogramCell>;
    ttft: HistogramCell;
    usageIn: HistogramCell;
    usageOut: HistogramCell;
  };
  /** Label values, for the cells created later (statuses, errors, ...). */
  base: readonly string[];
  route: string;
}


export interface MetricsOptions {
  labels: readonly AttributionLabel[];
  maxLabelValues: number;
  /** Other capabilities' state, read at scrape time (budgets, shadow, cache savings). */
  sources?: StateSources;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly attribution: readonly AttributionLabel[];
  private readonly tree: CellTree<RouteSnapshot, DeploymentSnapshot, RequestCells>;

  private readonly requests: FastCounter;
  private readonly errors: FastCounter;
  private readonly tokens: FastCounter;
  private readonly cost: FastCounter;
  private readonly cacheLookups: FastCounter;
  private readonly fallbacks: FastCounter;
  private readonly hedges: FastCounter;
  private readonly resumptions: FastCounter;
  private readonly tokenUsage: FastHistogram;
  private readonly requestDuration: FastHistogram;
  private readonly ttft: FastHistogram;
  readonly inFlight: FastGauge;
  readonly configVersion: Gauge<string>;
  readonly reloads: Counter<string>;
  readonly breakerState: Gauge<string>;
  private readonly decisions: DecisionMetrics;

  constructor(opts: MetricsOptions) {
    const r = this.registry;
    const registers = [r];
    this.attribution = opts.labels;
    const overflow = new FastCounter('modelplane_label_overflow_total', 'Label values counted under __overflow__ because the label reached telemetry.metrics.max_label_values.', ['label'], r);
    const guards = opts.labels.map((l) => new LabelGuard(opts.maxLabelValues, overflow.cell(l)));
    this.tree = new CellTree(guards, (route, d, endpoint, attr) => this.cellsOf(route?.name ?? NONE, d, endpoint, attr));
    const perRequest = ['endpoint', 'route', 'deployment', 'provider', ...this.attribution];
    this.requests = new FastCounter('modelplane_requests_total', 'Requests answered, by HTTP status code.', [...perRequest, 'code'], r);
    this.errors = new FastCounter('modelplane_errors_total', 'Requests that ended in an error, by the gateway error code.', ['endpoint', 'route', 'code'], r);
    this.tokens = new FastCounter('modelplane_tokens_total', 'Tokens, by direction (input, output, cache_read).', ['route', 'deployment', 'provider', ...this.attribution, 'direction'], r);
    this.cost = new FastCounter('modelplane_cost_usd_total', 'What answers cost, in US dollars, as priced by the gateway.', ['route', 'deployment', 'provider', ...this.attribution], r);
    this.cacheLookups = new FastCounter('modelplane_cache_lookups_total', 'Cache lookups, by outcome (hit, miss, bypass, ...).', ['route', 'outcome'], r);
    this.fallbacks = new FastCounter('modelplane_fallbacks_total', 'Failed attempts the gateway moved past, by reason (error code).', ['route', 'reason'], r);
    this.hedges = new FastCounter('modelplane_hedges_total', 'Hedged attempts started.', ['route'], r);
    this.resumptions = new FastCounter('modelplane_resumptions_total', 'Streams resumed on another deployment.', ['route'], r);
    const attempts = new FastCounter('modelplane_attempts_total', 'Upstream attempts, by verdict (success, failure, abandoned) and error code.', ['deployment', 'provider', 'outcome', 'code'], r);
    this.tokenUsage = new FastHistogram('gen_ai_client_token_usage', 'GenAI: tokens used per operation (gen_ai.client.token.usage).', [...GENAI, 'gen_ai_token_type'], BUCKETS.tokens, r);
    const operationDuration = new FastHistogram('gen_ai_client_operation_duration_seconds', 'GenAI: duration of each upstream attempt (gen_ai.client.operation.duration).', [...GENAI, 'error_type'], BUCKETS.operationSeconds, r);
    this.requestDuration = new FastHistogram('gen_ai_server_request_duration_seconds', 'GenAI: duration of each request the gateway served (gen_ai.server.request.duration).', [...GENAI, 'error_type'], BUCKETS.operationSeconds, r);
    this.ttft = new FastHistogram('gen_ai_server_time_to_first_token_seconds', 'GenAI: time to the first token of a streamed answer (gen_ai.server.time_to_first_token).', [...GENAI], BUCKETS.ttftSeconds, r);
    this.inFlight = new FastGauge('modelplane_in_flight_requests', 'Chat and embeddings requests being served.', ['endpoint'], r);
    this.configVersion = new Gauge({ name: 'modelplane_config_version', help: 'Version of the config snapshot serving requests.', registers });
    this.reloads = new Counter({ name: 'modelplane_config_reloads_total', help: 'Config reloads, by outcome (success, failure).', labelNames: ['outcome'], registers });
    this.breakerState = new Gauge({ name: 'modelplane_breaker_state', help: 'Circuit breaker state per provider, deployment and credential (1 for the current state).', labelNames: ['level', 'id', 'state'], registers });
    this.attemptMetrics = new AttemptMetrics(attempts, operationDuration);
    this.decisions = new DecisionMetrics(r);
    registerStateMetrics(r, opts.sources ?? {}, opts.maxLabelValues);
    this.reloads.inc({ outcome: 'success' }, 0);
    this.reloads.inc({ outcome: 'failure' }, 0);
  }

  /** Semantic-hit similarities, for the dashboard's cache panel. */
  similarityDistribution(): ReturnType<DecisionMetrics['similarityDistribution']> {
    return this.decisions.similarityDistribution();
  }

  private cellsOf(route: string, d: DeploymentSnapshot | undefined, endpoint: string, attr: readonly string[]): RequestCells {
    const deployment = d?.id ?? NONE;
    const provider = d?.provider.id ?? NONE;
    const model = d?.model ?? NONE;
    const t = [route, deployment, provider, ...attr];
    const op = endpoint === 'chat' || endpoint === 'embeddings' ? endpoint : undefined;
    const base = [endpoint, ...t];
    return {
      ok: this.requests.cell(...base, '200'),
      byStatus: new Map(),
      tokensIn: this.tokens.cell(...t, 'input'),
      tokensOut: this.tokens.cell(...t, 'output'),
      tokensCacheRead: this.tokens.cell(...t, 'cache_read'),
      cost: this.cost.cell(...t),
      errors: new Map(),
      cache: new Map(),
      fallbacks: new Map(),
      base,
      route,
      ...(op === undefined
        ? {}
        : {
            genai: {
              durationOk: this.requestDuration.cell(op, provider, route, model, NONE),
              durationByError: new Map(),
              ttft: this.ttft.cell(op, provider, route, model),
              usageIn: this.tokenUsage.cell(op, provider, route, model, 'input'),
              usageOut: this.tokenUsage.cell(op, provider, route, model, 'output'),
            },
          }),
    };
  }

  /** Everything a finished request adds (the after-hook); `now` is the clock's reading at its end. */
  record(call: Call, now: number): void {
    const o = call.outcome;
    const a = o.attempt;
    const caller = call.caller;
    const labels = this.attribution;
    const s = this.tree.get(call.route, a?.deployment, call.endpoint, (i) => {
      const l = labels[i]!;
      return l === 'key' ? caller.keyId : caller[l];
    });
    if (o.status === 200) s.ok.value++;
    else {
      let c = s.byStatus.get(o.status);
      if (c === undefined) s.byStatus.set(o.status, (c = this.requests.cell(...s.base, String(o.status))));
      c.value++;
    }
    const route = s.route;
    if (o.error) {
      let c = s.errors.get(o.error.code);
      if (c === undefined) s.errors.set(o.error.code, (c = this.errors.cell(call.endpoint, route, o.error.code)));
      c.value++;
    }
    const u = o.usage;
    if (u) {
      s.tokensIn.value += u.inputTokens;
      s.tokensOut.value += u.outputTokens;
      if (u.cacheReadTokens) s.tokensCacheRead.value += u.cacheReadTokens;
    }
    if (o.costUsd !== undefined && o.costUsd > 0) s.cost.value += o.costUsd;
    if (o.cache !== undefined) {
      let c = s.cache.get(o.cache);
      if (c === undefined) {
        c = this.cacheLookups.cell(route, o.cache.slice(0, 32));
        // Outcomes are a cache stage's fixed words; bound the map anyway.
        if (s.cache.size < 64) s.cache.set(o.cache, c);
      }
      c.value++;
    }
    const f = call.trace.failures;
    if (f.length > 0) this.failures(s, f, o.error?.code);
    if (o.resumed) (s.resumptions ??= this.resumptions.cell(route)).value += o.resumed;
    if (o.tier !== undefined || o.escalations !== undefined || o.cache === 'hit-semantic' || o.error?.code === 'rate_limit_exceeded') this.decisions.record(call, route);
    const g = s.genai;
    if (g === undefined) return;
    const seconds = (now - call.ex.startedAt) / 1000;
    if (o.error === undefined) this.requestDuration.observe(g.durationOk, seconds);
    else {
      const code = o.error.code;
      let d = g.durationByError.get(code);
      if (d === undefined) g.durationByError.set(code, (d = this.requestDuration.cell(call.endpoint, s.base[3]!, route, a?.deployment.model ?? NONE, code)));
      this.requestDuration.observe(d, seconds);
    }
    if (o.ttftMs !== undefined) this.ttft.observe(g.ttft, o.ttftMs / 1000);
    if (u) {
      this.tokenUsage.observe(g.usageIn, u.inputTokens);
      if (call.endpoint === 'chat') this.tokenUsage.observe(g.usageOut, u.outputTokens);
    }
  }

  private failures(s: RequestCells, f: readonly string[], finalCode: string | undefined): void {
    // The failure the request ended with was not moved past: it is an error, not a fallback.
    let n = f.length;
    if (finalCode !== undefined && n > 0 && f[n - 1] === finalCode) n--;
    for (let i = 0; i < f.length; i++) {
      if (f[i] === 'hedged') (s.hedges ??= this.hedges.cell(s.route)).value++;
      else if (i < n) {
        let c = s.fallbacks.get(f[i]!);
        if (c === undefined) s.fallbacks.set(f[i]!, (c = this.fallbacks.cell(s.route, f[i]!)));
        c.value++;
      }
    }
  }

  /** The attempt observer's side: `modelplane_attempts_total` and the GenAI client duration. */
  readonly attemptMetrics: AttemptMetrics;
}
