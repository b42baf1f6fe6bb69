// Config -> Snapshot: resolves catalog presets, credentials, tiers and defaults, and checks
// cross references (a route naming an unknown deployment is a config error, not a runtime 404).

import { catalogEntry, loadCatalog, type CatalogModel } from '../catalog/index.js';
import { compileAutoRoute } from './compile-auto.js';
import { didYouMean } from './suggest.js';
import type { ProviderQuirks } from '../spec/wire.js';
import { compileTenants } from './compile-tenants.js';
import { compileCacheSettings, compileRouteCache } from './compile-cache.js';
import { DEFAULT_INGRESS_LIMITS, DEFAULT_UPSTREAM_LIMITS, type IngressLimits, type UpstreamLimits } from '../spec/limits.js';
import { compileTelemetry } from './telemetry.js';
import { compileCapture, compilePromotion, compileShadow } from './compile-substitution.js';
import { compileCluster } from './compile-cluster.js';
import type { Config, DeploymentConfig, PlanConfig, ProviderConfig } from './schema.js';
import type {
  Capabilities,
  CredentialSnapshot,
  HealthSettings,
  StorageSettings,
  DeploymentSnapshot,
  Price,
  ProviderSnapshot,
  RequestClassRule,
  RetryPolicy,
  RouteSnapshot,
  Snapshot,
  RoutingPolicy,
  Timeouts,
} from './snapshot.js';

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 4000,
  bodyLimitBytes: 4 * 1024 * 1024,
  requestTimeoutMs: 60_000,
  timeouts: { connectMs: 5_000, firstByteMs: 60_000, totalMs: 600_000 } satisfies Timeouts,
  retry: { maxAttempts: 3, attemptsPerDeployment: 1, baseBackoffMs: 100, maxBackoffMs: 2_000 } satisfies RetryPolicy,
  deadlineMs: 120_000,
  shutdownGraceMs: 30_000,
};

interface CompileOptions {
  version: number;
  env: NodeJS.ProcessEnv;
  source?: string | undefined;
}

function quirksFrom(q: ProviderConfig['quirks'] | undefined): ProviderQuirks {
  const out: ProviderQuirks = {};
  if (!q) return out;
  if (q.reasoning_field) out.reasoningField = q.reasoning_field;
  if (q.max_tokens_field) out.maxTokensField = q.max_tokens_field;
  if (q.no_stream_options !== undefined) out.noStreamOptions = q.no_stream_options;
  if (q.unsupported_params) out.unsupportedParams = q.unsupported_params;
  if (q.requires_max_tokens !== undefined) out.requiresMaxTokens = q.requires_max_tokens;
  return out;
}

function fillTemplate(url: string, vars: Record<string, string | undefined>, path: string, problems: string[]): string {
  return url.replace(/\{(\w+)\}/g, (_, name: string) => {
    const v = vars[name];
    if (v === undefined) {
      problems.push(`${path}: base_url needs {${name}}: set \`${name === 'region' ? 'region' : `options.${name}`}\` or give base_url`);
      return `{${name}}`;
    }
    return v;
  });
}

