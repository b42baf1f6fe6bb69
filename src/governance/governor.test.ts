import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDeployment, testProvider } from '../../testkit/routing-builders.js';
import { GatewayError } from '../spec/errors.js';
import { SqliteLedgerStore } from '../store/sqlite-ledger-store.js';
import { SqliteTenantStore } from '../store/sqlite-tenant-store.js';
import { Governor, RateLimitError, type Admission } from './governor.js';
import { hashKey } from './keys.js';
import { TenantAdmin } from './tenant-admin.js';
import type { BudgetSpec, KeyRecord, TenantSettings } from './types.js';

const log = { info: () => {}, warn: () => {}, error: () => {} };
const budget = (usd: number, over: Partial<BudgetSpec> = {}): BudgetSpec => ({ usd, period: 'day', soft: 0.8, enforce: true, onUnknownCost: 'reserve', cutoff: false, ...over });
// $1 per million input tokens, $10 per million output tokens.
const priced = testDeployment('priced', { provider: testProvider('oai', { jurisdiction: 'US' }), price: { inputPerMTok: 1, outputPerMTok: 10 } });
const unpriced = testDeployment('unpriced', { provider: testProvider('cheap', { jurisdiction: 'CN' }) });
const KEY = `mp-${'a'.repeat(32)}`;

function settings(over: Partial<TenantSettings> = {}, key: Partial<KeyRecord> = {}): TenantSettings {
  return {
    teams: new Map([['support', { name: 'support', source: 'config', budget: budget(100), limits: { rpm: 1000 } }]]),
    keys: [{ id: 'cfg_bot', name: 'bot', hash: hashKey(KEY), prefix: KEY.slice(0, 11), enabled: true, createdAt: 0, source: 'config', team: 'support', agent: 'triage', ...key }],
    customers: new Map(),
    agents: new Map(),
    policy: { tiers: [] },
    alerts: {},
    ledger: { enabled: true },
    ...over,
  };
}

const input = (g: Governor, over: Partial<Parameters<Governor['admit']>[0]> = {}) => ({
  principal: g.authenticate(KEY),
  headers: {},
  route: 'support-chat',
  targets: [priced],
  inputTokens: 1000,
  maxTokens: 1000,
  ...over,
});

test('200 concurrent admissions never reserve past the cap; settlement frees the rest', () => {
  // Each request may cost 1000 * $1/M + 1000 * $10/M = $0.011; a $0.05 budget has room for 4.
  const g = new Governor({ settings: settings({}, { budget: budget(0.05) }), log, now: () => 0 });
  const held: Admission[] = [];
  let refused = 0;
  for (let i = 0; i < 200; i++) {
    try {
      held.push(g.admit(input(g)));
    } catch (e) {
      assert.ok(e instanceof GatewayError && e.code === 'budget_exceeded' && e.status === 429 && !e.retryable);
      assert.match(e.message, /key budget "cfg_bot" allows \$0\.0500 per day/);
      refused++;
    }
  }
  assert.equal(held.length, 4);
  assert.equal(refused, 196);
  // Each answered with 100 input + 100 output tokens: $0.0011 each.
  for (const a of held) g.settle(a, { requestId: 'r', deployment: priced, usage: { inputTokens: 100, outputTokens: 100 }, status: 200, attempts: 1, latencyMs: 1 });
  const b = g.budgets.get('key:cfg_bot')!;
  assert.ok(Math.abs(b.spent - 0.0044) < 1e-9);
  assert.equal(b.reserved, 0);
  assert.ok(b.spent <= b.spec.usd);
});

test('on_unknown_cost: reserve uses the fallback price, refuse refuses, allow reserves nothing', () => {
  const mk = (rule: BudgetSpec['onUnknownCost']) =>
    new Governor({ settings: settings({ teams: new Map([['support', { name: 'support', source: 'config' }]]) }, { budget: budget(1, { onUnknownCost: rule }) }), log, now: () => 0 });
  const reserve = mk('reserve');
  const a = reserve.admit(input(reserve, { targets: [unpriced], maxTokens: 100 }));
  assert.ok(a.estimateUsd > 0, 'never silently skip the reservation');
  const refuse = mk('refuse');
  assert.throws(() => refuse.admit(input(refuse, { targets: [unpriced] })), (e: unknown) => e instanceof GatewayError && e.code === 'budget_exceeded' && /cannot be estimated/.test(e.message));
  const allow = mk('allow');
  assert.equal(allow.admit(input(allow, { targets: [unpriced] })).estimateUsd, 0);
});

