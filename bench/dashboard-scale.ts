// `node dist/bench/dashboard-scale.js [records] [keys]`: how long the dashboard takes to render
// at scale (issue 11: 1,000 keys and 1M ledger rows). Fills a data directory's ledger with
// `records` rows (default 1,000,000, over 30 days, 300 key ids, 10 teams, 50 agents, 20
// workflows, 200 customers), starts the gateway on it, creates `keys` keys (default 1,000)
// through the admin API, then in Debian's chromium (playwright-core) times sign-in to the first
// complete refresh (every panel drawn: KPIs, drill-down, movers, budgets, keys, tail), a
// drill-down click to the next level, and a refresh. Prints the figures; no assertions. Needs
// /usr/bin/chromium (CHROMIUM_PATH overrides).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../src/server/app.js';
import { SqliteLedgerStore, LEDGER_DB_FILE } from '../src/store/sqlite-ledger-store.js';
import type { LedgerRecord } from '../src/store/ledger-store.js';
import { createLogger } from '../src/telemetry/log.js';
import { startMockUpstream } from './mock-upstream.js';

const records = Number(process.argv[2] ?? 1_000_000);
const keys = Number(process.argv[3] ?? 1000);
const ADMIN = 'sk-scale-admin';
const dir = mkdtempSync(join(tmpdir(), 'mp-dashboard-scale-'));
const dataDir = join(dir, '.modelplane');
const ms = (t0: number) => `${Math.round(performance.now() - t0)} ms`;

try {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dataDir, { recursive: true });
  let t = performance.now();
  const store = new SqliteLedgerStore(join(dataDir, LEDGER_DB_FILE));
  const now = Date.now();
  const span = 30 * 86_400_000;
  const batch: LedgerRecord[] = [];
  for (let i = 0; i < records; i++) {
    batch.push({
      ts: now - Math.floor((i / records) * span), requestId: `r${i}`, keyId: `key_${i % 300}`, team: `team-${i % 10}`, customer: `c-${i % 200}`, agent: `agent-${i % 50}`,
      workflow: `wf-${i % 20}`, route: 'bench', deployment: 'a', provider: 'mock', model: 'bench-model',
      inputTokens: 500, outputTokens: 120, cachedTokens: 0, reasoningTokens: 0, costUsd: 0.0012, status: i % 50 === 0 ? 502 : 200, attempts: 1, latencyMs: 300,
    });
    if (batch.length === 10_000) store.append(batch.splice(0));
  }
  store.append(batch.splice(0));
  store.close();
  console.log(`ledger: ${records} records in ${ms(t)}`);

  const mock = await startMockUpstream(0);
  const addr = mock.address();
  const mockPort = typeof addr === 'object' && addr ? addr.port : 0;
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, [`auth: { admin_key: ${ADMIN}, master_key: sk-scale }`, 'providers:', `  mock: { format: openai-chat, base_url: http://127.0.0.1:${mockPort}/v1, auth: none }`, 'deployments:', '  a: { provider: mock, model: bench-model }', 'routes:', '  bench: { targets: [a] }', ''].join('\n'));
  const gw = await startGateway({ configFile: file, port: 0, logger: createLogger('silent'), env: {} });
  t = performance.now();
  for (let i = 0; i < keys; i++) {
    const r = await fetch(`${gw.url}/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: `key-${i}`, budget: { usd: 100, period: 'month' } }) });
    if (r.status !== 201) throw new Error(`POST /admin/keys: ${r.status} ${await r.text()}`);
  }
  console.log(`keys: ${keys} created through the admin API in ${ms(t)}`);

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 1500 } });
    await page.goto(`${gw.url}/dashboard`);
    await page.locator('#admin-key').fill(ADMIN);
    t = performance.now();
    await page.locator('#signin-form button[type=submit]').click();
    await page.locator('body[data-refreshed]').waitFor({ timeout: 600_000 });
    const keyRows = await page.locator('[data-testid=keys-table] tbody tr').count();
    console.log(`sign-in to every panel drawn: ${ms(t)} (keys table: ${keyRows} rows)`);
    t = performance.now();
    await page.locator('[data-testid=drill-team-team-3]').click();
    await page.locator('[data-testid=drill-up-1]').waitFor({ timeout: 600_000 });
    console.log(`drill-down team → keys (24 h): ${ms(t)}`);
    t = performance.now();
    await page.evaluate('window.modelplaneDashboard.refresh()');
    console.log(`a full refresh (every panel): ${ms(t)}`);
  } finally {
    await browser.close();
    await gw.close();
    mock.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
