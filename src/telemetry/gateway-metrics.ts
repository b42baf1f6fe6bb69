// The gateway's Prometheus metrics: the OpenTelemetry GenAI signals where the conventions define
// one (names with dots become underscores, durations end in _seconds, as the OTel-to-Prometheus
// mapping does), `modelplane_*` for the rest. docs/observability.md lists every metric.
//
// Recording is on the hot path's tail (the after-hook), so the cells of a label tuple are looked
// up once and kept (fast-series.ts): a request costs a string join, a Map hit and a few
// additions; prom-client formats the text only when /metrics is scraped.

import { Counter, Gauge, Registry } from 'prom-client';
import type { Call } from '../gateway/call.js';
import type { Attempt } from '../routing/index.js';
import type { GatewayError } from '../spec/errors.js';
import type { AttributionLabel } from '../config/telemetry.js';
import { FastCounter, FastGauge, FastHistogram, type Cell, type HistogramCell } from './fast-series.js';
import { LabelGuard, NONE } from './label-guard.js';

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

interface RequestSeries {
  /** By HTTP status code. */
  requests: Map<number, Cell>;
  tokensIn: Cell;
  tokensOut: Cell;
  tokensCacheRead: Cell;
  cost: Cell;
  /** GenAI series of this tuple (the operation is fixed by the endpoint in the key). */
  duration: Map<string, HistogramCell>;
  ttft: HistogramCell;
  usageIn: HistogramCell;
  usageOut: HistogramCell;
}

export interface MetricsOptions {
  labels: readonly AttributionLabel[];
  maxLabelValues: number;
}

