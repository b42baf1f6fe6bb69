import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDeployment } from '../../testkit/routing-builders.js';
import { SqliteLedgerStore } from '../store/sqlite-ledger-store.js';
import { SqliteTenantStore } from '../store/sqlite-tenant-store.js';
import { handleAdmin, tenantAdminFor } from './admin-api.js';
import { Governor } from './governor.js';
import type { TenantSettings } from './types.js';

const settings: TenantSettings = {
  teams: new Map([['support', { name: 'support', source: 'config' }]]),
  keys: [],
  customers: new Map(),
  agents: new Map(),
  policy: { tiers: [] },
  alerts: {},
  ledger: { enabled: true },
};
const log = { info: () => {}, warn: () => {}, error: () => {} };

test('admin API: create (key shown once), list (no key, no hash), patch, rotate, revoke, audit, budgets, spend', async () => {
  const ledger = new SqliteLedgerStore(':memory:');
  const gov = new Governor({ settings, tenantStore: new SqliteTenantStore(':memory:'), ledgerStore: ledger, log });
  await gov.start();
  const admin = tenantAdminFor(gov);
  const call = async (method: string, path: string, body?: unknown) => {
    const [p, q] = path.split('?');
    const r = await handleAdmin(gov, admin, { method, path: p!, query: new URLSearchParams(q ?? ''), body, actor: 'admin-key' });
    assert.ok(r, `${method} ${path} is routed`);
    return r as { status: number; body: Record<string, unknown> & { error?: { param?: string; message: string } } };
  };
  try {
    const created = await call('POST', '/admin/keys', { name: 'triage-bot', team: 'support', agent: 'triage-bot', routes: ['support-*'], budget: { usd: 50, period: 'day' }, limits: { rpm: 60, tpm: 20000 } });
    assert.equal(created.status, 201);
    const key = created.body.key as string;
    const id = created.body.id as string;
    assert.match(key, /^mp-/);
    assert.equal(created.body.prefix, key.slice(0, 11));
    assert.ok(gov.authenticate(key), 'the gateway knows the key at once');

    const listed = await call('GET', '/admin/keys');
    const text = JSON.stringify(listed.body);
    assert.ok(text.includes(id) && !text.includes(key) && !text.includes('"hash"'));

    const bad = await call('POST', '/admin/keys', { limits: { rpm: 'many' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error!.param, 'limits.rpm');

    const patched = await call('PATCH', `/admin/keys/${id}`, { limits: { rpm: 5 } });
    assert.deepEqual(patched.body.limits, { rpm: 5 });
    const rotated = await call('POST', `/admin/keys/${id}/rotate`);
    assert.notEqual(rotated.body.key, key);
    assert.throws(() => gov.authenticate(key));
    const revoked = await call('DELETE', `/admin/keys/${id}`);
    assert.equal(revoked.body.status, 'revoked');
    assert.throws(() => gov.authenticate(rotated.body.key as string), /revoked/);
    assert.equal((await call('GET', '/admin/keys/key_nope')).status, 404);

    const audit = await call('GET', '/admin/audit');
    const entries = audit.body.entries as Array<{ action: string; actor: string }>;
    assert.deepEqual(entries.map((e) => e.action), ['revoke', 'rotate', 'update', 'create']);
    assert.ok(entries.every((e) => e.actor === 'admin-key'));

    assert.equal((await call('POST', '/admin/teams', { name: 'sales', budget: '10/week' })).status, 201);
    assert.equal((await call('POST', '/admin/customers', { name: 'acme', budget: '100/month' })).status, 201);
    const budgets = (await call('GET', '/admin/budgets')).body.budgets as Array<{ budget: string; limit_usd: number }>;
    assert.deepEqual(budgets.map((b) => b.budget).sort(), [`key:${id}`, 'customer:acme', 'team:sales'].sort());

    const d = testDeployment('dep', { price: { inputPerMTok: 1, outputPerMTok: 1 } });
    gov.settle(gov.admit({ headers: { 'x-modelplane-agent': 'writer' }, route: 'r', targets: [d], inputTokens: 1, maxTokens: 1 }), { requestId: 'q', deployment: d, usage: { inputTokens: 500_000, outputTokens: 500_000 }, status: 200, attempts: 1, latencyMs: 1 });
    const spend = await call('GET', '/admin/spend?group_by=agent&since=24h');
    assert.equal(spend.body.group_by, 'agent');
    assert.deepEqual(spend.body.rows, [{ agent: 'writer', requests: 1, errors: 0, input_tokens: 500_000, output_tokens: 500_000, cost_usd: 1 }]);
    assert.equal((await call('GET', '/admin/spend?group_by=colour')).body.error!.param, 'group_by');
    assert.equal(await handleAdmin(gov, admin, { method: 'GET', path: '/admin/nothing', query: new URLSearchParams(), body: undefined, actor: 'a' }), undefined);
  } finally {
    await gov.close();
  }
});
