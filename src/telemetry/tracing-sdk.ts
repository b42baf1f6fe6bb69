// Everything that touches the OpenTelemetry SDK, loaded with a dynamic import only when traces
// are configured (`telemetry.otlp`, or an exporter passed in by a test): a gateway without
// tracing never loads the SDK. Spans are exported in batches behind the requests (OTLP/HTTP,
// JSON), so a slow collector costs the data plane nothing but memory up to the batch queue.

import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type AttributeValue, type Span, type Tracer } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, SimpleSpanProcessor, TraceIdRatioBasedSampler, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { formatTraceparent, type RemoteParent } from './traceparent.js';


export interface TracingSetup {
  serviceName: string;
  sampleRatio: number;
  /** OTLP/HTTP endpoint and headers, when exporting to a collector. */
  otlp?: { endpoint: string; headers: Readonly<Record<string, string>> };
  /** A test's exporter, with a simple (unbatched) processor. */
  exporter?: SpanExporter;
}

/** One span, as the tracing extension sees it. */
export class SpanHandle {
  constructor(readonly span: Span) {}
  get traceId(): string {
    return this.span.spanContext().traceId;
  }
  get recording(): boolean {
    return this.span.isRecording();
  }
  set(key: string, value: AttributeValue | undefined): void {
    if (value !== undefined) this.span.setAttribute(key, value);
  }
  fail(code: string, message: string): void {
    this.span.setAttribute('error.type', code);
    this.span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
  end(): void {
    this.span.end();
  }
  traceparent(): string {
    const c = this.span.spanContext();
    return formatTraceparent(c.traceId, c.spanId, c.traceFlags);
  }
}

export interface Tracing {
  startRequest(name: string, attributes: Attributes, parent: RemoteParent | undefined): SpanHandle;
  startAttempt(parent: SpanHandle, name: string, attributes: Attributes): SpanHandle;
  shutdown(): Promise<void>;
}

export function createTracing(setup: TracingSetup): Tracing {
  const exporter = setup.exporter ?? new OTLPTraceExporter({ ...(setup.otlp?.endpoint !== undefined ? { url: setup.otlp.endpoint } : {}), headers: { ...(setup.otlp?.headers ?? {}) } });
  const processor = setup.exporter ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': setup.serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(setup.sampleRatio) }),
    spanProcessors: [processor],
  });
  const tracer: Tracer = provider.getTracer('modelplane');
  return {
    startRequest(name, attributes, parent) {
      const ctx = parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parent.flags, isRemote: true });
      return new SpanHandle(tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, ctx));
    },
    startAttempt(parent, name, attributes) {
      return new SpanHandle(tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, trace.setSpan(ROOT_CONTEXT, parent.span)));
    },
    shutdown: () => provider.shutdown(),
  };
}
