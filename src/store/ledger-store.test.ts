import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerWriter } from '../governance/ledger.js';
import type { LedgerRecord } from './ledger-store.js';
import { SqliteLedgerStore } from './sqlite-ledger-store.js';

const rec = (over: Partial<LedgerRecord>): LedgerRecord => ({
  ts: 1_000, requestId: 'r', inputTokens: 10, outputTokens: 5, cachedTokens: 0, reasoningTokens: 0, costUsd: 0.01, status: 200, attempts: 1, latencyMs: 12, ...over,
});

test('spend groups, filters by time and team, and orders by cost', () => {
  const s = new SqliteLedgerStore(':memory:');
  s.append([
    rec({ requestId: 'a', agent: 'triage', team: 'support', costUsd: 0.5, ts: 2_000 }),
    rec({ requestId: 'b', agent: 'triage', team: 'support', costUsd: 0.25, ts: 3_000, status: 502, errorCode: 'upstream_error' }),
    rec({ requestId: 'c', agent: 'writer', team: 'sales', costUsd: 1, ts: 3_000 }),
    rec({ requestId: 'd', team: 'support', costUsd: 0.1, ts: 500 }),
  ]);
  const all = s.spend({ groupBy: 'agent' });
  assert.deepEqual(all.map((r) => [r.value, r.requests, r.costUsd]), [['writer', 1, 1], ['triage', 2, 0.75], [null, 1, 0.1]]);
  assert.equal(all[1]!.errors, 1);
  assert.deepEqual(s.spend({ groupBy: 'agent', sinceMs: 1_000, team: 'support' }).map((r) => [r.value, r.inputTokens, r.outputTokens]), [['triage', 20, 10]]);
  assert.equal(s.spentSince({ column: 'team', value: 'support' }, 1_000), 0.75);
  assert.equal(s.spentSince({ column: 'global' }, 0), 1.85);
  assert.equal(s.spentSince({ column: 'key', value: 'nobody' }, 0), 0);
  const t = s.totalsSince(1_000);
  assert.equal(t.team.get('support'), 0.75);
  assert.equal(t.agent.get('triage'), 0.75);
  assert.equal(t.team.get('sales'), 1);
  assert.ok(Math.abs(t.global - 1.75) < 1e-12);
  assert.deepEqual([...s.records({ sinceMs: 2_500 })].map((r) => r.requestId), ['b', 'c']);
  assert.equal([...s.records({})][1]!.errorCode, undefined);
  assert.equal(s.prune(1_000), 1);
  assert.equal(s.count(), 3);
  s.close();
});

test('the writer batches behind and a flush writes everything, once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-ledger-'));
  try {
    const store = new SqliteLedgerStore(join(dir, 'l.sqlite'));
    const w = new LedgerWriter(store);
    for (let i = 0; i < 10; i++) w.record(rec({ requestId: `r${i}` }));
    assert.equal(store.count(), 0, 'nothing written on the recording path');
    await w.flushed();
    assert.equal(store.count(), 10);
    w.record(rec({ requestId: 'last' }));
    w.close();
    w.record(rec({ requestId: 'after-close' }));
    assert.equal(store.count(), 11, 'close flushes; records after close are ignored');
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a ledger file from before cache_saved_usd gains the column and keeps its rows', async () => {
  const { default: Database } = await import('better-sqlite3');
  const dir = mkdtempSync(join(tmpdir(), 'mp-ledger-mig-'));
  try {
    const path = join(dir, 'ledger.sqlite');
    const old = new Database(path);
    old.exec(`CREATE TABLE ledger (ts INTEGER NOT NULL, request_id TEXT NOT NULL, key_id TEXT, team TEXT, customer TEXT, agent TEXT, workflow TEXT,
      route TEXT, request_class TEXT, deployment TEXT, provider TEXT, model TEXT, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
      cached_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL, cost_usd REAL NOT NULL, status INTEGER NOT NULL, error_code TEXT,
      attempts INTEGER NOT NULL, latency_ms REAL NOT NULL, ttft_ms REAL, cache TEXT, endpoint TEXT)`);
    old.prepare('INSERT INTO ledger (ts, request_id, input_tokens, output_tokens, cached_tokens, reasoning_tokens, cost_usd, status, attempts, latency_ms) VALUES (1, ?, 1, 1, 0, 0, 0.5, 200, 1, 1)').run('old');
    old.close();
    const s = new SqliteLedgerStore(path);
    s.append([rec({ requestId: 'hit', costUsd: 0, cache: 'hit-exact', cacheSavedUsd: 0.02, ts: 2 })]);
    const rows = [...s.records({})];
    s.close();
    assert.deepEqual(rows.map((r) => [r.requestId, r.cacheSavedUsd]), [['old', undefined], ['hit', 0.02]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
