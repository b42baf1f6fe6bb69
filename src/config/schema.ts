// The YAML configuration contract, as a strict zod schema. Unknown keys are errors (a typo in a
// config file should fail loudly, not be ignored), and every error names its path.

import { z } from 'zod';
import { RETENTION, tenantConfigFields } from './tenants-schema.js';
import { telemetrySchema } from './telemetry.js';
import { captureSchema, promotionSchema, shadowSchema } from './substitution-schema.js';
import { clusterSchema, postgresSchema } from './cluster-schema.js';

const WIRE_FORMATS = ['openai-chat', 'anthropic-messages', 'gemini', 'bedrock-converse'] as const;
const AUTH_SCHEMES = ['bearer', 'api-key', 'x-api-key', 'x-goog-api-key', 'sigv4', 'none'] as const;
const STRATEGIES = ['ordered', 'weighted', 'least-latency', 'cost', 'least-busy'] as const;

const BYTE_SIZE_FORMS = 'a size such as 1048576 (bytes), "512kb" or "4mb"';

/** `1mb`, `512kb`, `1048576`. */
const byteSize = z.union(
  [
    z.number({ error: `expected ${BYTE_SIZE_FORMS}` }).int().positive(),
    z
      .string()
      .regex(/^\d+(\.\d+)?\s*(b|kb|mb|gb)?$/i, `expected ${BYTE_SIZE_FORMS}`)
      .transform((s) => {
        const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(s)!;
        const mult = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[(m[2] ?? 'b').toLowerCase() as 'b'];
        return Math.round(Number(m[1]) * mult);
      }),
  ],
  { error: `expected ${BYTE_SIZE_FORMS}` },
);

const DURATION_UNITS_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION_FORMS = 'a duration such as 500ms, 30s, 10m, 2h or 1d, or a number of milliseconds';

/** `500ms`, `30s`, `10m`, `2h`, `1d`, or a number of milliseconds. */
const duration = z.union(
  [
    z.number({ error: `expected ${DURATION_FORMS}` }).nonnegative(`expected ${DURATION_FORMS} (not negative)`),
    z
      .string()
      .regex(/^\d+(\.\d+)?\s*(ms|s|m|h|d)$/, `expected ${DURATION_FORMS}`)
      .transform((s) => {
        const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(s)!;
        return Math.round(Number(m[1]) * DURATION_UNITS_MS[m[2] as keyof typeof DURATION_UNITS_MS]);
      }),
  ],
  { error: `expected ${DURATION_FORMS}` },
);

const secret = z.string().min(1, 'expected a non-empty secret (is the environment variable set?)');

const awsSchema = z.strictObject({
  access_key_id: secret,
  secret_access_key: secret,
  session_token: z.string().optional(),
});

const quirksSchema = z.strictObject({
  reasoning_field: z.enum(['reasoning_content', 'reasoning']).optional(),
  max_tokens_field: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  no_stream_options: z.boolean().optional(),
  unsupported_params: z.array(z.string()).optional(),
  requires_max_tokens: z.boolean().optional(),
});

const providerSchema = z
  .strictObject({
    preset: z.string().optional(),
    format: z.enum(WIRE_FORMATS).optional(),
    // The scheme is required: `localhost:11434/v1` parses as a URL with scheme `localhost:` and
    // would only fail at request time.
    base_url: z.url({ protocol: /^https?$/, error: 'expected an absolute http(s) URL with its scheme, such as http://localhost:11434/v1' }).optional(),
    api_key: secret.optional(),
    /** Several keys for the same provider: rotated when one is rate limited or out of quota. */
    api_keys: z.array(secret).min(1).optional(),
    auth: z.enum(AUTH_SCHEMES).optional(),
    headers: z.record(z.string(), z.string()).optional(),
    query: z.record(z.string(), z.string()).optional(),
    region: z.string().optional(),
    aws: awsSchema.optional(),
    quirks: quirksSchema.optional(),
    options: z.record(z.string(), z.unknown()).optional(),
    /** Data-sensitivity facts (override the catalog's): where data is processed, how long it is kept. */
    jurisdiction: z.string().min(1).optional(),
    retention: z.enum(RETENTION).optional(),
    trains_on_data: z.boolean().optional(),
  })
  .refine((p) => p.preset !== undefined || (p.format !== undefined && p.base_url !== undefined), {
    message: 'a provider needs either `preset` (a catalog entry) or both `format` and `base_url`',
  });

const timeoutsSchema = z.strictObject({
  connect: duration.optional(),
  first_byte: duration.optional(),
  total: duration.optional(),
});

const priceSchema = z.strictObject({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cache_read: z.number().nonnegative().optional(),
  cache_write: z.number().nonnegative().optional(),
});

const capabilitiesSchema = z.strictObject({
  tools: z.boolean().optional(),
  vision: z.boolean().optional(),
  json_schema: z.boolean().optional(),
  context_window: z.number().int().positive().optional(),
  max_output_tokens: z.number().int().positive().optional(),
  embeddings: z.boolean().optional(),
  prefill: z.boolean().optional(),
});

