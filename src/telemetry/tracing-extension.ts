// Traces as an Extension, following the OpenTelemetry GenAI semantic conventions: one SERVER span
// per chat or embeddings request (opened by a stage, closed by the after-hook with route, class,
// tenant attribution, tokens, cost and cache outcome) and one CLIENT span per upstream attempt
// (opened by the attempt interceptor, closed by the attempt observer with its verdict). A caller's
// W3C `traceparent` is honoured; with `propagate_upstream` each attempt sends its own.
//
// The SDK is imported only when `telemetry.otlp` is configured (or a test passes an exporter):
// without it the extension is disabled for the snapshot and costs nothing.

import type { Attributes } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { Snapshot } from '../config/snapshot.js';
import type { TelemetrySettings } from '../config/telemetry.js';
import type { Call } from '../gateway/call.js';
import type { Extension } from '../gateway/extension.js';
import type { Attempt } from '../routing/index.js';
import type { Logger } from './log.js';
import { operationName } from './gateway-metrics.js';
import { parseTraceparent } from './traceparent.js';
import type { SpanHandle, Tracing } from './tracing-sdk.js';

const TRACE = Symbol('tracing.state');

interface TraceState {
  span: SpanHandle;
  attempts: Map<Attempt, SpanHandle>;
}

export interface TracingOptions {
  /** The start-up snapshot: `telemetry.otlp` decides whether (and where) spans are exported. */
  snapshot: Snapshot;
  log?: Logger;
  /** Tests: export to this exporter (e.g. InMemorySpanExporter) instead of OTLP. */
  exporter?: SpanExporter;
  /** Tests: override the settings the snapshot gives. */
  otlp?: Partial<NonNullable<TelemetrySettings['otlp']>>;
}

export interface TracingExtension extends Extension {
  /** Resolves once the SDK is loaded (immediately when tracing is off). */
  readonly ready: Promise<void>;
}

function requestAttributes(call: Call, op: string): Attributes {
  const a: Attributes = { 'gen_ai.operation.name': op, 'modelplane.request_id': call.ex.requestId, 'http.request.method': call.ex.req.method ?? 'POST' };
  if (call.route) {
    a['gen_ai.request.model'] = call.route.name;
    a['modelplane.route'] = call.route.name;
  }
  const r = call.request;
  if (r !== undefined && 'messages' in r) {
    if (r.maxTokens !== undefined) a['gen_ai.request.max_tokens'] = r.maxTokens;
    if (r.temperature !== undefined) a['gen_ai.request.temperature'] = r.temperature;
    a['modelplane.stream'] = r.stream;
  }
  return a;
}

/** What the finished call adds to its request span. */
function finishRequest(span: SpanHandle, call: Call): void {
  const o = call.outcome;
  span.set('http.response.status_code', o.status);
  span.set('modelplane.attempts', call.trace.attempts);
  span.set('modelplane.class', call.trace.className);
  const a = o.attempt;
  if (a) {
    span.set('gen_ai.provider.name', a.deployment.provider.id);
    span.set('gen_ai.response.model', a.deployment.model);
    span.set('modelplane.deployment', a.deployment.id);
  }
  if (o.usage) {
    span.set('gen_ai.usage.input_tokens', o.usage.inputTokens);
    span.set('gen_ai.usage.output_tokens', o.usage.outputTokens);
    if (o.usage.cacheReadTokens) span.set('gen_ai.usage.cache_read.input_tokens', o.usage.cacheReadTokens);
  }
  if (o.finish !== undefined) span.set('gen_ai.response.finish_reasons', [o.finish]);
  if (o.ttftMs !== undefined) span.set('modelplane.ttft_ms', o.ttftMs);
  if (call.trace.failures.length) span.set('modelplane.fallback_reasons', call.trace.failures);
  span.set('modelplane.cache', o.cache);
  span.set('modelplane.cost_usd', o.costUsd);
  if (o.resumed) span.set('modelplane.resumed', o.resumed);
  // strategy: auto (docs/routing.md): the tier chosen, the router's score, cascade escalations.
  span.set('modelplane.tier', o.tier);
  span.set('modelplane.router_score', o.routerScore);
  if (o.escalations) span.set('modelplane.escalations', o.escalations);
  const c = call.caller;
  span.set('modelplane.caller', c.kind);
  span.set('modelplane.key', c.keyId);
  span.set('modelplane.team', c.team);
  span.set('modelplane.customer', c.customer);
  span.set('modelplane.agent', c.agent);
  span.set('modelplane.workflow', c.workflow);
  if (o.error) span.fail(o.error.code, o.error.message);
  else if (o.status >= 400) span.fail(String(o.status), `status ${o.status}`);
  span.end();
}

