import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKey, hashKey, isKeyShaped, KeyIndex, keyPrefix } from './keys.js';
import { globMatcher, resolvePrincipal, allows, wideningProblems } from './hierarchy.js';
import type { KeyRecord, PolicySettings, TeamRecord } from './types.js';

test('generated keys are mp- + 32 url-safe characters, unique, and hash to 64 hex digits', () => {
  const a = generateKey();
  const b = generateKey();
  assert.match(a, /^mp-[A-Za-z0-9_-]{32}$/);
  assert.notEqual(a, b);
  assert.ok(isKeyShaped(a));
  assert.ok(!isKeyShaped('mp-short'));
  assert.ok(!isKeyShaped(`sk-${a.slice(3)}`));
  assert.match(hashKey(a), /^[0-9a-f]{64}$/);
  assert.equal(keyPrefix(a), a.slice(0, 11));
});

test('the key index finds a key by its hash and nothing else', () => {
  const k1 = generateKey();
  const k2 = generateKey();
  const idx = new KeyIndex([{ hash: hashKey(k1), id: 'one' }, { hash: hashKey(k2), id: 'two' }]);
  assert.equal(idx.lookup(k1)?.id, 'one');
  assert.equal(idx.lookup(k2)?.id, 'two');
  assert.equal(idx.lookup(k1.slice(0, -1)), undefined);
  assert.equal(idx.lookup(`${k1}x`), undefined);
  assert.equal(idx.lookup(hashKey(k1)), undefined, 'the hash itself is not a key');
});

const policy: PolicySettings = { tiers: [{ name: 'public', rule: {} }, { name: 'internal', rule: {} }, { name: 'customer-data', rule: {} }], defaultTier: 'public' };
const key = (over: Partial<KeyRecord> = {}): KeyRecord => ({ id: 'key_1', name: 'k', hash: 'h', prefix: 'mp-x', enabled: true, createdAt: 1, source: 'store', ...over });

test('globs: * matches any run, other characters are literal', () => {
  const m = globMatcher(['support-*', 'exact.v1']);
  assert.ok(m('support-triage'));
  assert.ok(m('support-'));
  assert.ok(m('exact.v1'));
  assert.ok(!m('exactxv1'));
  assert.ok(!m('sales-support-x'));
});

test('a key narrows its team and never widens it', () => {
  const team: TeamRecord = {
    name: 'support',
    source: 'config',
    routes: ['support-*'],
    providers: ['a', 'b'],
    sensitivity: 'internal',
    budget: { usd: 500, period: 'month', soft: 0.8, enforce: true, onUnknownCost: 'reserve', cutoff: false },
    limits: { rpm: 600 },
    metadata: { workflow: 'team-default', customer: 'c0' },
  };
  // The key asks for more routes, another provider and a weaker tier: none of it widens anything.
  const p = resolvePrincipal(key({ team: 'support', routes: ['*'], providers: ['a', 'z'], sensitivity: 'public', limits: { rpm: 6000 }, metadata: { workflow: 'mine' } }), team, policy);
  assert.ok(allows(p.allowRoute, 'support-triage'));
  assert.ok(!allows(p.allowRoute, 'sales'), 'the team route allowlist still applies');
  assert.ok(allows(p.allowProvider, 'a'));
  assert.ok(!allows(p.allowProvider, 'b'), 'the key narrowed b away');
  assert.ok(!allows(p.allowProvider, 'z'), 'the key cannot add z');
  assert.equal(policy.tiers[p.sensitivity]!.name, 'internal', 'the stricter tier wins');
  assert.deepEqual(p.limits.map((l) => l.id), ['key:key_1', 'team:support'], 'both limits apply');
  assert.deepEqual(p.budgets.map((b) => b.id), ['team:support']);
  assert.deepEqual(p.metadata, { workflow: 'mine', customer: 'c0' });
  assert.deepEqual(wideningProblems({ sensitivity: 'public', providers: ['a', 'z'] }, team, policy).length, 2);
  assert.deepEqual(wideningProblems({ sensitivity: 'customer-data', providers: ['a'] }, team, policy), []);
});

test('without a team or tiers the key alone decides; the policy default is the floor', () => {
  const p = resolvePrincipal(key({ routes: ['r1'] }), undefined, policy);
  assert.ok(allows(p.allowRoute, 'r1'));
  assert.ok(!allows(p.allowRoute, 'r2'));
  assert.ok(allows(p.allowProvider, 'anything'));
  assert.equal(p.sensitivity, 0);
  assert.equal(resolvePrincipal(key(), undefined, { tiers: [] }).sensitivity, -1);
});
