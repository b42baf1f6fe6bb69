// The compiled, immutable view of the configuration that the data plane reads. The loader
// validates YAML with zod, resolves presets from the catalog and tier references, and builds one
// Snapshot; hot reload swaps the whole object atomically, so a request sees one consistent
// version from start to end.

import type { TenantSettings } from '../governance/types.js';
import type { TelemetrySettings } from './telemetry.js';
import type { AuthScheme, AwsCredentials, ProviderQuirks, WireFormatName } from '../spec/wire.js';
import type { RouterModel } from '../routing/auto/model.js';
import type { TextSource } from '../routing/auto/features.js';
import type { IngressLimits, UpstreamLimits } from '../spec/limits.js';
import type { CaptureSettings, PromotionSettings, ShadowSettings } from './compile-substitution.js';

export interface CredentialSnapshot {
  /** Stable id for health tracking: `<provider>#<n>` or `<deployment>#<n>`; never the secret. */
  id: string;
  apiKey?: string;
  aws?: AwsCredentials;
}

export interface ProviderSnapshot {
  id: string;
  format: WireFormatName;
  baseUrl: string;
  auth: AuthScheme;
  headers: Record<string, string>;
  query: Record<string, string>;
  quirks: ProviderQuirks;
  region?: string;
  /** Where the provider processes data (ISO country/region code or 'local'), from the catalog. */
  jurisdiction?: string;
  /** How long the provider keeps submitted data (policy input; catalog or config). */
  retention?: 'none' | 'limited' | 'standard';
  trainsOnData?: boolean;
  credentials: CredentialSnapshot[];
  /** Format-specific settings passed to the egress format (EgressTarget.options). */
  options: Record<string, unknown>;
}

export interface Timeouts {
  connectMs: number;
  /** Until the response headers (and, for streams, the first event) arrive. */
  firstByteMs: number;
  /** Whole attempt, body included. */
  totalMs: number;
  /** Set when `firstByteMs` was cut down to what is left of the request's deadline. */
  firstByteIsDeadline?: boolean;
}

export interface Price {
  /** USD per million tokens. */
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok?: number;
  cacheWritePerMTok?: number;
}

export interface Capabilities {
  tools: boolean;
  vision: boolean;
  jsonSchema: boolean;
  contextWindow?: number;
  maxOutputTokens?: number;
  embeddings: boolean;
  /** Continues a trailing assistant message (used to resume interrupted streams). */
  prefill: boolean;
}

export interface DeploymentSnapshot {
  id: string;
  provider: ProviderSnapshot;
  /** The provider's model id: the only place one appears. */
  model: string;
  tier?: string;
  weight: number;
  timeouts: Timeouts;
  price?: Price;
  capabilities: Capabilities;
  defaultMaxTokens?: number;
  /** Credentials to use for this deployment, in rotation order (provider's unless overridden). */
  credentials: CredentialSnapshot[];
  options: Record<string, unknown>;
  /** Active health probe, when configured. */
  probe?: { intervalMs: number; timeoutMs: number };
  /** What an answer of this deployment may make the gateway hold (`server.limits`). */
  upstreamLimits?: UpstreamLimits;
}

export type StrategyName = 'ordered' | 'weighted' | 'least-latency' | 'cost' | 'least-busy';

export interface RetryPolicy {
  /** Total attempts across the whole plan (first try included). */
  maxAttempts: number;
  /** Attempts on the same deployment before moving on (1 = no same-target retry). */
  attemptsPerDeployment: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
}

/** A rule that sends a request to a sub-plan. All present conditions must hold. */
export interface RequestClassRule {
  header?: { name: string; equals?: string };
  metadata?: { key: string; equals?: string };
  hasTools?: boolean;
  hasImages?: boolean;
  minInputTokens?: number;
  maxInputTokens?: number;
}

export interface RoutingPolicy {
  strategy: StrategyName;
  targets: DeploymentSnapshot[];
  /** Per target, for `weighted` (defaults to the deployment's weight). */
  weights: number[];
  retry: RetryPolicy;
  /** Upper bound on the whole request, all attempts and backoffs included. */
  deadlineMs: number;
  /** Optional hedging: after this delay without a first byte, start a second attempt. */
  hedgeAfterMs?: number;
  /** Whether context-length errors may fall back to a deployment with a larger window. */
  fallbackOnContextLength: boolean;
  /**
   * A request's max_tokens above a deployment's known output limit: `clamp` it to the limit
   * (with an x-modelplane-warnings entry) or `reject` the request with a 400 naming the limit.
   */
  maxTokensAboveLimit: 'clamp' | 'reject';
}

export interface RequestClassSnapshot extends RoutingPolicy {
  name: string;
  when: RequestClassRule;
}

/** One tier of an auto route: its plan lists the tier's deployments first, then the others as fallback. */
export interface AutoTier {
  name: string;
  plan: RoutingPolicy;
}

/** `strategy: auto` (src/routing/auto): a trained router picks the tier per request. */
export interface AutoRouteSnapshot {
  /** Cheapest first. */
  tiers: AutoTier[];
  routerName: string;
  router: RouterModel;
  /** Cheaper tier when the score is >= this (calibrated from `strong_share` when given). */
  threshold: number;
  strongShare?: number;
  text: TextSource;
  cascade: boolean;
  /** `cascade: { stream: buffer }`: a streamed request is answered whole, then replayed as a stream. */
  cascadeStreams: boolean;
}

