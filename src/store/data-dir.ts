// Where embedded SQLite files live: `storage.data_dir` (relative to the config file), defaulting
// to `.modelplane/` beside the config file; undefined (memory only) with neither. The gateway and
// the CLI resolve it the same way, so `modelplane keys …` finds the store `serve` uses.
//
// A worker of `serve --workers N` gets `<data_dir>/worker-<slot>`: SQLite files are per process
// here (the ledger spool, shadow and capture stores, the router's decisions, the cache), and
// workers starting together on one file raced for its schema and WAL switch ("database is
// locked"), leaving a worker that never finished starting. The slot is stable, so a replacement
// worker finds what the one before it left.
import { dirname, join, resolve } from 'node:path';
import type { StorageSettings } from '../config/snapshot.js';
import { workerSlot } from '../cluster/workers.js';

export const DEFAULT_DATA_DIR_NAME = '.modelplane';

export function resolveDataDir(storage: StorageSettings, configFile: string | undefined): string | undefined {
  const dir = sharedDataDir(storage, configFile);
  const slot = workerSlot();
  return slot === undefined || dir === undefined || dir === ':memory:' ? dir : join(dir, `worker-${slot}`);
}

function sharedDataDir(storage: StorageSettings, configFile: string | undefined): string | undefined {
  const base = configFile ? dirname(configFile) : process.cwd();
  if (storage.dataDir === undefined) return configFile ? join(base, DEFAULT_DATA_DIR_NAME) : undefined;
  if (storage.dataDir === ':memory:') return ':memory:';
  return resolve(base, storage.dataDir);
}
