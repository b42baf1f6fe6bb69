// One cache per gateway: built from the snapshot's `cache:` settings when the gateway starts,
// plugged in as a lifecycle extension, with its admin endpoints. Memory bounds are read once at
// start (a reload changes routes' policies at once, since those are read per request, but not
// the size of the memory already allocated).

import type { Snapshot } from '../config/snapshot.js';
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
import { MemoryCacheStore, type CacheStore } from './store.js';

export interface GatewayCache {
  cache: ResponseCache;
  extension: Extension;
  /** `GET /admin/cache` and `DELETE /admin/cache`, for the endpoint table. */
  endpoints: Array<[string, EndpointSpec]>;
  close(): void;
}

export interface GatewayCacheOptions {
  store?: CacheStore;
  embedder?: Embedder;
  warn?: (message: string, detail: Record<string, unknown>) => void;
  /** How often expired entries are swept from memory (reads drop them anyway). Default 60 s. */
  sweepMs?: number;
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

export function createGatewayCache(snapshot: Snapshot, o: GatewayCacheOptions = {}): GatewayCache {
  const store = o.store ?? new MemoryCacheStore({ maxBytes: snapshot.cache.maxBytes, maxEntryBytes: snapshot.cache.maxEntryBytes });
  // A route embedder (`cache.embedder: <route>`) needs the gateway's own embeddings pipeline;
  // until that is wired (see docs/cache.md), the local embedder serves every route.
  const embedder = o.embedder ?? new HashedNgramEmbedder();
  const cache = new ResponseCache({ store, embedder, ...(o.warn ? { warn: o.warn } : {}) });
  const sweep = store instanceof MemoryCacheStore ? setInterval(() => store.sweep(), o.sweepMs ?? 60_000) : undefined;
  sweep?.unref();
  return {
    cache,
    extension: cacheExtension(cache),
    endpoints: [
      ['GET /admin/cache', adminEndpoint(cache, 'GET')],
      ['DELETE /admin/cache', adminEndpoint(cache, 'DELETE')],
    ],
    close: () => clearInterval(sweep),
  };
}
