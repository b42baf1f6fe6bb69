// Picks the responses store implementation from configuration. startGateway creates one per
// gateway and closes it on shutdown (closing flushes the pending writes).
import { join } from 'node:path';
import { MemoryResponsesStore } from './memory-responses-store.js';
import type { ResponsesStore } from './responses-store.js';
import { SqliteResponsesStore, type ResponsesDurability } from './sqlite-responses-store.js';

export const DEFAULT_DATA_DIR = '.modelplane';
export const RESPONSES_DB_FILE = 'responses.sqlite';

export interface ResponsesStoreConfig {
  /** `sqlite` (default) persists under `dataDir`; `memory` keeps an LRU only. */
  backend?: 'sqlite' | 'memory';
  /** Directory for the SQLite file (default `.modelplane`), or `:memory:` for a throwaway database. */
  dataDir?: string;
  /** In-memory entries (the whole store for `memory`, the hot cache for `sqlite`). */
  cacheEntries?: number;
  /** `sqlite` only: how long an acknowledged record may wait in memory before it is written. */
  writeBehindMs?: number;
  /** `sqlite` only: `strict` writes each record before its response completes. */
  durability?: ResponsesDurability;
  onError?: (err: unknown, lost: number) => void;
}

export function createResponsesStore(cfg: ResponsesStoreConfig = {}): ResponsesStore {
  if (cfg.backend === 'memory') return new MemoryResponsesStore(cfg.cacheEntries === undefined ? {} : { entries: cfg.cacheEntries });
  const dir = cfg.dataDir ?? DEFAULT_DATA_DIR;
  const opts: ConstructorParameters<typeof SqliteResponsesStore>[0] = { path: dir === ':memory:' ? ':memory:' : join(dir, RESPONSES_DB_FILE) };
  if (cfg.cacheEntries !== undefined) opts.cacheEntries = cfg.cacheEntries;
  if (cfg.onError !== undefined) opts.onError = cfg.onError;
  if (cfg.writeBehindMs !== undefined) opts.flushIntervalMs = cfg.writeBehindMs;
  if (cfg.durability !== undefined) opts.durability = cfg.durability;
  return new SqliteResponsesStore(opts);
}
