// Wires a running gateway together: snapshot holder (+ hot reload), router, formats, logger,
// HTTP server. Used by the CLI, the demo, tests and the benchmark.

import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SnapshotHolder } from '../config/holder.js';
import { createResponsesStore, DEFAULT_DATA_DIR, type ResponsesStoreConfig } from '../store/create-responses-store.js';
import type { ResponsesStore } from '../store/responses-store.js';
import { loadSnapshotFromFile, loadSnapshotFromText } from '../config/load.js';
import type { Snapshot, StorageSettings } from '../config/snapshot.js';
import { egressFormats } from '../formats/index.js';
import type { GatewayDeps } from '../gateway/deps.js';
import type { Extension } from '../gateway/extension.js';
import { Lifecycles } from '../gateway/lifecycle.js';
import { createRouter, type RouterOptions } from '../gateway/router-impl.js';
import { Prober } from '../gateway/prober.js';
import type { Router } from '../gateway/router.js';
import { closeUpstreamAgents } from '../gateway/upstream.js';
import { createLogger, type Logger } from '../telemetry/log.js';
import { defaultEndpoints } from './endpoints.js';
import { defaultExtensions } from './extensions.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequestHandler, listen, type RunningServer } from './http.js';
import type { SharedStores } from '../cluster/stores.js';

export interface GatewayOptions {
  /** A config file (hot-reloaded when `watch` is on). */
  configFile?: string;
  /** Or YAML text. */
  configText?: string;
  /** Or a compiled snapshot. */
  snapshot?: Snapshot;
  port?: number;
  host?: string;
  logger?: Logger;
  watch?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Overrides the store for /v1/responses `previous_response_id` (tests). */
  responsesStore?: ResponsesStore;
  /** Overrides the config's health settings (tests). */
  router?: RouterOptions;
  /** The clock routing and health read (ms since epoch); tests inject one instead of sleeping. */
  clock?: () => number;
  /**
   * Capabilities plugged into the request lifecycle (stages, observers, taps, after-hooks,
   * endpoints); default: `defaultExtensions` (server/extensions.ts). Pass `[]` for a bare gateway.
   */
  extensions?: readonly Extension[];
  /** Cluster mode's shared stores; startGateway opens them when the snapshot has `cluster` (src/cluster/stores.ts). */
  sharedStores?: SharedStores;
}

export interface Gateway extends RunningServer {
  holder: SnapshotHolder;
  router: Router;
  log: Logger;
}

/**
 * Where stored responses live: SQLite under `storage.data_dir` (relative to the config file),
 * defaulting to `.modelplane/` beside the config file; memory only when there is no file and no
 * data_dir (embedded use, tests).
 */
function responsesStoreConfig(storage: StorageSettings, configFile: string | undefined, log: Logger): ResponsesStoreConfig {
  const base = configFile ? dirname(configFile) : process.cwd();
  const dir = storage.dataDir === undefined ? (configFile ? join(base, DEFAULT_DATA_DIR) : undefined) : storage.dataDir === ':memory:' ? ':memory:' : resolve(base, storage.dataDir);
  const backend = storage.responsesBackend ?? (dir === undefined ? 'memory' : 'sqlite');
  const cfg: ResponsesStoreConfig = { backend, onError: (err, lost) => log.error({ err: String(err), lost }, 'responses store write failed') };
  if (dir !== undefined) cfg.dataDir = dir;
  if (storage.responsesCacheEntries !== undefined) cfg.cacheEntries = storage.responsesCacheEntries;
  if (storage.responsesWriteBehindMs !== undefined) cfg.writeBehindMs = storage.responsesWriteBehindMs;
  if (storage.responsesDurability !== undefined) cfg.durability = storage.responsesDurability;
  if (storage.responsesRetention !== undefined) cfg.retention = storage.responsesRetention;
  if (backend === 'sqlite' && dir !== undefined && dir !== ':memory:') mkdirSync(dir, { recursive: true });
  return cfg;
}

/** A gateway assembled but not listening: its request handler, for in-process tests (testkit/inject.ts). */
export interface GatewayCore {
  holder: SnapshotHolder;
  router: Router;
  log: Logger;
  deps: GatewayDeps;
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  /** Stops the watcher, probes and stores (not the HTTP server: startGateway closes that). */
  close(): Promise<void>;
}

