// `modelplane migrate --config FILE`: applies the Postgres schema cluster mode needs
// (src/cluster/migrations.ts). Safe to run again and from several places at once: each migration
// is applied once, under an advisory lock, and only ever adds.
import { resolve } from 'node:path';
import { loadSnapshotFromFile } from '../config/load.js';
import { UsageError } from './args.js';
import { redact } from '../cluster/pg-pool.js';

export async function runMigrate(config: string): Promise<number> {
  const snapshot = loadSnapshotFromFile(resolve(config));
  if (!snapshot.cluster) throw new UsageError(`modelplane migrate: ${config} is not in cluster mode; migrate applies the Postgres schema of \`storage.postgres\` (with \`cluster.redis\`, docs/scaling.md)`);
  const { createPgPool } = await import('../cluster/pg-pool.js');
  const { migrate, schemaVersion, REQUIRED_SCHEMA_VERSION } = await import('../cluster/migrations.js');
  const pool = createPgPool(snapshot.cluster);
  try {
    const before = await schemaVersion(pool);
    const applied = await migrate(pool);
    const after = await schemaVersion(pool);
    const what = applied.length === 0 ? 'already up to date' : `applied ${applied.map((v) => `#${v}`).join(', ')}`;
    process.stdout.write(`modelplane migrate: schema version ${before} -> ${after} (${what}; this build needs ${REQUIRED_SCHEMA_VERSION})\n`);
    return 0;
  } catch (e) {
    throw new Error(`migrate: cannot apply the schema to ${redact(snapshot.cluster.postgres.url)}: ${(e as Error).message}`);
  } finally {
    await pool.end().catch(() => {});
  }
}