function compileProvider(id: string, p: ProviderConfig, env: NodeJS.ProcessEnv, problems: string[]): ProviderSnapshot | undefined {
  const path = `providers.${id}`;
  const preset = p.preset === undefined ? undefined : catalogEntry(p.preset);
  if (p.preset !== undefined && !preset) {
    const presets = [...loadCatalog().keys()];
    problems.push(`${path}.preset: unknown preset "${p.preset}"${didYouMean(p.preset, presets)} (presets: ${presets.join(', ')})`);
    return undefined;
  }
  const format = p.format ?? preset!.format;
  const options = { ...(preset?.options ?? {}), ...(p.options ?? {}) };
  const region = p.region ?? (format === 'bedrock-converse' ? env.AWS_REGION ?? env.AWS_DEFAULT_REGION : undefined);
  const vars: Record<string, string | undefined> = { region };
  for (const [k, v] of Object.entries(options)) if (typeof v === 'string') vars[k] = v;
  const baseUrl = fillTemplate(p.base_url ?? preset!.base_url, vars, path, problems).replace(/\/+$/, '');
  const auth = p.auth ?? preset?.auth ?? 'bearer';

  const keys = p.api_keys ?? (p.api_key !== undefined ? [p.api_key] : []);
  if (keys.length === 0 && preset?.api_key_env && env[preset.api_key_env]) keys.push(env[preset.api_key_env]!);
  const credentials: CredentialSnapshot[] = keys.map((apiKey, i) => ({ id: `${id}#${i}`, apiKey }));
  if (auth === 'sigv4') {
    const aws = p.aws
      ? { accessKeyId: p.aws.access_key_id, secretAccessKey: p.aws.secret_access_key, ...(p.aws.session_token ? { sessionToken: p.aws.session_token } : {}) }
      : env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) }
        : undefined;
    if (!aws) problems.push(`${path}.aws: sigv4 needs aws credentials (aws: {access_key_id, secret_access_key}) or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY`);
    else credentials.splice(0, credentials.length, { id: `${id}#0`, aws });
    if (!region) problems.push(`${path}.region: bedrock needs a region (or AWS_REGION)`);
  } else if (auth !== 'none' && credentials.length === 0) {
    const hint = preset?.api_key_env ? ` or set ${preset.api_key_env}` : '';
    problems.push(`${path}.api_key: provider needs a credential (api_key or api_keys${hint}); use auth: none for a keyless local server`);
  }
  if (credentials.length === 0) credentials.push({ id: `${id}#0` });

  const snap: ProviderSnapshot = {
    id,
    format,
    baseUrl,
    auth,
    headers: { ...(preset?.headers ?? {}), ...(p.headers ?? {}) },
    query: { ...(p.query ?? {}) },
    quirks: { ...quirksFrom(preset?.quirks), ...quirksFrom(p.quirks) },
    credentials,
    options,
  };
  if (region !== undefined) snap.region = region;
  const jurisdiction = p.jurisdiction ?? preset?.jurisdiction;
  if (jurisdiction !== undefined) snap.jurisdiction = jurisdiction;
  const retention = p.retention ?? preset?.retention;
  if (retention !== undefined) snap.retention = retention;
  const trains = p.trains_on_data ?? preset?.trains_on_data;
  if (trains !== undefined) snap.trainsOnData = trains;
  return snap;
}

function priceFrom(p: { input: number; output: number; cache_read?: number | undefined; cache_write?: number | undefined } | undefined): Price | undefined {
  if (!p) return undefined;
  const out: Price = { inputPerMTok: p.input, outputPerMTok: p.output };
  if (p.cache_read !== undefined) out.cacheReadPerMTok = p.cache_read;
  if (p.cache_write !== undefined) out.cacheWritePerMTok = p.cache_write;
  return out;
}

function compileDeployment(
  id: string,
  d: DeploymentConfig,
  providers: Map<string, ProviderSnapshot>,
  providerConfigs: Config['providers'],
  defaults: Config['defaults'],
  problems: string[],
): DeploymentSnapshot | undefined {
  const path = `deployments.${id}`;
  const provider = providers.get(d.provider);
  if (!provider) {
    // A provider that is configured but broken has its own problem line already.
    if (!(d.provider in providerConfigs)) problems.push(`${path}.provider: unknown provider "${d.provider}"${didYouMean(d.provider, Object.keys(providerConfigs))}`);
    return undefined;
  }
  const preset = providerConfigs[d.provider]?.preset;
  const known: CatalogModel | undefined = preset ? catalogEntry(preset)?.models?.[d.model] : undefined;
  const c = d.capabilities ?? {};
  const capabilities: Capabilities = {
    tools: c.tools ?? known?.tools ?? true,
    vision: c.vision ?? known?.vision ?? true,
    jsonSchema: c.json_schema ?? known?.json_schema ?? true,
    embeddings: c.embeddings ?? known?.embeddings ?? false,
    prefill: c.prefill ?? provider.format === 'anthropic-messages',
  };
  const ctx = c.context_window ?? known?.context_window;
  if (ctx !== undefined) capabilities.contextWindow = ctx;
  const maxOut = c.max_output_tokens ?? known?.max_output_tokens;
  if (maxOut !== undefined) capabilities.maxOutputTokens = maxOut;
  const t = { ...(defaults?.timeouts ?? {}), ...(d.timeouts ?? {}) };
  const timeouts: Timeouts = {
    connectMs: t.connect ?? DEFAULTS.timeouts.connectMs,
    firstByteMs: t.first_byte ?? DEFAULTS.timeouts.firstByteMs,
    totalMs: t.total ?? DEFAULTS.timeouts.totalMs,
  };
  const credentials = d.api_keys ? d.api_keys.map((apiKey, i) => ({ id: `${id}#${i}`, apiKey })) : provider.credentials;
  const snap: DeploymentSnapshot = {
    id,
    provider,
    model: d.model,
    weight: d.weight ?? 1,
    timeouts,
    capabilities,
    credentials,
    options: { ...provider.options, ...(d.options ?? {}) },
  };
  if (d.tier !== undefined) snap.tier = d.tier;
  const price = priceFrom(d.price) ?? priceFrom(known?.price);
  if (price) snap.price = price;
  if (d.default_max_tokens !== undefined) snap.defaultMaxTokens = d.default_max_tokens;
  if (d.probe) snap.probe = { intervalMs: Math.max(100, d.probe.interval), timeoutMs: d.probe.timeout ?? Math.min(10_000, timeouts.totalMs) };
  return snap;
}

