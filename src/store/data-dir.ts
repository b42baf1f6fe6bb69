// Where embedded SQLite files live: `storage.data_dir` (relative to the config file), defaulting
// to `.modelplane/` beside the config file; undefined (memory only) with neither. The gateway and
// the CLI resolve it the same way, so `modelplane keys …` finds the store `serve` uses.
import { dirname, join, resolve } from 'node:path';
import type { StorageSettings } from '../config/snapshot.js';

export const DEFAULT_DATA_DIR_NAME = '.modelplane';

export function resolveDataDir(storage: StorageSettings, configFile: string | undefined): string | undefined {
  const base = configFile ? dirname(configFile) : process.cwd();
  if (storage.dataDir === undefined) return configFile ? join(base, DEFAULT_DATA_DIR_NAME) : undefined;
  if (storage.dataDir === ':memory:') return ':memory:';
  return resolve(base, storage.dataDir);
}
