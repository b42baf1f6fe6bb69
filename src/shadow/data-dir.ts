// Where the substitution stores (shadow pairs, promotion state) keep their SQLite file: the same
// rule as the responses store (server/app.ts): `storage.data_dir` relative to the config file,
// `.modelplane/` beside the config file by default, memory only without a file or with `:memory:`.
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { StorageSettings } from '../config/snapshot.js';
import { DEFAULT_DATA_DIR } from '../store/create-responses-store.js';

export const SUBSTITUTION_DB = 'substitution.db';

/** The database file, or undefined for memory only. */
export function substitutionDbPath(storage: StorageSettings, configFile: string | undefined): string | undefined {
  if (storage.dataDir === ':memory:') return undefined;
  const base = configFile ? dirname(configFile) : process.cwd();
  const dir = storage.dataDir === undefined ? (configFile ? join(base, DEFAULT_DATA_DIR) : undefined) : resolve(base, storage.dataDir);
  if (dir === undefined) return undefined;
  mkdirSync(dir, { recursive: true });
  return join(dir, SUBSTITUTION_DB);
}