function compileRule(when: NonNullable<Config['routes'][string]['classes']>[number]['when']): RequestClassRule {
  const rule: RequestClassRule = {};
  if (when.header !== undefined) {
    rule.header = typeof when.header === 'string' ? { name: 'x-modelplane-class', equals: when.header } : { name: when.header.name.toLowerCase(), ...(when.header.equals !== undefined ? { equals: when.header.equals } : {}) };
  }
  if (when.metadata) rule.metadata = { key: when.metadata.key, ...(when.metadata.equals !== undefined ? { equals: when.metadata.equals } : {}) };
  if (when.has_tools !== undefined) rule.hasTools = when.has_tools;
  if (when.has_images !== undefined) rule.hasImages = when.has_images;
  if (when.min_input_tokens !== undefined) rule.minInputTokens = when.min_input_tokens;
  if (when.max_input_tokens !== undefined) rule.maxInputTokens = when.max_input_tokens;
  return rule;
}

export type PlanCompiler = typeof compilePlan;

function compilePlan(
  path: string,
  p: PlanConfig,
  inherit: RoutingPolicy | undefined,
  deployments: Map<string, DeploymentSnapshot>,
  config: Config,
  problems: string[],
): RoutingPolicy {
  let targets: DeploymentSnapshot[] | undefined;
  // True when a deployment this plan names failed to compile: that deployment's own problem is
  // the root cause, and checks that count targets (weights, an empty tier) would only echo it.
  let incomplete = false;
  if (p.targets && p.tier) problems.push(`${path}: give either targets or tier, not both`);
  if (p.targets) {
    targets = [];
    p.targets.forEach((name, i) => {
      const d = deployments.get(name);
      if (d) targets!.push(d);
      else if (!(name in config.deployments)) problems.push(`${path}.targets[${i}]: unknown deployment "${name}"${didYouMean(name, Object.keys(config.deployments))}`);
      else incomplete = true;
    });
  } else if (p.tier) {
    targets = [...deployments.values()].filter((d) => d.tier === p.tier);
    incomplete = Object.entries(config.deployments).some(([id, d]) => d.tier === p.tier && !deployments.has(id));
    if (targets.length === 0 && !incomplete) problems.push(`${path}.tier: no deployment has tier "${p.tier}"`);
  }
  if (!targets && !inherit) problems.push(`${path}: a route needs targets (deployment names) or a tier`);
  const finalTargets = targets ?? inherit?.targets ?? [];
  const strategy = p.strategy ?? inherit?.strategy ?? 'ordered';
  let weights = finalTargets.map((d) => d.weight);
  if (p.weights) {
    if (p.weights.length !== finalTargets.length && !incomplete) problems.push(`${path}.weights: expected ${finalTargets.length} weights (one per target), got ${p.weights.length}`);
    else weights = p.weights;
  } else if (!targets && inherit) weights = inherit.weights;
  const r = { ...(config.defaults?.retry ?? {}), ...(p.retry ?? {}) };
  const base = inherit?.retry ?? DEFAULTS.retry;
  const retry: RetryPolicy = {
    maxAttempts: r.max_attempts ?? (p.retry || config.defaults?.retry ? DEFAULTS.retry.maxAttempts : base.maxAttempts),
    attemptsPerDeployment: r.attempts_per_deployment ?? base.attemptsPerDeployment,
    baseBackoffMs: r.backoff ?? base.baseBackoffMs,
    maxBackoffMs: r.max_backoff ?? base.maxBackoffMs,
  };
  // By default every target gets a chance: a plan of three targets with max_attempts 2 would
  // silently never reach the third.
  // Key rotations count as attempts too, so each key of each target is counted.
  if (r.max_attempts === undefined) {
    const needed = finalTargets.reduce((n, d) => n + Math.max(1, d.credentials.length) + retry.attemptsPerDeployment - 1, 0);
    retry.maxAttempts = Math.max(retry.maxAttempts, needed);
  }
  const plan: RoutingPolicy = {
    strategy,
    targets: finalTargets,
    weights,
    retry,
    deadlineMs: p.deadline ?? config.defaults?.deadline ?? inherit?.deadlineMs ?? DEFAULTS.deadlineMs,
    fallbackOnContextLength: p.fallback_on_context_length ?? inherit?.fallbackOnContextLength ?? true,
    maxTokensAboveLimit: p.max_tokens_above_limit ?? inherit?.maxTokensAboveLimit ?? 'clamp',
  };
  const hedge = p.hedge_after ?? inherit?.hedgeAfterMs;
  if (hedge !== undefined) plan.hedgeAfterMs = hedge;
  return plan;
}

