// One cache per gateway: built from the snapshot's `cache:` settings when the gateway starts,
// plugged in as a lifecycle extension, with its admin endpoints. Memory bounds are read once at
// start (a reload changes routes' policies at once, since those are read per request, but not
// the size of the memory already allocated).

import { dirname, join, resolve } from 'node:path';
import type { Snapshot } from '../config/snapshot.js';
import { DEFAULT_DATA_DIR } from '../store/create-responses-store.js';
import type { Answer, Call } from '../gateway/call.js';
import type { EndpointSpec } from '../gateway/endpoint.js';
import { idHeaders } from '../gateway/endpoint.js';
import type { Extension } from '../gateway/extension.js';
import { writeJson } from '../gateway/render.js';
import { openaiChat } from '../formats/index.js';
import { GatewayError } from '../spec/errors.js';
import { handleCacheAdmin } from './admin.js';
import { cacheExtension } from './cache-stage.js';
import { HashedNgramEmbedder, type Embedder } from './embedder.js';
import { ResponseCache } from './response-cache.js';
import { loopbackRouteEmbedder, type LoopbackTarget } from './route-embedder.js';
import { CacheAuditor } from './audit.js';
import { loopbackFreshAnswer } from './audit-loopback.js';
import { CACHE_DB_FILE, SqliteCacheStore } from './sqlite-cache-store.js';
import { MemoryCacheStore, type CacheStore } from './store.js';
import { DriftWatcher } from './drift.js';
import { AlertSender } from '../governance/alerts.js';

export interface GatewayCache {
  cache: ResponseCache;
  /**
   * The cache's embedder, fixed at start. Another stage that wants the request's embedding (the
   * auto router) calls `callEmbedding(call, embedder, text)` (call-embedding.ts) with it: the
   * cache then reuses that vector instead of embedding again.
   */
  embedder: Embedder;
  /** The lifecycle extension: stage, tap, after-hook, `GET`/`DELETE /admin/cache`, close. */
  extension: Extension;
  /** Tells a route embedder where the gateway listens (learned from the first request otherwise). */
  attach(url: string): void;
}

export interface GatewayCacheOptions {
  store?: CacheStore;
  /** The config file, when there is one: `storage.data_dir` is relative to it (as for the responses store). */
  configFile?: string | undefined;
  embedder?: Embedder;
  warn?: (message: string, detail: Record<string, unknown>) => void;
  /** How often expired entries are swept from memory (reads drop them anyway). Default 60 s. */
  sweepMs?: number;
  /** How often the hit-rate drift is checked (a new flag is a soft alert). Default 60 s. */
  driftCheckMs?: number;
}

