// The `telemetry:` section of the config: Prometheus metrics, OTLP traces and the dashboard.
// Kept beside the main schema (schema.ts adds it with one line) so the section and its compiled
// form read as one unit; docs/observability.md describes every field.
import { z } from 'zod';

const labelName = z.enum(['team', 'key', 'customer', 'agent', 'workflow']);

export const telemetrySchema = z.strictObject({
  metrics: z
    .strictObject({
      /** Off: no recording on the hot path at all (the bench compares both). */
      enabled: z.boolean().optional(),
      /** `admin`: /metrics wants the admin key (Prometheus `authorization: { credentials }`); `none`: open. */
      auth: z.enum(['admin', 'none']).optional(),
      /** Attribution labels on the per-request series; customer, agent and workflow are opt-in. */
      labels: z.array(labelName).optional(),
      /** Distinct values kept per attribution label; later ones are counted under `__overflow__`. */
      max_label_values: z.number().int().min(1).max(100_000).optional(),
      /** Also serve /metrics on this port (on `host`, default 127.0.0.1), e.g. for a scraper on a private network. */
      port: z.number().int().min(0).max(65535).optional(),
      host: z.string().min(1).optional(),
    })
    .optional(),
  otlp: z
    .strictObject({
      /** OTLP/HTTP traces endpoint, e.g. http://collector:4318/v1/traces. */
      endpoint: z.string().url(),
      headers: z.record(z.string(), z.string()).optional(),
      service_name: z.string().min(1).optional(),
      /** Fraction of new traces kept (a caller's sampled flag is honoured either way). */
      sample_ratio: z.number().min(0).max(1).optional(),
      /** Send `traceparent` to upstream providers (off by default: it tells them about your traces). */
      propagate_upstream: z.boolean().optional(),
    })
    .optional(),
  dashboard: z.strictObject({ enabled: z.boolean().optional() }).optional(),
});

export type TelemetryConfig = z.output<typeof telemetrySchema>;
export type AttributionLabel = z.output<typeof labelName>;

export interface TelemetrySettings {
  metrics: { enabled: boolean; auth: 'admin' | 'none'; labels: readonly AttributionLabel[]; maxLabelValues: number; port?: number; host: string };
  otlp?: { endpoint: string; headers: Readonly<Record<string, string>>; serviceName: string; sampleRatio: number; propagateUpstream: boolean };
  dashboard: { enabled: boolean };
}

export const TELEMETRY_DEFAULTS = { labels: ['team', 'key'] as const, maxLabelValues: 500, serviceName: 'modelplane' };

export function compileTelemetry(t: TelemetryConfig | undefined): TelemetrySettings {
  const m = t?.metrics;
  const out: TelemetrySettings = {
    metrics: {
      enabled: m?.enabled ?? true,
      auth: m?.auth ?? 'admin',
      labels: m?.labels ? [...new Set(m.labels)] : TELEMETRY_DEFAULTS.labels,
      maxLabelValues: m?.max_label_values ?? TELEMETRY_DEFAULTS.maxLabelValues,
      host: m?.host ?? '127.0.0.1',
      ...(m?.port !== undefined ? { port: m.port } : {}),
    },
    dashboard: { enabled: t?.dashboard?.enabled ?? true },
  };
  const o = t?.otlp;
  if (o) {
    out.otlp = {
      endpoint: o.endpoint,
      headers: o.headers ?? {},
      serviceName: o.service_name ?? TELEMETRY_DEFAULTS.serviceName,
      sampleRatio: o.sample_ratio ?? 1,
      propagateUpstream: o.propagate_upstream ?? false,
    };
  }
  return out;
}