function compileLimits(l: NonNullable<Config['server']>['limits']): { limits: IngressLimits; upstreamLimits: UpstreamLimits } {
  const d = DEFAULT_INGRESS_LIMITS;
  const u = DEFAULT_UPSTREAM_LIMITS;
  return {
    limits: {
      maxDepth: l?.max_depth ?? d.maxDepth,
      maxSchemaDepth: l?.max_schema_depth ?? d.maxSchemaDepth,
      maxMessages: l?.max_messages ?? d.maxMessages,
      maxTools: l?.max_tools ?? d.maxTools,
      maxContentParts: l?.max_content_parts ?? d.maxContentParts,
      maxStringLength: l?.max_string_length ?? d.maxStringLength,
      maxEmbeddingInputs: l?.max_embedding_inputs ?? d.maxEmbeddingInputs,
    },
    upstreamLimits: {
      maxBodyBytes: l?.upstream_body ?? u.maxBodyBytes,
      maxEventBytes: l?.upstream_event ?? u.maxEventBytes,
      maxStreamBytes: l?.upstream_stream ?? u.maxStreamBytes,
    },
  };
}

function compileStorage(s: Config['storage']): StorageSettings {
  const out: StorageSettings = {};
  if (s?.data_dir !== undefined) out.dataDir = s.data_dir;
  if (s?.responses?.backend !== undefined) out.responsesBackend = s.responses.backend;
  if (s?.responses?.cache_entries !== undefined) out.responsesCacheEntries = s.responses.cache_entries;
  if (s?.responses?.write_behind !== undefined) out.responsesWriteBehindMs = s.responses.write_behind;
  if (s?.responses?.durability !== undefined) out.responsesDurability = s.responses.durability;
  const r = s?.responses;
  if (r?.max_age !== undefined || r?.max_entries !== undefined) {
    out.responsesRetention = { ...(r.max_age !== undefined ? { maxAgeMs: r.max_age } : {}), ...(r.max_entries !== undefined ? { maxEntries: r.max_entries } : {}) };
  }
  return out;
}

function compileHealth(h: Config['health']): HealthSettings {
  const b = h?.breaker ?? {};
  const breaker: HealthSettings['breaker'] = {};
  if (b.consecutive_failures !== undefined) breaker.consecutiveFailures = b.consecutive_failures;
  if (b.error_rate !== undefined) breaker.errorRate = b.error_rate;
  if (b.min_requests !== undefined) breaker.minRequests = b.min_requests;
  if (b.window !== undefined) breaker.windowMs = b.window;
  if (b.cooldown !== undefined) breaker.baseCooldownMs = b.cooldown;
  if (b.max_cooldown !== undefined) breaker.maxCooldownMs = b.max_cooldown;
  const out: HealthSettings = { breaker };
  if (h?.rate_limit_cooldown !== undefined) out.rateLimitCooldownMs = h.rate_limit_cooldown;
  if (h?.credential_lockout !== undefined) out.credentialLockoutMs = h.credential_lockout;
  return out;
}