export function tracingExtension(opts: TracingOptions): TracingExtension {
  const base = opts.snapshot.telemetry.otlp;
  const settings = base || opts.otlp || opts.exporter ? { serviceName: 'modelplane', sampleRatio: 1, propagateUpstream: false, endpoint: '', headers: {}, ...base, ...opts.otlp } : undefined;
  let tracing: Tracing | undefined;
  const ready: Promise<void> =
    settings === undefined
      ? Promise.resolve()
      : import('./tracing-sdk.js').then(
          (sdk) => {
            tracing = sdk.createTracing({
              serviceName: settings.serviceName,
              sampleRatio: settings.sampleRatio,
              ...(opts.exporter ? { exporter: opts.exporter } : { otlp: { endpoint: settings.endpoint, headers: settings.headers } }),
            });
          },
          (err: unknown) => opts.log?.error({ err: String(err) }, 'tracing disabled: the OpenTelemetry SDK could not be loaded'),
        );
  const propagate = settings?.propagateUpstream === true;
  const upstreamHeaders = (call: Call) => (attempt: Attempt, headers: Record<string, string>) => {
    const span = (call[TRACE] as TraceState | undefined)?.attempts.get(attempt);
    if (span) headers.traceparent = span.traceparent();
  };

  function begin(call: Call, t: Tracing, op: string): void {
    const parent = parseTraceparent(call.ex.req.headers.traceparent);
    const name = call.route ? `${op} ${call.route.name}` : op;
    const span = t.startRequest(name, requestAttributes(call, op), parent);
    if (!span.recording) return; // not sampled: nothing to record, nothing to propagate
    call[TRACE] = { span, attempts: new Map() } satisfies TraceState;
    call.outcome.traceId = span.traceId;
    if (propagate) call.upstreamHeaders = upstreamHeaders(call);
  }

  const endAttempt = (call: Call, a: Attempt, f: (s: SpanHandle) => void) => {
    const st = call[TRACE] as TraceState | undefined;
    const span = st?.attempts.get(a);
    if (span === undefined) return;
    st!.attempts.delete(a);
    f(span);
    span.end();
  };

  return {
    name: 'tracing',
    ready,
    // `otlp` is read at start-up: a reload that adds it needs a restart (no SDK was loaded).
    enabled: (s) => settings !== undefined && (opts.exporter !== undefined || s.telemetry.otlp !== undefined),
    stage: async (call, next) => {
      const op = operationName(call);
      if (op !== undefined) {
        if (tracing === undefined) await ready; // the first requests after start-up only
        if (tracing !== undefined) begin(call, tracing, op);
      }
      return next();
    },
    interceptor: (call, attempt, next) => {
      const st = call[TRACE] as TraceState | undefined;
      if (st !== undefined && tracing !== undefined) {
        const d = attempt.deployment;
        const op = operationName(call) ?? 'chat';
        st.attempts.set(
          attempt,
          tracing.startAttempt(st.span, `${op} ${d.model}`, {
            'gen_ai.operation.name': op,
            'gen_ai.provider.name': d.provider.id,
            'gen_ai.request.model': d.model,
            'modelplane.deployment': d.id,
            'modelplane.provider.format': d.provider.format,
            'modelplane.attempt.index': attempt.index,
            'modelplane.attempt.kind': attempt.kind,
            ...(attempt.credential ? { 'modelplane.credential': attempt.credential.id } : {}),
          }),
        );
      }
      return next();
    },
    observer: {
      succeeded: (call, a, latencyMs, ttftMs) =>
        endAttempt(call, a, (s) => {
          s.set('gen_ai.response.model', a.deployment.model);
          s.set('modelplane.latency_ms', latencyMs);
          s.set('modelplane.ttft_ms', ttftMs);
        }),
      failed: (call, a, err) =>
        endAttempt(call, a, (s) => {
          s.set('modelplane.fallback_reason', err.code);
          s.fail(err.code, err.message);
        }),
      abandoned: (call, a) => endAttempt(call, a, (s) => s.set('modelplane.attempt.abandoned', true)),
    },
    after: (call) => {
      const st = call[TRACE] as TraceState | undefined;
      if (st === undefined) return;
      // An attempt without a verdict (a stream that ended with the client) still closes.
      for (const s of st.attempts.values()) s.end();
      st.attempts.clear();
      finishRequest(st.span, call);
    },
    close: async () => {
      await ready;
      await tracing?.shutdown();
    },
  };
}