function localUrl(socket: { localAddress?: string | undefined; localPort?: number | undefined } | undefined): string | undefined {
  const port = socket?.localPort;
  let host = socket?.localAddress;
  if (port === undefined || host === undefined) return undefined;
  if (host.startsWith('::ffff:')) host = host.slice(7);
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function adminEndpoint(cache: ResponseCache, method: 'GET' | 'DELETE'): EndpointSpec {
  return {
    kind: 'admin',
    format: 'openai-chat',
    // No body is read for either method (the runner reads one only for POST).
    method: 'GET',
    auth: 'admin',
    errors: openaiChat,
    idHeaders: idHeaders.plain,
    logged: false,
    produce: async (_d, _l, call: Call): Promise<Answer> => {
      const r = await handleCacheAdmin(cache, method, new URL(call.ex.req.url ?? '/', 'http://gateway'));
      return { kind: 'json', status: r.status, body: r.body };
    },
    render: (call: Call, answer: Answer) => {
      if (answer.kind !== 'json') throw new GatewayError('internal_error', `the cache admin API cannot render a ${answer.kind} answer`);
      writeJson(call, answer.status, JSON.stringify(answer.body));
    },
  };
}

/** Where `cache.persist` keeps its file: beside the responses store (app.ts resolves data_dir the same way). */
function dataDir(snapshot: Snapshot, configFile: string | undefined): string | undefined {
  const base = configFile ? dirname(configFile) : process.cwd();
  const d = snapshot.storage.dataDir;
  if (d === ':memory:') return ':memory:';
  return d === undefined ? (configFile ? join(base, DEFAULT_DATA_DIR) : undefined) : resolve(base, d);
}

function createStore(snapshot: Snapshot, o: GatewayCacheOptions): CacheStore {
  const { maxBytes, maxEntryBytes, persist } = snapshot.cache;
  const dir = persist ? dataDir(snapshot, o.configFile) : undefined;
  if (persist && dir === undefined) o.warn?.('cache.persist needs storage.data_dir (or a config file): cached answers are kept in memory only', {});
  if (dir === undefined) return new MemoryCacheStore({ maxBytes, maxEntryBytes });
  return new SqliteCacheStore({
    path: dir === ':memory:' ? ':memory:' : join(dir, CACHE_DB_FILE),
    maxBytes,
    maxEntryBytes,
    onError: (err, lost) => o.warn?.('cache write-behind failed', { err: String(err), lost }),
  });
}

export function createGatewayCache(snapshot: Snapshot, o: GatewayCacheOptions = {}): GatewayCache {
  const store = o.store ?? createStore(snapshot, o);
  // Fixed at start: vectors of two embedders do not compare, so a reload cannot switch embedders.
  const loopback: LoopbackTarget = { key: () => snapshot.auth.masterKey };
  const embedder = o.embedder ?? (snapshot.cache.embedder === 'local' ? new HashedNgramEmbedder() : loopbackRouteEmbedder(snapshot.cache.embedder, loopback));
  const cache = new ResponseCache({ store, embedder, trends: { band: snapshot.cache.driftBand }, liveMaxBytes: snapshot.cache.maxEntryBytes, ...(o.warn ? { warn: o.warn } : {}) });
  if (store instanceof SqliteCacheStore) cache.reindex(store.entries());
  // Audits compare answers with the local embedder, whatever embeds the questions.
  cache.auditor = new CacheAuditor({ embedder: new HashedNgramEmbedder(), fresh: loopbackFreshAnswer(loopback), ...(o.warn ? { warn: o.warn } : {}) });
  const sweepable = store instanceof MemoryCacheStore || store instanceof SqliteCacheStore ? store : undefined;
  const sweep = sweepable ? setInterval(() => sweepable.sweep(), o.sweepMs ?? 60_000) : undefined;
  sweep?.unref();
  // Drift flags go out as soft alerts through the budget alerts' webhook (alerts.webhook), read
  // from the newest snapshot a request brought (a reload can change the webhook).
  const warn = o.warn ?? (() => undefined);
  let current = snapshot;
  const alerts = new AlertSender(snapshot.tenants.alerts, { warn: (obj, msg) => warn(msg, { ...obj }), error: (obj, msg) => warn(msg, { ...obj }) });
  const drift = new DriftWatcher(cache.trends, (a, msg) => alerts.softSignal(a, msg, { route: a.route, flag: a.flag }));
  const driftTimer = setInterval(() => drift.check(), o.driftCheckMs ?? 60_000);
  driftTimer.unref();
  const stage = cacheExtension(cache);
  const extension: Extension = {
    ...stage,
    // The gateway's own address, for the loopback embedder and audits: the socket of the first
    // request that reaches a cached route tells it (in-process tests have none: exact-only and no
    // audits, as on failure).
    stage: (call, next) => {
      if (call.ex.snapshot !== current) alerts.reconfigure((current = call.ex.snapshot).tenants.alerts);
      if (loopback.url === undefined) {
        const url = localUrl(call.ex.req.socket);
        if (url !== undefined) loopback.url = url;
      }
      return stage.stage!(call, next);
    },
    endpoints: new Map([
      ['GET /admin/cache', adminEndpoint(cache, 'GET')],
      ['DELETE /admin/cache', adminEndpoint(cache, 'DELETE')],
    ]),
    close: () => {
      clearInterval(sweep);
      clearInterval(driftTimer);
      if (store instanceof SqliteCacheStore) store.close();
      return Promise.resolve();
    },
  };
  return {
    cache,
    embedder,
    extension,
    attach: (url) => {
      loopback.url = url;
    },
  };
}
