// The ledger spool against a real Postgres: a crash between the Postgres commit and the spool's
// delete duplicates nothing, a restart ships what the spool holds, Postgres down keeps records.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgres, type ManagedServer } from '../../testkit/cluster-servers.js';
import { createPgPool, type PgPool } from '../../src/cluster/pg-pool.js';
import { migrate } from '../../src/cluster/migrations.js';
import { SpooledLedgerStore } from '../../src/store/postgres-ledger-spool.js';
import { SqliteLedgerStore } from '../../src/store/sqlite-ledger-store.js';
import type { LedgerRecord } from '../../src/store/ledger-store.js';

let server: ManagedServer;
let pool: PgPool;
let dir: string;
before(async () => {
  server = await startPostgres();
  pool = createPgPool({ postgres: { url: server.url, pool: 2 } });
  await migrate(pool);
  dir = mkdtempSync(join(tmpdir(), 'mp-spool-'));
});
after(async () => {
  await pool.end();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const record = (id: string, i: number): LedgerRecord => ({ ts: 1_700_000_000_000 + i, requestId: id, inputTokens: 10 + i, outputTokens: 5, cachedTokens: 0, reasoningTokens: 0, costUsd: 0.001 * i, status: 200, attempts: 1, latencyMs: 3, route: 'chat' });

function open(name: string, spoolFile = join(dir, `${name}.spool`)): SpooledLedgerStore {
  return new SpooledLedgerStore({ local: new SqliteLedgerStore(':memory:'), spoolPath: spoolFile, pool, instance: name, intervalMs: 60_000 });
}

async function rowsFor(prefix: string): Promise<Array<{ request_id: string; input_tokens: number }>> {
  return (await pool.query<{ request_id: string; input_tokens: number }>('SELECT request_id, input_tokens FROM mp_ledger WHERE request_id LIKE $1 ORDER BY request_id', [`${prefix}%`])).rows;
}

test('a crash between the Postgres commit and the spool delete ships the batch again without a duplicate', async () => {
  const file = join(dir, 'crash.spool');
  const a = open('crash', file);
  a.append(Array.from({ length: 20 }, (_, i) => record(`crash-${String(i).padStart(2, '0')}`, i)));
  a.close();
  copyFileSync(file, `${file}.before-ship`);
  const b = open('crash', file);
  assert.equal(await b.drain(), 20);
  assert.equal(b.depth(), 0);
  b.close();
  // As if the process died after COMMIT and before DELETE: the spool still holds the batch.
  copyFileSync(`${file}.before-ship`, file);
  const c = open('crash', file);
  assert.equal(c.depth(), 20);
  await c.drain();
  assert.equal(c.depth(), 0);
  c.close();
  const rows = await rowsFor('crash-');
  assert.equal(rows.length, 20, 'each record once');
  assert.deepEqual(rows.map((r) => r.input_tokens), Array.from({ length: 20 }, (_, i) => 10 + i));
});

test('the same request id twice is two records (a client may reuse x-request-id; each call costs)', async () => {
  const s = open('dup');
  s.append([record('dup-x', 1), record('dup-x', 2)]);
  await s.drain();
  s.close();
  assert.equal((await rowsFor('dup-')).length, 2);
});

test('Postgres down: append keeps working, the spool holds the records, and drains once Postgres is back', async () => {
  const s = open('down');
  await server.stop();
  try {
    s.append([record('down-1', 1), record('down-2', 2)]);
    assert.equal(await s.drain(), 0);
    assert.equal(s.depth(), 2);
    assert.ok(s.lastError, 'the failure is reported');
    assert.equal(s.count(), 2, 'reads answer from the local ledger meanwhile');
  } finally {
    await server.start();
  }
  assert.equal(await s.drain(), 2);
  assert.equal(s.depth(), 0);
  s.close();
  assert.equal((await rowsFor('down-')).length, 2);
});

test('a restarted instance ships what its spool still holds, by itself', async () => {
  const file = join(dir, 'restart.spool');
  const a = open('restart', file);
  a.append([record('restart-1', 1), record('restart-2', 2), record('restart-3', 3)]);
  a.close();
  const b = new SpooledLedgerStore({ local: new SqliteLedgerStore(':memory:'), spoolPath: file, pool, instance: 'restart', intervalMs: 10 });
  try {
    for (let rows = await rowsFor('restart-'); rows.length < 3; rows = await rowsFor('restart-')) await new Promise((r) => setTimeout(r, 10));
    assert.equal((await rowsFor('restart-')).length, 3);
  } finally {
    b.close();
  }
});

test('an unsettled request (its instance died after admission) ships as unsettled_estimated with its estimate', async () => {
  const s = open('unsettled');
  s.append([record('unsettled-settled', 1)]);
  s.appendUnsettled([{ ...record('unsettled-lost', 2), status: 0, errorCode: 'unsettled', costUsd: 0.25 }]);
  // As the Redis admission store hands them over: through append(), marked by the error code.
  s.append([{ ...record('unsettled-lease', 3), status: 0, errorCode: 'unsettled_estimated', costUsd: 0.5 }]);
  await s.drain();
  s.close();
  const rows = (await pool.query<{ request_id: string; settlement: string; cost_usd: number }>("SELECT request_id, settlement, cost_usd FROM mp_ledger WHERE request_id LIKE 'unsettled-%' ORDER BY request_id")).rows;
  assert.deepEqual(rows, [
    { request_id: 'unsettled-lease', settlement: 'unsettled_estimated', cost_usd: 0.5 },
    { request_id: 'unsettled-lost', settlement: 'unsettled_estimated', cost_usd: 0.25 },
    { request_id: 'unsettled-settled', settlement: 'settled', cost_usd: 0.001 },
  ]);
});

test('a cache hit ships what it saved; budget totals from Postgres leave shadow rows out, as the embedded ledger does', async () => {
  const { clusterSpentSince } = await import('../../src/store/postgres-ledger.js');
  const s = open('saved');
  const base = { ...record('saved-0', 0), ts: 1_800_000_000_000, team: 'saved-team' };
  s.append([
    { ...base, requestId: 'saved-hit', costUsd: 0, cache: 'hit-exact', cacheSavedUsd: 0.25 },
    { ...base, requestId: 'saved-live', costUsd: 0.5 },
    { ...base, requestId: 'saved-shadow', costUsd: 2, endpoint: 'shadow' },
  ]);
  await s.drain();
  s.close();
  const hit = await pool.query<{ cache_saved_usd: number | null }>("SELECT cache_saved_usd FROM mp_ledger WHERE request_id = 'saved-hit'");
  assert.equal(hit.rows[0]?.cache_saved_usd, 0.25);
  assert.equal(await clusterSpentSince(pool, { column: 'team', value: 'saved-team' }, base.ts - 1), 0.5);
});
