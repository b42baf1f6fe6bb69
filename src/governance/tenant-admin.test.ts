import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteTenantStore } from '../store/sqlite-tenant-store.js';
import { TenantAdmin, TenantInputError, type TenantContext } from './tenant-admin.js';
import { TenantDirectory } from './directory.js';
import type { TenantSettings } from './types.js';

const settings: TenantSettings = {
  teams: new Map([['support', { name: 'support', source: 'config', providers: ['a', 'b'], sensitivity: 'internal' }]]),
  keys: [],
  customers: new Map(),
  agents: new Map(),
  policy: { tiers: [{ name: 'public', rule: {} }, { name: 'internal', rule: {} }] },
  alerts: {},
  ledger: { enabled: true },
};
const context = (): TenantContext => ({ configTeams: settings.teams, configKeyIds: new Set(), policy: settings.policy });

function fresh() {
  const dir = mkdtempSync(join(tmpdir(), 'mp-tenants-'));
  const store = new SqliteTenantStore(join(dir, 't.sqlite'));
  return { dir, store, admin: new TenantAdmin(store, context), done: async () => { await store.close(); rmSync(dir, { recursive: true, force: true }); } };
}

test('create -> the key authenticates; revoke -> the next refresh refuses it; rotate -> only the new key works', async () => {
  const { store, admin, done } = fresh();
  try {
    const dir = new TenantDirectory(settings, store);
    await dir.refresh();
    const { record, key } = await admin.createKey({ name: 'bot', team: 'support', agent: 'triage', budget: '50/day', limits: { rpm: 60 } }, 'test');
    assert.equal(dir.verify(key).ok, false, 'not seen before the refresh');
    assert.equal(await dir.refresh(), true);
    const v = dir.verify(key);
    assert.ok(v.ok);
    assert.equal(v.principal.key.id, record.id);
    assert.equal(v.principal.team?.name, 'support');
    assert.deepEqual(v.principal.budgets.map((b) => [b.id, b.spec.usd, b.spec.period]), [[`key:${record.id}`, 50, 'day']]);
    assert.equal(await dir.refresh(), false, 'no change, no rebuild');

    const rotated = await admin.rotateKey(record.id, 'test');
    await dir.refresh();
    assert.equal(dir.verify(key).ok, false);
    assert.ok(dir.verify(rotated.key).ok);

    await admin.revokeKey(record.id, 'test');
    await dir.refresh();
    const after = dir.verify(rotated.key);
    assert.ok(!after.ok && after.reason === 'revoked');

    const trail = await store.audit();
    assert.deepEqual(trail.map((a) => a.action), ['revoke', 'rotate', 'create']);
    assert.ok(!JSON.stringify(trail).includes(key) && !JSON.stringify(trail).includes(rotated.key), 'no secret in the audit trail');
    assert.ok(!JSON.stringify(trail).includes(record.hash), 'no hash either');
  } finally {
    await done();
  }
});

test('validation names the field; a key may not widen its team', async () => {
  const { admin, done } = fresh();
  try {
    const fails = async (input: unknown, field: string) => {
      await assert.rejects(admin.createKey(input, 't'), (e: unknown) => e instanceof TenantInputError && e.field === field && e.status === 400);
    };
    await fails({ team: 'nope' }, 'team');
    await fails({ budget: 'fifty' }, 'budget');
    await fails({ limits: { rpm: -1 } }, 'limits.rpm');
    await fails({ colour: 'red' }, 'colour');
    await fails({ team: 'support', providers: ['a', 'c'] }, 'providers');
    await fails({ team: 'support', sensitivity: 'public' }, 'sensitivity');
    await fails({ sensitivity: 'secret' }, 'sensitivity');
    const ok = await admin.createKey({ team: 'support', providers: ['a'] }, 't');
    assert.deepEqual(ok.record.providers, ['a']);
  } finally {
    await done();
  }
});

test('teams: store teams are managed, config teams are read-only, a team with keys cannot be deleted', async () => {
  const { admin, done } = fresh();
  try {
    await assert.rejects(admin.createTeam({ name: 'support' }, 't'), (e: unknown) => e instanceof TenantInputError && e.status === 409);
    await admin.createTeam({ name: 'sales', budget: { usd: 10, period: 'week' } }, 't');
    const { record } = await admin.createKey({ team: 'sales' }, 't');
    await assert.rejects(admin.deleteTeam('sales', 't'), (e: unknown) => e instanceof TenantInputError && e.status === 409);
    await admin.revokeKey(record.id, 't');
    await admin.deleteTeam('sales', 't');
    assert.deepEqual((await admin.listTeams()).map((t) => t.name), ['support']);
    const c = await admin.putEntity('customer', { name: 'acme', budget: '100/month' }, 't');
    assert.equal(c.budget?.usd, 100);
    const c2 = await admin.putEntity('customer', { limits: { rpm: 5 } }, 't', 'acme');
    assert.equal(c2.budget?.usd, 100, 'a patch keeps what it does not name');
    assert.equal(c2.limits?.rpm, 5);
  } finally {
    await done();
  }
});

test('a key whose team disappeared is refused rather than losing the team limits', async () => {
  const { store, admin, done } = fresh();
  try {
    await admin.createTeam({ name: 'tmp', limits: { rpm: 1 } }, 't');
    const { key } = await admin.createKey({ team: 'tmp' }, 't');
    await store.remove('team', 'tmp', { actor: 't', action: 'delete', kind: 'team', target: 'tmp' });
    const dir = new TenantDirectory(settings, store);
    await dir.refresh();
    const v = dir.verify(key);
    assert.ok(!v.ok && v.reason === 'disabled');
  } finally {
    await done();
  }
});