export function compileSnapshot(config: Config, options: CompileOptions): { snapshot: Snapshot; problems: string[] } {
  const problems: string[] = [];
  const providers = new Map<string, ProviderSnapshot>();
  for (const [id, p] of Object.entries(config.providers)) {
    const snap = compileProvider(id, p, options.env, problems);
    if (snap) providers.set(id, snap);
  }
  const deployments = new Map<string, DeploymentSnapshot>();
  for (const [id, d] of Object.entries(config.deployments)) {
    const snap = compileDeployment(id, d, providers, config.providers, config.defaults, problems);
    if (snap) deployments.set(id, snap);
  }
  const limits = compileLimits(config.server?.limits);
  for (const d of deployments.values()) d.upstreamLimits = limits.upstreamLimits;
  const routes = new Map<string, RouteSnapshot>();
  for (const [name, r] of Object.entries(config.routes)) {
    const path = `routes.${name}`;
    let route: RouteSnapshot;
    if (r.strategy === 'auto') {
      // An auto route gets the same cache, shadow and budget fallback as any route (below).
      const compiled = compileAutoRoute(path, name, r, deployments, config, problems, options.source, compilePlan);
      if (!compiled) continue;
      route = compiled;
    } else {
      const plan = compilePlan(path, { ...r, strategy: r.strategy }, undefined, deployments, config, problems);
      const classes = (r.classes ?? []).map((c, i) => ({
        name: c.name,
        when: compileRule(c.when),
        ...compilePlan(`${path}.classes[${i}]`, c, plan, deployments, config, problems),
      }));
      const kind = r.kind ?? (plan.targets.length > 0 && plan.targets.every((d) => d.capabilities.embeddings) ? 'embeddings' : 'chat');
      route = { name, ...plan, classes, exposeDeployment: r.expose_deployment ?? true, kind, resumeStreams: r.resume_streams ?? false };
    }
    const cache = compileRouteCache(r.cache, problems, name);
    if (cache) route.cache = cache;
    const shadow = compileShadow(path, r, deployments, Object.keys(config.routes), problems);
    if (shadow) route.shadow = shadow;
    if (r.strategy === 'auto' && r.promotion !== undefined) problems.push(`${path}.promotion: an auto route picks its tier per request; promote a deployment within a tier's route instead`);
    const promotion = r.strategy === 'auto' ? undefined : compilePromotion(path, r, deployments, problems);
    if (promotion) route.promotion = promotion;
    const capture = compileCapture(path, r, Object.keys(config.policy?.sensitivity ?? {}), problems);
    if (capture) route.capture = capture;
    const fb = r.on_budget_exhausted;
    if (fb) {
      const p = compilePlan(`${path}.on_budget_exhausted`, fb, undefined, deployments, config, problems);
      route.budgetFallback = { targets: p.targets, label: fb.tier !== undefined ? `tier ${fb.tier}` : `targets ${p.targets.map((d) => d.id).join(',')}` };
    }
    routes.set(name, route);
  }
  if (routes.size === 0) problems.push('routes: define at least one route');
  const snapshot: Snapshot = {
    version: options.version,
    loadedAt: Date.now(),
    server: {
      host: config.server?.host ?? DEFAULTS.host,
      port: config.server?.port ?? DEFAULTS.port,
      bodyLimitBytes: config.server?.body_limit ?? DEFAULTS.bodyLimitBytes,
      requestTimeoutMs: config.server?.request_timeout ?? DEFAULTS.requestTimeoutMs,
      ...limits,
      shutdownGraceMs: config.server?.shutdown_grace ?? DEFAULTS.shutdownGraceMs,
      ...(config.server?.cors
        ? { cors: { origins: config.server.cors.allow_origins === '*' ? '*' : config.server.cors.allow_origins.map((o) => new URL(o).origin), maxAgeMs: config.server.cors.max_age ?? 600_000 } }
        : {}),
    },
    auth: {
      ...(config.auth?.master_key !== undefined ? { masterKey: config.auth.master_key } : {}),
      ...(config.auth?.admin_key !== undefined ? { adminKey: config.auth.admin_key } : {}),
    },
    logging: { level: config.logging?.level ?? 'info', logBodies: config.logging?.log_bodies ?? false },
    health: compileHealth(config.health),
    storage: compileStorage(config.storage),
    cache: compileCacheSettings(config, routes, problems),
    telemetry: compileTelemetry(config.telemetry),
    providers,
    deployments,
    routes,
    tenants: compileTenants(config, problems),
  };
  if (options.source !== undefined) snapshot.source = options.source;
  const cluster = compileCluster(config, problems);
  if (cluster) snapshot.cluster = cluster;
  return { snapshot, problems };
}
