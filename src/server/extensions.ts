// The extensions a gateway runs with when the caller of startGateway names none: one line per
// capability, each deciding from the snapshot whether it has work to do (`Extension.enabled`).
// Capabilities that need resources (a store under storage.data_dir, a logger) get them here.
import type { SnapshotHolder } from '../config/holder.js';
import type { Snapshot } from '../config/snapshot.js';
import type { Extension } from '../gateway/extension.js';
import { substitutionExtensions } from './substitution-extensions.js';
import type { Router } from '../gateway/router.js';
import type { Logger } from '../telemetry/log.js';
import { createTenancy } from '../governance/runtime.js';
import { createAutoRouting } from '../routing/auto/install.js';
import { metricsExtension } from '../telemetry/metrics-extension.js';
import { tracingExtension } from '../telemetry/tracing-extension.js';
import { createGatewayCache } from '../cache/install.js';

export interface ExtensionContext {
  snapshot: Snapshot;
  log: Logger;
  router: Router;
  /** The config file, when there is one (stores resolve `storage.data_dir` against its folder). */
  configFile?: string;
  env: NodeJS.ProcessEnv;
  /** Reload notifications (metrics count config versions and reload outcomes). */
  holder?: SnapshotHolder;
}

export function defaultExtensions(ctx: ExtensionContext): Extension[] {
  const out: Extension[] = [];
  // Virtual keys, budgets, rate limits, sensitivity policy, spend ledger, /admin/{keys,teams,...}.
  // First: who the caller is, what it may reach (call.exclude) and whether it may spend, before
  // any stage routes.
  out.push(createTenancy({ snapshot: ctx.snapshot, log: ctx.log, ...(ctx.configFile !== undefined ? { configFile: ctx.configFile } : {}) }).extension);
  // strategy: auto (docs/routing.md): the tier-picking stage, its decision log, /v1/feedback.
  const auto = createAutoRouting({ snapshot: ctx.snapshot, log: ctx.log, ...(ctx.configFile !== undefined ? { configFile: ctx.configFile } : {}) });
  out.push(auto.extension);
  out.push(tracingExtension({ snapshot: ctx.snapshot, log: ctx.log }));
  const metrics = metricsExtension({ snapshot: ctx.snapshot, router: ctx.router, log: ctx.log, ...(ctx.holder ? { holder: ctx.holder } : {}) });
  auto.registerMetrics(metrics.metrics.registry);
  out.push(metrics);
  out.push(...substitutionExtensions(ctx));
  // The response cache (docs/caching.md) last, the innermost stage: every other stage (routing, and
  // the keys, budgets and policies that come) has had its say before a hit answers.
  out.push(createGatewayCache(ctx.snapshot, { configFile: ctx.configFile, warn: (msg, detail) => ctx.log.warn(detail, msg) }).extension);
  return out;
}
