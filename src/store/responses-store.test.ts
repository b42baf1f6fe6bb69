import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createResponsesStore, RESPONSES_DB_FILE } from './create-responses-store.js';
import { MemoryResponsesStore } from './memory-responses-store.js';
import { runResponsesStoreSuite, stored } from './responses-store.suite.js';
import { SqliteResponsesStore } from './sqlite-responses-store.js';

runResponsesStoreSuite({ name: 'memory', create: () => new MemoryResponsesStore({ entries: 1000 }) });
runResponsesStoreSuite({ name: 'sqlite :memory:', create: () => new SqliteResponsesStore({ path: ':memory:', cacheEntries: 1000 }) });
// A tiny cache and a fast flush: most reads after a pause go through to SQLite, so the suite covers the disk path.
runResponsesStoreSuite({ name: 'sqlite file, cache of 2', create: () => new SqliteResponsesStore({ path: join(tempDir(), 'r.sqlite'), cacheEntries: 2, flushIntervalMs: 1 }) });

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'mp-responses-'));
  dirs.push(d);
  return d;
}
process.on('exit', () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function rowCount(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM responses').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

test('memory: the least recently used response is evicted beyond capacity', async () => {
  const store = new MemoryResponsesStore({ entries: 2 });
  store.put(stored('resp_a'));
  store.put(stored('resp_b'));
  await store.get('resp_a'); // a is now the most recently used
  store.put(stored('resp_c'));
  assert.ok(await store.get('resp_a'));
  assert.equal(await store.get('resp_b'), undefined);
  assert.ok(await store.get('resp_c'));
});

test('sqlite: writes are behind (not in the file until the batch flushes), then durable across reopen', async () => {
  const path = join(tempDir(), 'nested', 'dir', 'r.sqlite');
  const store = new SqliteResponsesStore({ path, flushIntervalMs: 60_000 });
  store.put(stored('resp_a'));
  store.put(stored('resp_b'));
  assert.equal(rowCount(path), 0, 'put does not touch the disk');
  assert.ok(await store.get('resp_a'), 'but the response is readable at once');
  assert.equal(store.flush(), 2, 'one batch of two');
  assert.equal(rowCount(path), 2);
  store.put(stored('resp_c'));
  store.close(); // flushes
  const reopened = new SqliteResponsesStore({ path });
  try {
    assert.deepEqual(await reopened.get('resp_c'), stored('resp_c'));
    assert.deepEqual(await reopened.get('resp_a'), stored('resp_a'));
  } finally {
    reopened.close();
  }
});

test('sqlite: the timer flushes on its own, in WAL mode', async () => {
  const path = join(tempDir(), 'r.sqlite');
  const store = new SqliteResponsesStore({ path, flushIntervalMs: 5 });
  try {
    store.put(stored('resp_a'));
    assert.equal(rowCount(path), 0, 'written behind, not on put');
    // flushed() waits for the store's own timer (it forces nothing).
    await store.flushed();
    assert.equal(rowCount(path), 1);
    const db = new Database(path, { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
  } finally {
    store.close();
  }
});

test('sqlite: a full batch is written without waiting for the timer', async () => {
  const path = join(tempDir(), 'r.sqlite');
  const store = new SqliteResponsesStore({ path, flushIntervalMs: 60_000, batchSize: 10 });
  try {
    for (let i = 0; i < 10; i++) store.put(stored(`resp_${i}`));
    // With a 60 s timer, only the full batch can have settled this.
    await store.flushed();
    assert.equal(rowCount(path), 10);
  } finally {
    store.close();
  }
});

test('sqlite: a response evicted from memory is read through from disk, and one not yet flushed is still found', async () => {
  const path = join(tempDir(), 'r.sqlite');
  const store = new SqliteResponsesStore({ path, cacheEntries: 1, flushIntervalMs: 60_000 });
  try {
    store.put(stored('resp_a'));
    store.put(stored('resp_b')); // evicts a from the LRU; a is only in the pending batch
    assert.deepEqual(await store.get('resp_a'), stored('resp_a'));
    store.flush();
    store.put(stored('resp_c')); // evicts whatever is cached
    assert.deepEqual(await store.get('resp_b'), stored('resp_b'), 'read through from SQLite');
  } finally {
    store.close();
  }
});

test('sqlite: a failed batch is reported, not thrown at a request', () => {
  const reported: number[] = [];
  const store = new SqliteResponsesStore({ path: ':memory:', flushIntervalMs: 60_000, onError: (_e, lost) => reported.push(lost) });
  store.put({ ...stored('resp_a'), createdAt: null as unknown as number }); // violates NOT NULL
  assert.equal(store.flush(), 0);
  assert.deepEqual(reported, [1]);
  store.close();
});

test('createResponsesStore: sqlite under the data dir by default, memory on request', async () => {
  const dir = tempDir();
  const s = createResponsesStore({ dataDir: dir });
  assert.ok(s instanceof SqliteResponsesStore);
  s.put(stored('resp_a'));
  s.close();
  assert.equal(rowCount(join(dir, RESPONSES_DB_FILE)), 1);
  assert.ok(createResponsesStore({ backend: 'memory' }) instanceof MemoryResponsesStore);
  const m = createResponsesStore({ dataDir: ':memory:' });
  assert.ok(m instanceof SqliteResponsesStore);
  m.close();
});
