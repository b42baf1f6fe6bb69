import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { GROUP_BY, type LedgerRecord, type SpendRow } from './ledger-store.js';
import { DAY_MS, splitRange } from './ledger-rollup.js';
import { SqliteLedgerStore } from './sqlite-ledger-store.js';

// A seeded generator: the same records every run.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const START = Date.UTC(2026, 4, 1);
function records(n: number): LedgerRecord[] {
  const r = rng(42);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  const out: LedgerRecord[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      ts: START + Math.floor(r() * 40 * DAY_MS), requestId: `r${i}`, keyId: pick(['key_a', 'key_b', undefined]), team: pick(['support', 'sales', undefined]),
      customer: pick(['acme', 'globex', undefined]), agent: pick(['triage', undefined]), workflow: pick(['wf1', 'wf2', undefined]), route: pick(['chat', 'code']),
      deployment: pick(['d1', 'd2', undefined]), provider: pick(['p1', undefined]), model: pick(['m1', 'm2']),
      inputTokens: Math.floor(r() * 1000), outputTokens: Math.floor(r() * 500), cachedTokens: 0, reasoningTokens: 0,
      costUsd: Math.round(r() * 1e6) / 1e8, status: r() < 0.1 ? 502 : 200, attempts: 1, latencyMs: 10,
    });
  }
  return out;
}

const COLUMN_FIELD = { agent: 'agent', workflow: 'workflow', customer: 'customer', team: 'team', key: 'keyId', route: 'route', deployment: 'deployment', provider: 'provider', model: 'model' } as const;

/** The report straight from the records, in JS: what the roll-up must reproduce. */
function expected(rows: readonly LedgerRecord[], by: (typeof GROUP_BY)[number], since: number, until: number, team?: string): Map<string | null, SpendRow> {
  const m = new Map<string | null, SpendRow>();
  for (const r of rows) {
    if (r.ts < since || r.ts >= until || (team !== undefined && r.team !== team)) continue;
    const v = (r[COLUMN_FIELD[by]] as string | undefined) ?? null;
    const g = m.get(v) ?? { value: v, requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
    g.requests++;
    if (r.status >= 400) g.errors++;
    g.inputTokens += r.inputTokens;
    g.outputTokens += r.outputTokens;
    g.costUsd += r.costUsd;
    m.set(v, g);
  }
  return m;
}

function assertSame(got: SpendRow[], want: Map<string | null, SpendRow>, what: string): void {
  assert.equal(got.length, want.size, `${what}: groups`);
  for (const g of got) {
    const w = want.get(g.value)!;
    assert.ok(w, `${what}: unexpected group ${g.value}`);
    assert.deepEqual([g.requests, g.errors, g.inputTokens, g.outputTokens], [w.requests, w.errors, w.inputTokens, w.outputTokens], `${what} ${g.value}`);
    assert.ok(Math.abs(g.costUsd - w.costUsd) < 1e-9, `${what} ${g.value}: $${g.costUsd} vs $${w.costUsd}`);
  }
}

test('splitRange: whole days from the roll-up, partial edges from the raw rows', () => {
  assert.deepEqual(splitRange(DAY_MS + 5, 3 * DAY_MS + 7), { raw: [[DAY_MS + 5, 2 * DAY_MS], [3 * DAY_MS, 3 * DAY_MS + 7]], days: [2 * DAY_MS, 3 * DAY_MS] });
  assert.deepEqual(splitRange(2 * DAY_MS, undefined), { raw: [], days: [2 * DAY_MS, Number.MAX_SAFE_INTEGER] });
  assert.deepEqual(splitRange(DAY_MS + 5, DAY_MS + 9), { raw: [[DAY_MS + 5, DAY_MS + 9]] }, 'inside one day: raw only');
});

test('the daily roll-up gives the raw sums for every group-by, range and filter, after a prune and when rebuilt for an old ledger', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-rollup-'));
  try {
    const file = join(dir, 'ledger.sqlite');
    let s = new SqliteLedgerStore(file);
    let all = records(4000);
    for (let i = 0; i < all.length; i += 300) s.append(all.slice(i, i + 300));
    const r = rng(7);
    const check = (label: string) => {
      for (let q = 0; q < 12; q++) {
        const since = START + Math.floor(r() * 42 * DAY_MS) - DAY_MS;
        const until = r() < 0.5 ? undefined : since + Math.floor(r() * 20 * DAY_MS);
        const by = GROUP_BY[q % GROUP_BY.length]!;
        const team = q % 3 === 0 ? 'support' : undefined;
        assertSame(s.spend({ groupBy: by, sinceMs: since, ...(until !== undefined ? { untilMs: until } : {}), ...(team ? { team } : {}) }), expected(all, by, since, until ?? Infinity, team), `${label} ${by} ${since}-${until}`);
        const totals = s.totalsSince(since);
        const rawGlobal = all.filter((x) => x.ts >= since).reduce((a, x) => a + x.costUsd, 0);
        assert.ok(Math.abs(totals.global - rawGlobal) < 1e-9, `${label}: global since ${since}`);
        const rawTeam = all.filter((x) => x.ts >= since && x.team === 'sales').reduce((a, x) => a + x.costUsd, 0);
        assert.ok(Math.abs((totals.team.get('sales') ?? 0) - rawTeam) < 1e-9, `${label}: team since ${since}`);
      }
    };
    check('fresh');
    const cut = START + 10 * DAY_MS + 12_345;
    assert.equal(s.prune(cut), all.filter((x) => x.ts < cut).length);
    all = all.filter((x) => x.ts >= cut);
    check('pruned');
    s.close();
    // An old ledger (before the roll-up existed): the table is rebuilt from the raw rows on open.
    const db = new Database(file);
    db.exec('DROP TABLE ledger_daily');
    db.close();
    s = new SqliteLedgerStore(file);
    check('rebuilt');
    s.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
