// The stores a running gateway writes, opened from the same config file for the eval and replay
// commands: the capture store (substitution.db) and the spend ledger. Like the tenant commands,
// the config is read without its secrets (an operator's shell rarely has every provider key).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadSnapshotFromFile } from '../config/load.js';
import type { Snapshot } from '../config/snapshot.js';
import { SqliteCaptureStore } from '../evals/capture-store.js';
import { SUBSTITUTION_DB } from '../shadow/data-dir.js';
import { SqliteShadowStore, type OutputObservation } from '../shadow/store.js';
import { resolveDataDir } from '../store/data-dir.js';
import { LEDGER_DB_FILE, SqliteLedgerStore } from '../store/sqlite-ledger-store.js';
import { UsageError } from './args.js';

const PLACEHOLDER = `mp-${'x'.repeat(32)}`;

export function loadConfigWithoutSecrets(configFile: string, env: NodeJS.ProcessEnv): Snapshot {
  const lenient = new Proxy(env, { get: (t, k) => (typeof k === 'string' ? t[k] ?? PLACEHOLDER : undefined) });
  return loadSnapshotFromFile(resolve(configFile), { env: lenient });
}

function dataDir(command: string, configFile: string, snapshot: Snapshot): string {
  const dir = resolveDataDir(snapshot.storage, resolve(configFile));
  if (dir === undefined || dir === ':memory:') throw new UsageError(`modelplane ${command}: storage.data_dir of ${configFile} is ":memory:": there is no store to read`);
  return dir;
}

/** The capture store under the config's data_dir; a UsageError when the gateway never wrote one. */
export function openCaptureStore(command: string, configFile: string, snapshot: Snapshot): SqliteCaptureStore {
  const file = join(dataDir(command, configFile, snapshot), SUBSTITUTION_DB);
  if (!existsSync(file)) throw new UsageError(`modelplane ${command}: no capture store at ${file} (has the gateway run with a route \`capture:\`?)`);
  return new SqliteCaptureStore(file);
}

export function openLedger(command: string, configFile: string, snapshot: Snapshot): SqliteLedgerStore {
  const file = join(dataDir(command, configFile, snapshot), LEDGER_DB_FILE);
  if (!existsSync(file)) throw new UsageError(`modelplane ${command}: no spend ledger at ${file} (has the gateway run with this config?)`);
  return new SqliteLedgerStore(file);
}

/** Shadow pairs' output tokens per route and pair of deployments; none when the gateway stored no pairs. */
export async function readOutputObservations(configFile: string, snapshot: Snapshot, since?: number): Promise<OutputObservation[]> {
  const dir = resolveDataDir(snapshot.storage, resolve(configFile));
  const file = dir === undefined || dir === ':memory:' ? undefined : join(dir, SUBSTITUTION_DB);
  if (file === undefined || !existsSync(file)) return [];
  const store = new SqliteShadowStore(file);
  try {
    return store.outputObservations(since);
  } finally {
    await store.close();
  }
}