const deploymentSchema = z.strictObject({
  provider: z.string().min(1),
  model: z.string().min(1),
  tier: z.string().optional(),
  weight: z.number().positive().optional(),
  api_keys: z.array(secret).min(1).optional(),
  timeouts: timeoutsSchema.optional(),
  /** USD per million tokens; overrides the catalog's price for this model. */
  price: priceSchema.optional(),
  capabilities: capabilitiesSchema.optional(),
  default_max_tokens: z.number().int().positive().optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  /** Active health probe: a one-token request every `interval` (costs tokens; off by default). */
  probe: z.strictObject({ interval: duration, timeout: duration.optional() }).optional(),
});

const retrySchema = z.strictObject({
  max_attempts: z.number().int().min(1).max(20).optional(),
  attempts_per_deployment: z.number().int().min(1).max(10).optional(),
  backoff: duration.optional(),
  max_backoff: duration.optional(),
});

const classRuleSchema = z.strictObject({
  header: z
    .union([z.string(), z.strictObject({ name: z.string(), equals: z.string().optional() })], {
      error: 'expected a value of the x-modelplane-class header (a string) or { name: HEADER, equals: VALUE }',
    })
    .optional(),
  metadata: z.strictObject({ key: z.string(), equals: z.string().optional() }).optional(),
  has_tools: z.boolean().optional(),
  has_images: z.boolean().optional(),
  min_input_tokens: z.number().int().nonnegative().optional(),
  max_input_tokens: z.number().int().positive().optional(),
});

const planFields = {
  targets: z.array(z.string().min(1)).min(1).optional(),
  tier: z.string().optional(),
  strategy: z.enum(STRATEGIES).optional(),
  weights: z.array(z.number().nonnegative()).optional(),
  retry: retrySchema.optional(),
  deadline: duration.optional(),
  hedge_after: duration.optional(),
  fallback_on_context_length: z.boolean().optional(),
  /** max_tokens above a deployment's known output limit: clamp it (default) or answer 400. */
  max_tokens_above_limit: z.enum(['clamp', 'reject']).optional(),
};

const classSchema = z.strictObject({ name: z.string().min(1), when: classRuleSchema, ...planFields });

/** Response cache of one route (docs/caching.md). Off unless a route says so. */
const routeCacheSchema = z.strictObject({
  mode: z.enum(['off', 'exact', 'semantic']).optional(),
  ttl: duration.optional(),
  /** Cosine similarity a semantic candidate needs before the verifier looks at it; `auto`: calibrated from audits. */
  threshold: z.union([z.number().min(0).max(1), z.literal('auto')]).optional(),
  /** With `threshold: auto`: the false-hit rate the calibrated threshold keeps under (default 0.01). */
  max_error: z.number().gt(0).lt(1).optional(),
  /** Whose answers may be shared: the key's (default), its team's, its customer's, or everyone's. */
  scope: z.enum(['key', 'team', 'customer', 'global']).optional(),
  /** What the semantic layer embeds: the last user message (default) or the whole conversation. */
  embed: z.enum(['last_user', 'conversation']).optional(),
  /** Requests hotter than this are not cached (their answers are meant to vary). */
  max_temperature: z.number().min(0).optional(),
  /** Cache requests with n > 1 or logprobs (off by default). */
  allow_n: z.boolean().optional(),
  allow_logprobs: z.boolean().optional(),
  /** Share of semantic hits also asked upstream in the background, to measure the false-hit rate. */
  audit: z.number().min(0).max(1).optional(),
});

const autoSchema = z.strictObject({
  router: z.string().min(1).optional(),
  threshold: z.number().min(0).max(1).optional(),
  strong_share: z.number().min(0).max(1).optional(),
  /** true: cascade non-streaming requests; `{ stream: buffer }`: streams too, answered once the final tier's answer is in. */
  cascade: z.union([z.boolean(), z.strictObject({ stream: z.enum(['buffer', 'off']).optional() })]).optional(),
  text: z.enum(['last_user', 'last_user_and_system', 'conversation']).optional(),
});

