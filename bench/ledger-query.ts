// `node dist/bench/ledger-query.js [N]`: how long `modelplane spend --by …` takes over a ledger of
// N records (default 1,000,000) spread over 30 days, 50 agents, 20 workflows, 200 customers, 10
// teams. Writes a temp SQLite file, prints one line per query, deletes the file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteLedgerStore } from '../src/store/sqlite-ledger-store.js';
import type { GroupBy, LedgerRecord } from '../src/store/ledger-store.js';

const n = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(join(tmpdir(), 'mp-ledger-bench-'));
try {
  const store = new SqliteLedgerStore(join(dir, 'ledger.sqlite'));
  const now = Date.now();
  const span = 30 * 86_400_000;
  let t = performance.now();
  const batch: LedgerRecord[] = [];
  for (let i = 0; i < n; i++) {
    batch.push({
      ts: now - Math.floor((i / n) * span), requestId: `r${i}`, keyId: `key_${i % 300}`, team: `team-${i % 10}`, customer: `c-${i % 200}`, agent: `agent-${i % 50}`,
      workflow: `wf-${i % 20}`, route: `route-${i % 8}`, deployment: `dep-${i % 12}`, provider: `p-${i % 5}`, model: `m-${i % 12}`,
      inputTokens: 500, outputTokens: 120, cachedTokens: 0, reasoningTokens: 0, costUsd: 0.0012, status: i % 50 === 0 ? 502 : 200, attempts: 1, latencyMs: 300,
    });
    if (batch.length === 10_000) store.append(batch.splice(0));
  }
  store.append(batch.splice(0));
  console.log(`inserted ${n} records in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const queries: Array<[GroupBy, number, string?]> = [['agent', 86_400_000], ['agent', 7 * 86_400_000], ['workflow', span], ['customer', 86_400_000, 'team-3'], ['key', span]];
  for (const [by, since, team] of queries) {
    t = performance.now();
    const rows = store.spend({ groupBy: by, sinceMs: now - since, ...(team ? { team } : {}) });
    console.log(`spend --by ${by} --since ${since / 86_400_000}d${team ? ` --team ${team}` : ''}: ${rows.length} rows in ${(performance.now() - t).toFixed(0)} ms`);
  }
  t = performance.now();
  const totals = store.totalsSince(now - span);
  console.log(`budget rebuild, every scope over 30 days in one scan: ${totals.key.size} keys, ${totals.team.size} teams, $${totals.global.toFixed(2)} in ${(performance.now() - t).toFixed(0)} ms`);
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