test('rate-limit refusal: 429 rate_limit_exceeded with retry-after and headers; the budget reservation is released', () => {
  const g = new Governor({ settings: settings({}, { budget: budget(10), limits: { rpm: 2 } }), log, now: () => 10_000 });
  g.admit(input(g));
  const second = g.admit(input(g));
  assert.deepEqual(g.responseHeaders(second).slice(0, 4), ['x-ratelimit-limit-requests', '2', 'x-ratelimit-remaining-requests', '0']);
  const before = g.budgets.get('key:cfg_bot')!.reserved;
  assert.throws(
    () => g.admit(input(g)),
    (e: unknown) => e instanceof RateLimitError && e.code === 'rate_limit_exceeded' && e.status === 429 && e.retryAfterMs === 60_000 && e.headers.includes('ratelimit-policy') && /key "cfg_bot" allows 2 requests per minute/.test(e.message),
  );
  assert.ok(Math.abs(g.budgets.get('key:cfg_bot')!.reserved - before) < 1e-12);
});

test('route allowlist 403, customer budgets by attribution, policy 403 before any reservation', () => {
  const g = new Governor({
    settings: settings(
      {
        customers: new Map([['acme', { kind: 'customer', name: 'acme', source: 'config', budget: budget(0.001) }]]),
        policy: { tiers: [{ name: 'internal', rule: { jurisdictions: ['US'] } }] },
      },
      { routes: ['support-*'] },
    ),
    log,
    now: () => 0,
  });
  assert.throws(() => g.admit(input(g, { route: 'sales' })), (e: unknown) => e instanceof GatewayError && e.code === 'forbidden' && /route "sales"/.test(e.message));
  assert.throws(() => g.admit(input(g, { headers: { 'x-modelplane-customer': 'acme' } })), (e: unknown) => e instanceof GatewayError && /customer budget "acme"/.test(e.message));
  const ok = g.admit(input(g, { headers: { 'x-modelplane-sensitivity': 'internal' }, targets: [priced, unpriced] }));
  assert.equal(ok.exclude!(unpriced)?.includes('CN'), true);
  assert.throws(() => g.admit(input(g, { headers: { 'x-modelplane-sensitivity': 'internal' }, targets: [unpriced] })), (e: unknown) => e instanceof GatewayError && e.code === 'policy_denied');
  assert.ok(Math.abs(g.budgets.get('team:support')!.reserved - 0.011) < 1e-12, 'only the admitted request holds a reservation');
});

test('revocation through the store is seen on the next poll; budgets are rebuilt from the ledger after a restart', async () => {
  const tenants = new SqliteTenantStore(':memory:');
  const ledger = new SqliteLedgerStore(':memory:');
  const s = settings({ keys: [] });
  const g = new Governor({ settings: s, tenantStore: tenants, ledgerStore: ledger, log, now: () => Date.parse('2026-05-10T12:00:00Z') });
  await g.start();
  const admin = new TenantAdmin(tenants, () => ({ configTeams: s.teams, configKeyIds: new Set(), policy: s.policy }));
  const { record, key } = await admin.createKey({ team: 'support', budget: '1/day' }, 'test');
  await g.directory.refresh();
  const p = g.authenticate(key);
  const a = g.admit({ principal: p, headers: {}, route: 'r', targets: [priced], inputTokens: 10_000, maxTokens: 10_000 });
  g.settle(a, { requestId: 'r1', deployment: priced, usage: { inputTokens: 10_000, outputTokens: 50_000 }, status: 200, attempts: 1, latencyMs: 5 });
  await g.close();
  assert.equal(ledger.count(), 1, 'close flushed the ledger');
  await admin.revokeKey(record.id, 'test');

  const g2 = new Governor({ settings: s, tenantStore: tenants, ledgerStore: ledger, log, now: () => Date.parse('2026-05-10T18:00:00Z') });
  await g2.start();
  assert.throws(() => g2.authenticate(key), (e: unknown) => e instanceof GatewayError && e.code === 'unauthorized' && /revoked/.test(e.message));
  assert.ok(Math.abs(g2.budgets.get(`key:${record.id}`)!.spent - 0.51) < 1e-9, 'spent rebuilt from the ledger');
  assert.ok(Math.abs(g2.budgets.get('team:support')!.spent - 0.51) < 1e-9);
  const view = g2.budgetsView().find((b) => b.budget === `key:${record.id}`)!;
  assert.equal(view.period_end, '2026-05-11T00:00:00.000Z');
  await g2.close();
});