export function assembleGateway(opts: GatewayOptions): GatewayCore {
  const env = opts.env ?? process.env;
  const snapshot =
    opts.snapshot ??
    (opts.configFile !== undefined
      ? loadSnapshotFromFile(opts.configFile, { env })
      : loadSnapshotFromText(opts.configText ?? '', { env }));
  const log = opts.logger ?? createLogger(snapshot.logging.level);
  const holder = new SnapshotHolder(snapshot, opts.configFile, log);
  const h = snapshot.health;
  const router = createRouter(log, opts.router ?? {
    health: {
      provider: h.breaker,
      deployment: h.breaker,
      credential: h.breaker,
      ...(h.rateLimitCooldownMs !== undefined ? { rateLimitCooldownMs: h.rateLimitCooldownMs } : {}),
      ...(h.credentialLockoutMs !== undefined ? { credentialLockoutMs: h.credentialLockoutMs } : {}),
    },
  });
  const clock = opts.clock ?? Date.now;
  const prober = new Prober(router, egressFormats, log, clock);
  prober.reset(snapshot);
  holder.onReload((s) => {
    router.retain(s);
    prober.reset(s);
  });
  const extensions = opts.extensions ?? defaultExtensions({ snapshot, log, router, env, holder, health: router.state.health, ...(opts.configFile !== undefined ? { configFile: opts.configFile } : {}), ...(opts.sharedStores ? { sharedStores: opts.sharedStores } : {}) });
  const deps: GatewayDeps = { router, egress: egressFormats, log, lifecycles: new Lifecycles(router, log, extensions), clock };
  const responsesStore = opts.responsesStore ?? opts.sharedStores?.responsesStore ?? createResponsesStore(responsesStoreConfig(snapshot.storage, opts.configFile, log));
  const endpoints = defaultEndpoints({ responsesStore });
  for (const e of extensions) if (e.endpoints) for (const [k, spec] of e.endpoints) endpoints.set(k, spec);
  const handler = createRequestHandler({ holder, deps, endpoints });
  return {
    holder,
    router,
    log,
    deps,
    handler,
    close: async () => {
      holder.close();
      prober.stop();
      for (const e of extensions) {
        try {
          await e.close?.();
        } catch (err) {
          log.error({ extension: e.name, err: String(err) }, 'extension close failed');
        }
      }
      await responsesStore.close();
      await opts.sharedStores?.close();
      await closeUpstreamAgents();
      await new Promise<void>((r) => {
        try {
          log.flush(() => r());
        } catch {
          r();
        }
      });
    },
  };
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const opts = await withSharedStores(options);
  const core = assembleGateway(opts);
  const { holder, log } = core;
  let server: RunningServer;
  try {
    server = await listen(core.handler, holder, opts.port, opts.host);
  } catch (e) {
    await core.close();
    throw e;
  }
  if (opts.watch && opts.configFile) holder.watch();
  if (holder.current.auth.masterKey === undefined) {
    log.warn({}, 'auth.master_key is not set: the gateway accepts every caller. Set it before exposing the port.');
  }
  return {
    ...server,
    holder,
    router: core.router,
    log,
    close: async () => {
      await server.close();
      await core.close();
    },
  };
}

/**
 * Cluster mode: load the snapshot once, open the shared stores it names (refusing an old schema
 * before the port opens), and hand both to assembleGateway. Embedded mode: unchanged.
 */
async function withSharedStores(opts: GatewayOptions): Promise<GatewayOptions> {
  if (opts.sharedStores) return opts;
  const env = opts.env ?? process.env;
  const snapshot = opts.snapshot ?? (opts.configFile !== undefined ? loadSnapshotFromFile(opts.configFile, { env }) : loadSnapshotFromText(opts.configText ?? '', { env }));
  if (!snapshot.cluster) return { ...opts, snapshot };
  const logger = opts.logger ?? createLogger(snapshot.logging.level);
  // Loaded only in cluster mode: embedded mode never loads the Postgres or Redis clients.
  const { openSharedStores } = await import('../cluster/stores.js');
  const sharedStores = await openSharedStores(snapshot, { log: logger, ...(opts.configFile !== undefined ? { configFile: opts.configFile } : {}) });
  return { ...opts, snapshot, logger, ...(sharedStores ? { sharedStores } : {}) };
}