export interface RouteSnapshot extends RoutingPolicy {
  name: string;
  /** Sub-plans tried in order; the first whose rule matches wins, else the route's own plan. */
  classes: RequestClassSnapshot[];
  /** Show the deployment id in `x-modelplane-deployment` (default) or an opaque hash. */
  exposeDeployment: boolean;
  /** What this route serves. */
  kind: 'chat' | 'embeddings';
  /** Resume a stream interrupted after text reached the client on a prefill-capable target. */
  resumeStreams: boolean;
  /** `on_budget_exhausted`: cheaper targets that serve a request a budget refused (and what they were called). */
  budgetFallback?: { targets: DeploymentSnapshot[]; label: string };
  /** Response cache policy; absent: the route is not cached. */
  cache?: RouteCachePolicy;
  auto?: AutoRouteSnapshot;
  /** Mirrors sampled requests to candidate deployments (src/shadow/). */
  shadow?: ShadowSettings;
  /** Moves traffic to a candidate step by step (src/promotion/). */
  promotion?: PromotionSettings;
  /** Sampled prompt/answer capture into the embedded store (src/evals/capture-*.ts). */
  capture?: CaptureSettings;
}

export type CacheScopeKind = 'key' | 'team' | 'customer' | 'global';

/** A route's response cache (docs/caching.md). */
export interface RouteCachePolicy {
  mode: 'exact' | 'semantic';
  ttlMs: number;
  /** Cosine similarity a semantic candidate needs before the verifier looks at it. */
  threshold: number;
  scope: CacheScopeKind;
  embed: 'last_user' | 'conversation';
  /** Requests with a higher temperature bypass the cache. */
  maxTemperature: number;
  allowN: boolean;
  allowLogprobs: boolean;
  /** Share of semantic hits audited upstream (0: none). */
  audit: number;
  /** `threshold: auto`: the false-hit bound the calibrated threshold keeps (`threshold` is then its start). */
  maxError?: number;
}

/** Gateway-wide cache settings. */
export interface CacheSettings {
  /** `local` or the name of an embeddings route. */
  embedder: string;
  maxBytes: number;
  maxEntryBytes: number;
  /** Written behind to SQLite under storage.data_dir and loaded at start. */
  persist: boolean;
  /** Absolute hit-rate move (last hour vs trailing baseline) that flags a route. */
  driftBand: number;
}

export interface ServerSettings {
  host: string;
  port: number;
  bodyLimitBytes: number;
  /** Headers timeout for inbound requests. */
  requestTimeoutMs: number;
  /** What a caller's body may contain (checked by every ingress decoder). */
  limits: IngressLimits;
  /** What an upstream answer may make the gateway hold. */
  upstreamLimits: UpstreamLimits;
  /** After SIGTERM, how long in-flight requests may run before their connections are cut. */
  shutdownGraceMs: number;
  /** Opt-in CORS for browser clients; undefined: off. */
  cors?: CorsSettings;
}

export interface CorsSettings {
  /** Allowed `Origin` values, or '*' for any. */
  origins: string[] | '*';
  /** How long a browser may cache a preflight answer. */
  maxAgeMs: number;
}

export interface LoggingSettings {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Log prompt and completion text. Off by default: prompts are user data. */
  logBodies: boolean;
}

/** Circuit-breaker settings (applied when the gateway starts; see docs/reliability.md). */
export interface HealthSettings {
  breaker: {
    consecutiveFailures?: number;
    errorRate?: number;
    minRequests?: number;
    windowMs?: number;
    baseCooldownMs?: number;
    maxCooldownMs?: number;
  };
  rateLimitCooldownMs?: number;
  credentialLockoutMs?: number;
}

export interface StorageSettings {
  /** Absolute, or relative to the config file's directory; undefined: no file, memory only. */
  dataDir?: string;
  responsesBackend?: 'sqlite' | 'memory';
  responsesCacheEntries?: number;
  /** The write-behind window of the SQLite responses store (default 200 ms). */
  responsesWriteBehindMs?: number;
  responsesDurability?: 'write-behind' | 'strict';
  /** storage.responses.max_age / max_entries. */
  responsesRetention?: { maxAgeMs?: number; maxEntries?: number };
}

/** Cluster mode (docs/scaling.md): present only when both Redis and Postgres are configured. */
export interface ClusterSettings {
  redis: { url: string; keyPrefix: string };
  postgres: { url: string; pool: number };
  onRedisUnavailable: 'local' | 'refuse';
  admissionTimeoutMs: number;
  /** cluster.lease_ttl_ms: how soon a killed instance's slots and reservations come back. */
  leaseTtlMs: number;
}

export interface Snapshot {
  /** Increases by one on every successful (re)load. */
  version: number;
  loadedAt: number;
  /** File the snapshot came from, when any. */
  source?: string;
  server: ServerSettings;
  auth: { masterKey?: string; adminKey?: string };
  logging: LoggingSettings;
  health: HealthSettings;
  storage: StorageSettings;
  /** Undefined: embedded mode (in-memory + SQLite), the default. */
  cluster?: ClusterSettings;
  cache: CacheSettings;
  telemetry: TelemetrySettings;
  providers: ReadonlyMap<string, ProviderSnapshot>;
  deployments: ReadonlyMap<string, DeploymentSnapshot>;
  routes: ReadonlyMap<string, RouteSnapshot>;
  /** Teams, config keys, customers, agents, sensitivity policy, alerts (governance/). */
  tenants: TenantSettings;
}