test('a config reload adds keys and budgets and drops removed ones, keeping what existing budgets spent', () => {
  const g = new Governor({ settings: settings({}, { budget: budget(10) }), log, now: () => 0 });
  const a = g.admit(input(g));
  g.settle(a, { requestId: 'r', deployment: priced, usage: { inputTokens: 1_000_000, outputTokens: 0 }, status: 200, attempts: 1, latencyMs: 1 });
  const other = `mp-${'z'.repeat(32)}`;
  const next = settings({}, { budget: budget(20) });
  next.keys = [...next.keys, { id: 'cfg_new', name: 'new', hash: hashKey(other), prefix: 'mp-zzzzzzzz', enabled: true, createdAt: 0, source: 'config', budget: budget(1) }];
  g.reconfigure(next);
  assert.equal(g.authenticate(other).key.id, 'cfg_new');
  const kept = g.budgets.get('key:cfg_bot')!;
  assert.equal(kept.spec.usd, 20, 'the new limit applies');
  assert.equal(kept.spent, 1, 'what was spent is kept');
  assert.ok(g.budgets.get('key:cfg_new'));
  g.reconfigure(settings({ keys: [] }));
  assert.throws(() => g.authenticate(KEY), (e: unknown) => e instanceof GatewayError && e.code === 'unauthorized');
  assert.equal(g.budgets.get('key:cfg_bot'), undefined);
});

test('fast path: a plain caller is only attributed; a rule that applies to everyone takes it off the fast path', () => {
  const plain = new Governor({ settings: settings({ teams: new Map([['support', { name: 'support', source: 'config' }]]) }), log, now: () => 0 });
  const p = plain.authenticate(KEY);
  assert.equal(p.plain, true, 'no budget, limit or allowlist on the key or its team');
  const a = plain.admit({ principal: p, headers: { 'x-modelplane-workflow': 'wf' }, route: 'anything', targets: [unpriced], inputTokens: 1 });
  assert.deepEqual(a.attribution, { keyId: 'cfg_bot', team: 'support', agent: 'triage', workflow: 'wf' });
  assert.equal(a.reservation, undefined);
  assert.equal(a.limitStates.length, 0);
  // An unknown sensitivity header is still a 400 on the fast path's caller.
  assert.throws(() => plain.admit({ principal: p, headers: { 'x-modelplane-sensitivity': 'nope' }, route: 'r', targets: [priced], inputTokens: 1 }), (e: unknown) => e instanceof GatewayError && e.code === 'invalid_request');

  // The master key (no principal) under a registered customer's budget: attribution names the
  // customer, so the budget applies and refuses once spent.
  const shared = new Governor({ settings: settings({ keys: [], customers: new Map([['acme', { kind: 'customer', name: 'acme', source: 'config', budget: budget(0.015) }]]) }), log, now: () => 0 });
  const first = shared.admit({ headers: { 'x-modelplane-customer': 'acme' }, route: 'r', targets: [priced], inputTokens: 1000, maxTokens: 1000 });
  assert.ok(first.reservation, 'the customer budget reserved');
  assert.throws(() => shared.admit({ headers: { 'x-modelplane-customer': 'acme' }, route: 'r', targets: [priced], inputTokens: 1000, maxTokens: 1000 }), (e: unknown) => e instanceof GatewayError && e.code === 'budget_exceeded');
  assert.equal(shared.admit({ headers: {}, route: 'r', targets: [priced], inputTokens: 1000, maxTokens: 1000 }).reservation, undefined, 'another customer is not limited');
});

test('count_tokens screening: the policy filter without a reservation, a limit or a ledger record', () => {
  const g = new Governor({ settings: settings({}, { providers: ['oai'], budget: budget(0.000001), limits: { rpm: 1 } }), log, now: () => 0 });
  const p = g.authenticate(KEY);
  const ex = g.screenOnly({ principal: p, headers: {}, route: 'support-chat', targets: [priced, unpriced], inputTokens: 0 })!;
  assert.equal(ex(priced), undefined);
  assert.match(ex(unpriced)!, /provider cheap is not in its provider allowlist/);
  for (let i = 0; i < 3; i++) g.screenOnly({ principal: p, headers: {}, route: 'support-chat', targets: [priced], inputTokens: 0 });
  assert.equal(g.budgets.get('key:cfg_bot')!.reserved, 0, 'nothing reserved');
  assert.ok(!(g.admit(input(g, { maxTokens: 0, inputTokens: 0 })) instanceof Error), 'the rpm limit of 1 is still unused');
  assert.throws(() => g.screenOnly({ principal: p, headers: {}, route: 'support-chat', targets: [unpriced], inputTokens: 0 }), (e: unknown) => e instanceof GatewayError && e.code === 'policy_denied');
});
