import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashKey } from '../governance/keys.js';
import { ConfigError, loadSnapshotFromText } from './load.js';

const BASE = `
providers:
  local: { format: openai-chat, base_url: http://127.0.0.1:11434/v1, auth: none, jurisdiction: local, retention: none }
deployments:
  small: { provider: local, model: m, tier: small }
routes:
  support-chat: { targets: [small] }
`;
const KEY = `mp-${'k'.repeat(32)}`;

function problemsOf(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    loadSnapshotFromText(text, { env });
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

test('teams, keys, customers, policy and alerts compile; config keys are kept only as hashes', () => {
  const s = loadSnapshotFromText(
    `${BASE}
teams:
  support:
    budget: { usd: 500, period: month, soft: 0.9 }
    limits: { rpm: 600, tpm: 200000, concurrency: 20 }
    sensitivity: customer-data
keys:
  triage-bot: { key: \${TRIAGE_BOT_KEY}, team: support, agent: triage-bot, routes: [support-*], budget: 50/day }
  hashed: { key_hash: sha256:${'ab'.repeat(32)}, enabled: false }
customers:
  acme: { budget: 100/month }
policy:
  sensitivity:
    public: {}
    internal: { jurisdictions: [US, EU, local] }
    customer-data: { providers: [local], retention: [none, limited] }
  default: internal
budget: { usd: 1000, period: total, enforce: false }
alerts: { webhook: { url: https://hooks.example.com/x, secret: s, timeout: 2s } }
ledger: { write_behind: 50ms, retention_days: 30 }
`,
    { env: { TRIAGE_BOT_KEY: KEY } },
  );
  const t = s.tenants;
  assert.deepEqual(t.teams.get('support')!.budget, { usd: 500, period: 'month', soft: 0.9, enforce: true, onUnknownCost: 'reserve', cutoff: false });
  assert.deepEqual(t.teams.get('support')!.limits, { rpm: 600, tpm: 200000, concurrency: 20 });
  const bot = t.keys.find((k) => k.name === 'triage-bot')!;
  assert.equal(bot.hash, hashKey(KEY));
  assert.equal(bot.id, 'cfg_triage-bot');
  assert.deepEqual(bot.budget, { usd: 50, period: 'day', soft: 0.8, enforce: true, onUnknownCost: 'reserve', cutoff: false });
  assert.ok(!JSON.stringify(bot).includes(KEY), 'the key itself is not in the snapshot');
  assert.equal(t.keys.find((k) => k.name === 'hashed')!.enabled, false);
  assert.equal(t.customers.get('acme')!.budget!.usd, 100);
  assert.deepEqual(t.policy.tiers.map((x) => x.name), ['public', 'internal', 'customer-data']);
  assert.equal(t.policy.defaultTier, 'internal');
  assert.equal(t.globalBudget!.enforce, false);
  assert.deepEqual(t.alerts.webhook, { url: 'https://hooks.example.com/x', secret: 's', timeoutMs: 2000, retries: 5 });
  assert.deepEqual(t.ledger, { enabled: true, retentionDays: 30, writeBehindMs: 50 });
  assert.equal(s.providers.get('local')!.retention, 'none');
  assert.equal(s.providers.get('local')!.jurisdiction, 'local');
});

test('tenant config errors name their path', () => {
  const problems = problemsOf(`${BASE}
teams: { t: { sensitivity: nope } }
keys:
  a: { key: short, team: ghost }
  b: { team: t }
  c: { key_hash: sha256:xyz }
customers: { c1: { budget: lots } }
`);
  const text = problems.join('\n');
  assert.match(text, /keys\.b: a config key needs exactly one of `key` or `key_hash`/);
  assert.match(text, /keys\.c\.key_hash: expected sha256:/);
  assert.match(text, /customers\.c1\.budget/);
  const later = problemsOf(`${BASE}
teams: { t: { sensitivity: nope } }
keys:
  a: { key: short, team: ghost }
`).join('\n');
  assert.match(later, /teams\.t\.sensitivity: unknown sensitivity tier "nope"/);
  assert.match(later, /keys\.a\.team: unknown team "ghost"/);
  assert.match(later, /keys\.a\.key: expected mp- followed by at least 32/);
});

test('a config without tenants compiles to empty tenant settings', () => {
  const t = loadSnapshotFromText(BASE, { env: {} }).tenants;
  assert.equal(t.keys.length, 0);
  assert.equal(t.policy.tiers.length, 0);
  assert.equal(t.globalBudget, undefined);
});

test('budget time zones: a gateway default and a per-budget zone, both checked against Intl', () => {
  const s = loadSnapshotFromText(`${BASE}\nbudget_time_zone: Europe/Berlin\nteams:\n  support: { budget: { usd: 10, period: day, time_zone: America/New_York } }\n`, { env: {} });
  assert.equal(s.tenants.budgetTimeZone, 'Europe/Berlin');
  assert.equal(s.tenants.teams.get('support')!.budget!.timeZone, 'America/New_York');
  const problems = problemsOf(`${BASE}\nbudget_time_zone: Mars/Olympus\n`).join('\n');
  assert.match(problems, /budget_time_zone.*IANA time zone/);
});
