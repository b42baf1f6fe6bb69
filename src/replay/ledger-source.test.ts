import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSubstitutionCli } from '../cli/substitution.js';
import type { LedgerRecord } from '../store/ledger-store.js';
import { LEDGER_DB_FILE, SqliteLedgerStore } from '../store/sqlite-ledger-store.js';
import { LedgerReplaySource, recordFromLedger } from './ledger-source.js';
import type { ReplayRecord } from './source.js';

const row = (over: Partial<LedgerRecord>): LedgerRecord => ({
  ts: Date.now(), requestId: 'r', route: 'chat', deployment: 'big', endpoint: 'chat', inputTokens: 1_000_000, outputTokens: 1_000_000, cachedTokens: 0, reasoningTokens: 0, costUsd: 40, status: 200, attempts: 1, latencyMs: 5, ...over,
});

test('ledger rows become replay records; shadow rows and unrouted rows do not', async () => {
  assert.deepEqual(recordFromLedger(row({ requestId: 'a', team: 't', requestClass: 'long', cachedTokens: 10, cache: 'miss', ts: 7 })), {
    at: 7, requestId: 'a', route: 'chat', status: 200, tokensIn: 1_000_000, tokensOut: 1_000_000, costUsd: 40, tokensCacheRead: 10, className: 'long', deployment: 'big', cache: 'miss', team: 't',
  });
  assert.equal(recordFromLedger(row({ endpoint: 'shadow' })), undefined);
  assert.equal(recordFromLedger(row({ endpoint: 'shadow-judge' })), undefined);
  const { route: _r, ...unrouted } = row({});
  assert.equal(recordFromLedger(unrouted), undefined);
  const store = new SqliteLedgerStore(':memory:');
  store.append([row({ requestId: 'a', ts: 10 }), row({ requestId: 'b', ts: 20, route: 'other' }), row({ requestId: 'c', ts: 30, endpoint: 'shadow' }), row({ requestId: 'd', ts: 40 })]);
  const got: ReplayRecord[] = [];
  for await (const r of new LedgerReplaySource(store).records({ since: 15, route: 'chat' })) got.push(r);
  assert.deepEqual(got.map((r) => r.requestId), ['d']);
  store.close();
});

test('modelplane replay --config reads the ledger under its data_dir; flag mistakes are one line and exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-replay-ledger-'));
  const deployments = `
providers: { p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, api_key: \${NOT_IN_THIS_SHELL} } }
deployments:
  big: { provider: p, model: m-big, price: { input: 10, output: 30 } }
  small: { provider: p, model: m-small, price: { input: 1, output: 2 } }
`;
  writeFileSync(join(dir, 'current.yaml'), `storage: { data_dir: ./state }\n${deployments}routes: { chat: { targets: [big] } }\n`);
  writeFileSync(join(dir, 'new.yaml'), `${deployments}routes: { chat: { targets: [small] } }\n`);
  const out: string[] = [];
  const io = { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s), env: {} };
  assert.equal(await runSubstitutionCli('replay', ['--policy', join(dir, 'new.yaml'), '--config', join(dir, 'current.yaml')], io), 2);
  assert.match(out.join(''), /no spend ledger at .*ledger\.sqlite/);
  const store = new SqliteLedgerStore(join(dir, 'state', LEDGER_DB_FILE));
  store.append([row({ requestId: 'a', team: 'support' }), row({ requestId: 'a', endpoint: 'shadow', deployment: 'small', costUsd: 3 }), row({ requestId: 'b', ts: Date.now() - 40 * 86_400_000 })]);
  store.close();
  out.length = 0;
  assert.equal(await runSubstitutionCli('replay', ['--policy', join(dir, 'new.yaml'), '--config', join(dir, 'current.yaml'), '--since', '30d', '--format', 'json'], io), 0, out.join(''));
  const report = JSON.parse(out.join('')) as { source: string; records: number; total: { actualUsd: number; replayUsd: number }; teams: Array<{ key: string }> };
  assert.equal(report.source, 'the spend ledger');
  assert.equal(report.records, 1, 'the shadow row and the old row are left out');
  assert.equal(report.total.actualUsd, 40);
  assert.equal(report.total.replayUsd, 3);
  assert.deepEqual(report.teams.map((t) => t.key), ['support']);
  out.length = 0;
  assert.equal(await runSubstitutionCli('replay', ['--polcy', 'x.yaml'], io), 2);
  assert.match(out.join(''), /^modelplane replay: unknown flag --polcy; did you mean --policy\?/);
  out.length = 0;
  assert.equal(await runSubstitutionCli('replay', ['--help'], io), 0);
  assert.match(out.join(''), /usage: modelplane replay --policy/);
  out.length = 0;
  assert.equal(await runSubstitutionCli('promote', ['statsu'], io), 2);
  assert.match(out.join(''), /unknown subcommand "statsu"/);
  out.length = 0;
  assert.equal(await runSubstitutionCli('shadow', ['report', '--rout', 'qa'], io), 2);
  assert.match(out.join(''), /did you mean --route\?/);
});