export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly attribution: readonly AttributionLabel[];
  private readonly guards: Map<AttributionLabel, LabelGuard>;
  private readonly series = new Map<string, RequestSeries>();
  private readonly attemptStart = new WeakMap<Attempt, number>();

  private readonly requests: FastCounter;
  private readonly errors: FastCounter;
  private readonly tokens: FastCounter;
  private readonly cost: FastCounter;
  private readonly cacheLookups: FastCounter;
  private readonly fallbacks: FastCounter;
  private readonly hedges: FastCounter;
  private readonly resumptions: FastCounter;
  private readonly attempts: FastCounter;
  private readonly tokenUsage: FastHistogram;
  private readonly operationDuration: FastHistogram;
  private readonly requestDuration: FastHistogram;
  private readonly ttft: FastHistogram;
  readonly inFlight: FastGauge;
  readonly configVersion: Gauge<string>;
  readonly reloads: Counter<string>;
  readonly breakerState: Gauge<string>;

  constructor(opts: MetricsOptions) {
    const r = this.registry;
    const registers = [r];
    this.attribution = opts.labels;
    const overflow = new FastCounter('modelplane_label_overflow_total', 'Label values counted under __overflow__ because the label reached telemetry.metrics.max_label_values.', ['label'], r);
    this.guards = new Map(opts.labels.map((l) => [l, new LabelGuard(opts.maxLabelValues, overflow.cell(l))]));
    const perRequest = ['endpoint', 'route', 'deployment', 'provider', ...this.attribution];
    this.requests = new FastCounter('modelplane_requests_total', 'Requests answered, by HTTP status code.', [...perRequest, 'code'], r);
    this.errors = new FastCounter('modelplane_errors_total', 'Requests that ended in an error, by the gateway error code.', ['endpoint', 'route', 'code'], r);
    this.tokens = new FastCounter('modelplane_tokens_total', 'Tokens, by direction (input, output, cache_read).', ['route', 'deployment', 'provider', ...this.attribution, 'direction'], r);
    this.cost = new FastCounter('modelplane_cost_usd_total', 'What answers cost, in US dollars, as priced by the gateway.', ['route', 'deployment', 'provider', ...this.attribution], r);
    this.cacheLookups = new FastCounter('modelplane_cache_lookups_total', 'Cache lookups, by outcome (hit, miss, bypass, ...).', ['route', 'outcome'], r);
    this.fallbacks = new FastCounter('modelplane_fallbacks_total', 'Failed attempts the gateway moved past, by reason (error code).', ['route', 'reason'], r);
    this.hedges = new FastCounter('modelplane_hedges_total', 'Hedged attempts started.', ['route'], r);
    this.resumptions = new FastCounter('modelplane_resumptions_total', 'Streams resumed on another deployment.', ['route'], r);
    this.attempts = new FastCounter('modelplane_attempts_total', 'Upstream attempts, by verdict (success, failure, abandoned) and error code.', ['deployment', 'provider', 'outcome', 'code'], r);
    this.tokenUsage = new FastHistogram('gen_ai_client_token_usage', 'GenAI: tokens used per operation (gen_ai.client.token.usage).', [...GENAI, 'gen_ai_token_type'], BUCKETS.tokens, r);
    this.operationDuration = new FastHistogram('gen_ai_client_operation_duration_seconds', 'GenAI: duration of each upstream attempt (gen_ai.client.operation.duration).', [...GENAI, 'error_type'], BUCKETS.operationSeconds, r);
    this.requestDuration = new FastHistogram('gen_ai_server_request_duration_seconds', 'GenAI: duration of each request the gateway served (gen_ai.server.request.duration).', [...GENAI, 'error_type'], BUCKETS.operationSeconds, r);
    this.ttft = new FastHistogram('gen_ai_server_time_to_first_token_seconds', 'GenAI: time to the first token of a streamed answer (gen_ai.server.time_to_first_token).', [...GENAI], BUCKETS.ttftSeconds, r);
    this.inFlight = new FastGauge('modelplane_in_flight_requests', 'Chat and embeddings requests being served.', ['endpoint'], r);
    this.configVersion = new Gauge({ name: 'modelplane_config_version', help: 'Version of the config snapshot serving requests.', registers });
    this.reloads = new Counter({ name: 'modelplane_config_reloads_total', help: 'Config reloads, by outcome (success, failure).', labelNames: ['outcome'], registers });
    this.breakerState = new Gauge({ name: 'modelplane_breaker_state', help: 'Circuit breaker state per provider, deployment and credential (1 for the current state).', labelNames: ['level', 'id', 'state'], registers });
    this.reloads.inc({ outcome: 'success' }, 0);
    this.reloads.inc({ outcome: 'failure' }, 0);
  }

  /** The label values of the call's attribution, through the cardinality guards. */
  private attributionValues(call: Call, out: string[]): void {
    const c = call.caller;
    for (let i = 0; i < this.attribution.length; i++) {
      const l = this.attribution[i]!;
      out.push(this.guards.get(l)!.admit(l === 'key' ? c.keyId : c[l]));
    }
  }

  private seriesFor(base: string[], op: string, responseModel: string): RequestSeries {
    const key = base.join('\u001f') + '\u001f' + responseModel;
    let s = this.series.get(key);
    if (s === undefined) {
      const [, route, deployment, provider, ...attr] = base as [string, string, string, string, ...string[]];
      const t = [route, deployment, provider, ...attr];
      s = {
        requests: new Map(),
        tokensIn: this.tokens.cell(...t, 'input'),
        tokensOut: this.tokens.cell(...t, 'output'),
        tokensCacheRead: this.tokens.cell(...t, 'cache_read'),
        cost: this.cost.cell(...t),
        duration: new Map(),
        ttft: this.ttft.cell(op, provider, route, responseModel),
        usageIn: this.tokenUsage.cell(op, provider, route, responseModel, 'input'),
        usageOut: this.tokenUsage.cell(op, provider, route, responseModel, 'output'),
      };
      this.series.set(key, s);
    }
    return s;
  }

  /** Everything a finished request adds (the after-hook). */
  record(call: Call): void {
    const o = call.outcome;
    const route = call.route?.name ?? NONE;
    const a = o.attempt;
    const deployment = a?.deployment.id ?? NONE;
    const provider = a?.deployment.provider.id ?? NONE;
    const responseModel = a?.deployment.model ?? NONE;
    const op = operationName(call);
    const base = [call.endpoint, route, deployment, provider];
    this.attributionValues(call, base);
    const s = this.seriesFor(base, op ?? call.endpoint, responseModel);
    let byStatus = s.requests.get(o.status);
    if (byStatus === undefined) s.requests.set(o.status, (byStatus = this.requests.cell(...base, String(o.status))));
    byStatus.value++;
    if (o.error) this.errors.cell(call.endpoint, route, o.error.code).value++;
    if (o.usage) {
      s.tokensIn.value += o.usage.inputTokens;
      s.tokensOut.value += o.usage.outputTokens;
      if (o.usage.cacheReadTokens) s.tokensCacheRead.value += o.usage.cacheReadTokens;
    }
    if (o.costUsd !== undefined && o.costUsd > 0) s.cost.value += o.costUsd;
    if (o.cache !== undefined) this.cacheLookups.cell(route, o.cache.slice(0, 32)).value++;
    const f = call.trace.failures;
    // The failure the request ended with was not moved past: it is an error, not a fallback.
    let n = f.length;
    if (o.error !== undefined && n > 0 && f[n - 1] === o.error.code) n--;
    for (let i = 0; i < f.length; i++) {
      if (f[i] === 'hedged') this.hedges.cell(route).value++;
      else if (i < n) this.fallbacks.cell(route, f[i]!).value++;
    }
    if (o.resumed) this.resumptions.cell(route).value += o.resumed;
    if (op === undefined) return;
    const errorType = o.error?.code ?? NONE;
    let d = s.duration.get(errorType);
    if (d === undefined) s.duration.set(errorType, (d = this.requestDuration.cell(op, provider, route, responseModel, errorType)));
    this.requestDuration.observe(d, (Date.now() - call.ex.startedAt) / 1000);
    if (o.ttftMs !== undefined) this.ttft.observe(s.ttft, o.ttftMs / 1000);
    if (o.usage) {
      this.tokenUsage.observe(s.usageIn, o.usage.inputTokens);
      if (op === 'chat') this.tokenUsage.observe(s.usageOut, o.usage.outputTokens);
    }
  }

  attemptStarted(a: Attempt): void {
    this.attemptStart.set(a, Date.now());
  }

  attemptEnded(call: Call, a: Attempt, outcome: 'success' | 'failure' | 'abandoned', err?: GatewayError): void {
    const d = a.deployment;
    const code = err?.code ?? NONE;
    this.attempts.cell(d.id, d.provider.id, outcome, code).value++;
    const t0 = this.attemptStart.get(a);
    const op = operationName(call);
    if (t0 === undefined || op === undefined || outcome === 'abandoned') return;
    this.operationDuration.observe(this.operationDuration.cell(op, d.provider.id, d.model, d.model, code), (Date.now() - t0) / 1000);
  }
}