const routeSchema = z.strictObject({
  ...planFields,
  strategy: z.enum([...STRATEGIES, 'auto']).optional(),
  /** With `strategy: auto`: the tiers the router chooses between, cheapest first. */
  tiers: z.array(z.string().min(1)).min(2).optional(),
  auto: autoSchema.optional(),
  kind: z.enum(['chat', 'embeddings']).optional(),
  classes: z.array(classSchema).optional(),
  expose_deployment: z.boolean().optional(),
  resume_streams: z.boolean().optional(),
  cache: routeCacheSchema.optional(),
  shadow: shadowSchema.optional(),
  promotion: promotionSchema.optional(),
  capture: captureSchema.optional(),
  /** When a budget refuses, serve from these cheaper targets instead (docs/tenants.md). */
  on_budget_exhausted: z.strictObject({ tier: z.string().optional(), targets: z.array(z.string().min(1)).min(1).optional() }).optional(),
});

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().optional(),
      port: z.number().int().min(0).max(65535).optional(),
      body_limit: byteSize.optional(),
      request_timeout: duration.optional(),
      /** Ingress and upstream bounds (src/spec/limits.ts has the defaults and why). */
      limits: z
        .strictObject({
          max_depth: z.number().int().min(2).optional(),
          max_schema_depth: z.number().int().min(2).optional(),
          max_messages: z.number().int().positive().optional(),
          max_tools: z.number().int().positive().optional(),
          max_content_parts: z.number().int().positive().optional(),
          max_string_length: z.number().int().positive().optional(),
          max_embedding_inputs: z.number().int().positive().optional(),
          upstream_body: byteSize.optional(),
          upstream_event: byteSize.optional(),
          upstream_stream: byteSize.optional(),
        })
        .optional(),
      /** How long in-flight requests may take to finish after SIGTERM before they are cut. */
      shutdown_grace: duration.optional(),
      /** Opt-in CORS for browser clients (off by default). */
      cors: z
        .strictObject({
          allow_origins: z.union([z.literal('*'), z.array(z.url({ error: 'expected an origin such as https://app.example.com' })).min(1)], {
            error: 'expected "*" or a list of origins such as [https://app.example.com]',
          }),
          max_age: duration.optional(),
        })
        .optional(),
    })
    .optional(),
  auth: z
    .strictObject({
      master_key: secret.optional(),
      admin_key: secret.optional(),
    })
    .optional(),
  logging: z
    .strictObject({
      level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'silent']).optional(),
      log_bodies: z.boolean().optional(),
    })
    .optional(),
  storage: z
    .strictObject({
      /** Directory for embedded SQLite files; relative paths are relative to the config file. */
      data_dir: z.string().min(1).optional(),
      /** Durable records shared by every instance (cluster mode, with `cluster.redis`). */
      postgres: postgresSchema.optional(),
      responses: z
        .strictObject({
          backend: z.enum(['sqlite', 'memory']).optional(),
          cache_entries: z.number().int().positive().optional(),
          /** How long an acknowledged record may wait in memory before SQLite has it (sqlite). */
          write_behind: duration.optional(),
          /** `strict`: every record is committed before its response completes (sqlite). */
          durability: z.enum(['write-behind', 'strict']).optional(),
          /** Retention: responses older than this are removed (a background sweep, every minute). */
          max_age: duration.optional(),
          /** Retention: at most this many responses are kept, the oldest removed first. */
          max_entries: z.number().int().positive().optional(),
        })
        .optional(),
    })
    .optional(),
  telemetry: telemetrySchema.optional(),
  /** Shared hot state on Redis (cluster mode, with `storage.postgres`; docs/scaling.md). */
  cluster: clusterSchema.optional(),
  health: z
    .strictObject({
      breaker: z
        .strictObject({
          consecutive_failures: z.number().int().min(1).optional(),
          error_rate: z.number().min(0).max(1).optional(),
          min_requests: z.number().int().min(1).optional(),
          window: duration.optional(),
          cooldown: duration.optional(),
          max_cooldown: duration.optional(),
        })
        .optional(),
      rate_limit_cooldown: duration.optional(),
      credential_lockout: duration.optional(),
    })
    .optional(),
  defaults: z
    .strictObject({
      timeouts: timeoutsSchema.optional(),
      retry: retrySchema.optional(),
      deadline: duration.optional(),
    })
    .optional(),
  cache: z
    .strictObject({
      /** `local` (the built-in hashed n-gram embedder) or the name of an embeddings route. */
      embedder: z.string().min(1).optional(),
      max_bytes: byteSize.optional(),
      max_entry_bytes: byteSize.optional(),
      /** Keep cached answers across restarts (SQLite under storage.data_dir, written behind). */
      persist: z.boolean().optional(),
      /** A route whose last-hour hit rate moves this far from its trailing baseline is flagged. */
      drift_band: z.number().gt(0).max(1).optional(),
    })
    .optional(),
  providers: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/, 'expected a name of letters, digits, _ . -'), providerSchema),
  deployments: z.record(z.string().regex(/^[A-Za-z0-9_.:-]+$/, 'expected a name of letters, digits, _ . : -'), deploymentSchema),
  routes: z.record(z.string().regex(/^[A-Za-z0-9_.:/-]+$/, 'expected a name of letters, digits, _ . : / -'), routeSchema),
  ...tenantConfigFields,
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.output<typeof configSchema>;
export type ProviderConfig = z.output<typeof providerSchema>;
export type DeploymentConfig = z.output<typeof deploymentSchema>;
export type RouteConfig = z.output<typeof routeSchema>;
export type RouteCacheConfig = z.output<typeof routeCacheSchema>;
export type PlanConfig = Pick<z.output<typeof classSchema>, keyof typeof planFields>;
