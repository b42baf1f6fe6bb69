// The Postgres schema, as numbered migrations recorded in a plain `schema_migrations` table.
// Why not a migration tool: the schema is a handful of tables, every migration is additive
// (new tables, new nullable columns, new indexes: never a rename or a drop), so old and new
// gateway versions run side by side during a rolling upgrade; a tool would add dependencies and
// a second config for nothing we need. Each migration runs in its own transaction under an
// advisory lock, so two `modelplane migrate` runs (or two pods' init containers) cannot race.
//
// An instance needs at least REQUIRED_SCHEMA_VERSION; a newer schema is fine (additive).

import type { PgPool } from './pg-pool.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ledger, responses, tenants, audit',
    sql: `
      CREATE TABLE IF NOT EXISTS mp_ledger (
        entry_id text PRIMARY KEY,
        request_id text NOT NULL,
        ts bigint NOT NULL,
        key_id text, team text, customer text, agent text, workflow text, route text, request_class text,
        deployment text, provider text, model text,
        input_tokens integer NOT NULL, output_tokens integer NOT NULL, cached_tokens integer NOT NULL, reasoning_tokens integer NOT NULL,
        cost_usd double precision NOT NULL,
        status integer NOT NULL, error_code text, attempts integer NOT NULL, latency_ms double precision NOT NULL, ttft_ms double precision,
        cache text, endpoint text,
        settlement text NOT NULL DEFAULT 'settled',
        instance text,
        shipped_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX IF NOT EXISTS mp_ledger_ts ON mp_ledger (ts);
      CREATE INDEX IF NOT EXISTS mp_ledger_request ON mp_ledger (request_id);
      CREATE TABLE IF NOT EXISTS mp_responses (
        id text PRIMARY KEY,
        created_at bigint NOT NULL,
        body jsonb NOT NULL
      );
      CREATE INDEX IF NOT EXISTS mp_responses_created ON mp_responses (created_at);
      CREATE TABLE IF NOT EXISTS mp_tenants (
        kind text NOT NULL, id text NOT NULL, body jsonb NOT NULL, updated_at bigint NOT NULL,
        PRIMARY KEY (kind, id)
      );
      CREATE TABLE IF NOT EXISTS mp_audit (
        seq bigserial PRIMARY KEY, at bigint NOT NULL, actor text NOT NULL, action text NOT NULL,
        kind text NOT NULL, target text NOT NULL, before jsonb, after jsonb
      );
      CREATE INDEX IF NOT EXISTS mp_audit_at ON mp_audit (at);
      CREATE TABLE IF NOT EXISTS mp_meta (k text PRIMARY KEY, v bigint NOT NULL);
      INSERT INTO mp_meta (k, v) VALUES ('tenant_changes', 0) ON CONFLICT DO NOTHING;
    `,
  },
  {
    // What a cache hit saved (issue 10): additive, so instances of version 1 keep inserting.
    version: 2,
    name: 'ledger cache_saved_usd',
    sql: 'ALTER TABLE mp_ledger ADD COLUMN IF NOT EXISTS cache_saved_usd double precision',
  },
];

/** The schema this build of the gateway needs. */
export const REQUIRED_SCHEMA_VERSION = 2;

const LOCK_KEY = 727_017; // any constant: the advisory lock that serialises migrators

export async function schemaVersion(pool: PgPool): Promise<number> {
  const exists = await pool.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  if (exists.rows[0]?.t === null || exists.rows[0]?.t === undefined) return 0;
  const r = await pool.query<{ v: number | null }>('SELECT max(version)::int AS v FROM schema_migrations');
  return r.rows[0]?.v ?? 0;
}

/** Applies every migration newer than the schema; returns the versions applied. */
export async function migrate(pool: PgPool): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())');
    for (const m of MIGRATIONS) {
      await client.query('BEGIN');
      try {
        await client.query('SELECT pg_advisory_xact_lock($1)', [LOCK_KEY]);
        const done = await client.query('SELECT 1 FROM schema_migrations WHERE version = $1', [m.version]);
        if (done.rowCount === 0) {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
          applied.push(m.version);
        }
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${m.version} (${m.name}) failed: ${(e as Error).message}`);
      }
    }
  } finally {
    client.release();
  }
  return applied;
}

export class SchemaTooOldError extends Error {
  constructor(found: number, configFile: string | undefined) {
    const cmd = `modelplane migrate --config ${configFile ?? 'FILE'}`;
    super(`the Postgres schema is at version ${found}, this gateway needs ${REQUIRED_SCHEMA_VERSION}: run \`${cmd}\` first (migrations are additive: instances already running keep working)`);
    this.name = 'SchemaTooOldError';
  }
}

/** Refuses a schema older than this build needs (serve calls it before listening). */
export async function checkSchema(pool: PgPool, configFile?: string): Promise<void> {
  const v = await schemaVersion(pool);
  if (v < REQUIRED_SCHEMA_VERSION) throw new SchemaTooOldError(v, configFile);
}
