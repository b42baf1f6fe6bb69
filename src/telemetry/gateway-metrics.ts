// The gateway's Prometheus metrics: the OpenTelemetry GenAI signals where the conventions define
// one (names with dots become underscores, durations end in _seconds, as the OTel-to-Prometheus
// mapping does), `modelplane_*` for the rest. docs/observability.md lists every metric.
//
// Recording is on the hot path's tail (the after-hook), so the label children of a series are
// looked up once per distinct label tuple and kept: a request costs a string join, a Map hit and
// a few additions, not prom-client's per-call label hashing.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Call } from '../gateway/call.js';
import type { Attempt } from '../routing/index.js';
import type { GatewayError } from '../spec/errors.js';
import type { AttributionLabel } from '../config/telemetry.js';
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
  requests: Map<number, Counter.Internal>;
  tokensIn: Counter.Internal;
  tokensOut: Counter.Internal;
  tokensCacheRead: Counter.Internal;
  cost: Counter.Internal;
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

  private readonly requests: Counter<string>;
  private readonly errors: Counter<string>;
  private readonly tokens: Counter<string>;
  private readonly cost: Counter<string>;
  private readonly cacheLookups: Counter<string>;
  private readonly fallbacks: Counter<string>;
  private readonly hedges: Counter<string>;
  private readonly resumptions: Counter<string>;
  private readonly attempts: Counter<string>;
  private readonly tokenUsage: Histogram<string>;
  private readonly operationDuration: Histogram<string>;
  private readonly requestDuration: Histogram<string>;
  private readonly ttft: Histogram<string>;
  readonly inFlight: Gauge<string>;
  readonly configVersion: Gauge<string>;
  readonly reloads: Counter<string>;
  readonly breakerState: Gauge<string>;
  private readonly overflow: Gauge<string>;

  constructor(opts: MetricsOptions) {
    const registers = [this.registry];
    this.attribution = opts.labels;
    this.guards = new Map(opts.labels.map((l) => [l, new LabelGuard(opts.maxLabelValues)]));
    const perRequest = ['endpoint', 'route', 'deployment', 'provider', ...this.attribution];
    this.requests = new Counter({ name: 'modelplane_requests_total', help: 'Requests answered, by HTTP status code.', labelNames: [...perRequest, 'code'], registers });
    this.errors = new Counter({ name: 'modelplane_errors_total', help: 'Requests that ended in an error, by the gateway error code.', labelNames: ['endpoint', 'route', 'code'], registers });
    this.tokens = new Counter({ name: 'modelplane_tokens_total', help: 'Tokens, by direction (input, output, cache_read).', labelNames: ['route', 'deployment', 'provider', ...this.attribution, 'direction'], registers });
    this.cost = new Counter({ name: 'modelplane_cost_usd_total', help: 'What answers cost, in US dollars, as priced by the gateway.', labelNames: ['route', 'deployment', 'provider', ...this.attribution], registers });
    this.cacheLookups = new Counter({ name: 'modelplane_cache_lookups_total', help: 'Cache lookups, by outcome (hit, miss, bypass, ...).', labelNames: ['route', 'outcome'], registers });
    this.fallbacks = new Counter({ name: 'modelplane_fallbacks_total', help: 'Failed attempts the gateway moved past, by reason (error code).', labelNames: ['route', 'reason'], registers });
    this.hedges = new Counter({ name: 'modelplane_hedges_total', help: 'Hedged attempts started.', labelNames: ['route'], registers });
    this.resumptions = new Counter({ name: 'modelplane_resumptions_total', help: 'Streams resumed on another deployment.', labelNames: ['route'], registers });
    this.attempts = new Counter({ name: 'modelplane_attempts_total', help: 'Upstream attempts, by verdict (success, failure, abandoned) and error code.', labelNames: ['deployment', 'provider', 'outcome', 'code'], registers });
    this.tokenUsage = new Histogram({ name: 'gen_ai_client_token_usage', help: 'GenAI: tokens used per operation (gen_ai.client.token.usage).', labelNames: [...GENAI, 'gen_ai_token_type'], buckets: BUCKETS.tokens, registers });
    this.operationDuration = new Histogram({ name: 'gen_ai_client_operation_duration_seconds', help: 'GenAI: duration of each upstream attempt (gen_ai.client.operation.duration).', labelNames: [...GENAI, 'error_type'], buckets: BUCKETS.operationSeconds, registers });
    this.requestDuration = new Histogram({ name: 'gen_ai_server_request_duration_seconds', help: 'GenAI: duration of each request the gateway served (gen_ai.server.request.duration).', labelNames: [...GENAI, 'error_type'], buckets: BUCKETS.operationSeconds, registers });
    this.ttft = new Histogram({ name: 'gen_ai_server_time_to_first_token_seconds', help: 'GenAI: time to the first token of a streamed answer (gen_ai.server.time_to_first_token).', labelNames: [...GENAI], buckets: BUCKETS.ttftSeconds, registers });
    this.inFlight = new Gauge({ name: 'modelplane_in_flight_requests', help: 'Chat and embeddings requests being served.', labelNames: ['endpoint'], registers });
    this.configVersion = new Gauge({ name: 'modelplane_config_version', help: 'Version of the config snapshot serving requests.', registers });
    this.reloads = new Counter({ name: 'modelplane_config_reloads_total', help: 'Config reloads, by outcome (success, failure).', labelNames: ['outcome'], registers });
    this.breakerState = new Gauge({ name: 'modelplane_breaker_state', help: 'Circuit breaker state per provider, deployment and credential (1 for the current state).', labelNames: ['level', 'id', 'state'], registers });
    const guards = this.guards;
    this.overflow = new Gauge({
      name: 'modelplane_label_overflow_total',
      help: 'Label values counted under __overflow__ because the label reached telemetry.metrics.max_label_values.',
      labelNames: ['label'],
      registers,
      collect() {
        for (const [l, g] of guards) this.set({ label: l }, g.overflowed);
      },
    });
    void this.overflow;
    this.reloads.inc({ outcome: 'success' }, 0);
    this.reloads.inc({ outcome: 'failure' }, 0);
  }

  /** The label values of the call's attribution, through the cardinality guards. */
  private attributionValues(call: Call): string[] {
    const c = call.caller;
    const out: string[] = [];
    for (const l of this.attribution) {
      const raw = l === 'key' ? c.keyId : c[l];
      out.push(this.guards.get(l)!.admit(raw));
    }
    return out;
  }

  private seriesFor(base: string[]): RequestSeries {
    const key = base.join('\u001f');
    let s = this.series.get(key);
    if (s === undefined) {
      const [, route, deployment, provider, ...attr] = base;
      const t = [route!, deployment!, provider!, ...attr];
      s = {
        requests: new Map(),
        tokensIn: this.tokens.labels(...t, 'input'),
        tokensOut: this.tokens.labels(...t, 'output'),
        tokensCacheRead: this.tokens.labels(...t, 'cache_read'),
        cost: this.cost.labels(...t),
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
    const base = [call.endpoint, route, deployment, provider, ...this.attributionValues(call)];
    const s = this.seriesFor(base);
    let byStatus = s.requests.get(o.status);
    if (byStatus === undefined) s.requests.set(o.status, (byStatus = this.requests.labels(...base, String(o.status))));
    byStatus.inc();
    if (o.error) this.errors.labels(call.endpoint, route, o.error.code).inc();
    if (o.usage) {
      s.tokensIn.inc(o.usage.inputTokens);
      s.tokensOut.inc(o.usage.outputTokens);
      if (o.usage.cacheReadTokens) s.tokensCacheRead.inc(o.usage.cacheReadTokens);
    }
    if (o.costUsd !== undefined && o.costUsd > 0) s.cost.inc(o.costUsd);
    if (o.cache !== undefined) this.cacheLookups.labels(route, o.cache.slice(0, 32)).inc();
    const f = call.trace.failures;
    for (let i = 0; i < f.length; i++) {
      if (f[i] === 'hedged') this.hedges.labels(route).inc();
      else this.fallbacks.labels(route, f[i]!).inc();
    }
    if (o.resumed) this.resumptions.labels(route).inc(o.resumed);
    const op = operationName(call);
    if (op === undefined) return;
    const responseModel = a?.deployment.model ?? NONE;
    this.requestDuration.labels(op, provider, route, responseModel, o.error?.code ?? NONE).observe((Date.now() - call.ex.startedAt) / 1000);
    if (o.ttftMs !== undefined) this.ttft.labels(op, provider, route, responseModel).observe(o.ttftMs / 1000);
    if (o.usage) {
      this.tokenUsage.labels(op, provider, route, responseModel, 'input').observe(o.usage.inputTokens);
      if (op === 'chat') this.tokenUsage.labels(op, provider, route, responseModel, 'output').observe(o.usage.outputTokens);
    }
  }

  attemptStarted(a: Attempt): void {
    this.attemptStart.set(a, Date.now());
  }

  attemptEnded(call: Call, a: Attempt, outcome: 'success' | 'failure' | 'abandoned', err?: GatewayError): void {
    const d = a.deployment;
    const code = err?.code ?? NONE;
    this.attempts.labels(d.id, d.provider.id, outcome, code).inc();
    const t0 = this.attemptStart.get(a);
    const op = operationName(call);
    if (t0 === undefined || op === undefined || outcome === 'abandoned') return;
    this.operationDuration.labels(op, d.provider.id, d.model, d.model, code).observe((Date.now() - t0) / 1000);
  }
}
