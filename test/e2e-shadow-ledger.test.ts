// Shadow spend in the spend ledger, as the gateway ships it (defaultExtensions): every mirror is a
// ledger row of endpoint `shadow`, attributed to the key and team whose request was mirrored, and
// no budget counts it, neither live nor when the budgets are rebuilt from the ledger at start-up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startGateway, type Gateway } from '../src/server/app.js';
import { LEDGER_DB_FILE, SqliteLedgerStore } from '../src/store/sqlite-ledger-store.js';
import { startKnowledgeServer } from '../testkit/knowledge.js';
import { captureLogger } from './harness.js';
import { FACTS, QUESTIONS, substitutionConfig } from './substitution-kit.js';

const ADMIN = 'sk-shadow-ledger';
const BOT = `mp-${'b'.repeat(32)}`;

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  // Mirrors finish after their primaries by design; wait for the gateway to say so.
  for (let i = 0; i < 500; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function teamSpent(gw: Gateway): Promise<number> {
  const res = await fetch(`${gw.url}/admin/budgets`, { headers: { authorization: `Bearer ${ADMIN}` } });
  const body = (await res.json()) as { budgets: Array<{ budget: string; spent_usd: number }> };
  return body.budgets.find((b) => b.budget === 'team:support')!.spent_usd;
}

test('shadow spend is a ledger row attributed to the caller, and on no budget of theirs', async () => {
  const ks = await startKnowledgeServer(FACTS, { good: {}, cheap: {} });
  const dir = mkdtempSync(join(tmpdir(), 'mp-shadow-ledger-'));
  const configFile = join(dir, 'gateway.yaml');
  writeFileSync(
    configFile,
    `auth: { master_key: ${ADMIN}, admin_key: ${ADMIN} }
storage: { data_dir: ./state }
teams: { support: { budget: 10/day } }
keys: { bot: { key: ${BOT}, team: support } }
${substitutionConfig(ks.url, '  qa: { targets: [incumbent], shadow: { targets: [candidate], sample: 1 } }')}`,
  );
  try {
    await scenario(configFile, dir);
  } finally {
    await ks.close();
  }
});

async function scenario(configFile: string, dir: string): Promise<void> {
  const n = 4;
  let gw = await startGateway({ configFile, port: 0, logger: captureLogger([]), env: {} });
  let live: number;
  try {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: BOT, maxRetries: 0 });
    for (const q of QUESTIONS.slice(0, n)) await client.chat.completions.create({ model: 'qa', messages: [{ role: 'user', content: q }] });
    await until('the mirrors', async () => {
      const v = (await (await fetch(`${gw.url}/admin/shadow?route=qa`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { routes: Array<{ pairs: number }> };
      return v.routes[0]?.pairs === n ? true : undefined;
    });
    // A window over the stored pairs (`shadow report --since`): all of them, then none.
    const windowed = async (since: number) => ((await (await fetch(`${gw.url}/admin/shadow?route=qa&since=${since}`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { routes: Array<{ pairs: number }> }).routes;
    assert.equal((await windowed(Date.now() - 3_600_000))[0]!.pairs, n);
    assert.deepEqual(await windowed(Date.now() + 3_600_000), []);
    const bad = await fetch(`${gw.url}/admin/shadow?since=yesterday`, { headers: { authorization: `Bearer ${ADMIN}` } });
    assert.equal(bad.status, 400);
    live = await teamSpent(gw);
    assert.ok(live > 0);
  } finally {
    await gw.close();
  }
  const ledger = new SqliteLedgerStore(join(dir, 'state', LEDGER_DB_FILE));
  try {
    const rows = [...ledger.records({})];
    const traffic = rows.filter((r) => r.endpoint === 'chat');
    const shadow = rows.filter((r) => r.endpoint === 'shadow');
    assert.equal(traffic.length, n);
    assert.equal(shadow.length, n, 'one shadow row per mirror');
    for (const s of shadow) {
      assert.equal(s.keyId, 'cfg_bot');
      assert.equal(s.team, 'support');
      assert.equal(s.deployment, 'candidate');
      assert.equal(s.model, 'cheap');
      assert.equal(s.route, 'qa');
      assert.ok(s.costUsd > 0 && s.outputTokens > 0);
      assert.ok(traffic.some((t) => t.requestId === s.requestId), 'the row names the mirrored request');
    }
    const trafficUsd = traffic.reduce((a, r) => a + r.costUsd, 0);
    const shadowUsd = shadow.reduce((a, r) => a + r.costUsd, 0);
    assert.ok(Math.abs(live - trafficUsd) < 1e-6, `the live budget counted ${live}, the traffic cost ${trafficUsd}`);
    // Budget totals leave shadow spend out; a spend report shows it (it is real money).
    assert.ok(Math.abs(ledger.totalsSince(0).team.get('support')! - trafficUsd) < 1e-9);
    assert.ok(Math.abs(ledger.spentSince({ column: 'key', value: 'cfg_bot' }, 0) - trafficUsd) < 1e-9);
    const byDeployment = ledger.spend({ groupBy: 'deployment' });
    assert.ok(Math.abs(byDeployment.find((r) => r.value === 'candidate')!.costUsd - shadowUsd) < 1e-9);
  } finally {
    ledger.close();
  }
  // A restart rebuilds the team's budget from the ledger: still without the shadow rows.
  gw = await startGateway({ configFile, port: 0, logger: captureLogger([]), env: {} });
  try {
    assert.ok(Math.abs((await teamSpent(gw)) - live) < 1e-6);
  } finally {
    await gw.close();
  }
}
