import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cacheScope } from './scope.js';

test('scopes come from the caller and keep namespaces apart', () => {
  const k = { kind: 'key' as const, keyId: 'k1', team: 'red', customer: 'acme' };
  assert.equal(cacheScope('key', k), 'key:k1');
  assert.equal(cacheScope('team', k), 'team:red');
  assert.equal(cacheScope('customer', k), 'customer:acme');
  assert.equal(cacheScope('global', k), 'global');
  assert.notEqual(cacheScope('team', { kind: 'key', keyId: 'x', team: 'x' }), cacheScope('key', { kind: 'key', keyId: 'x' }));
});

test('an unfilled scope falls back to the narrower key scope, never wider', () => {
  assert.equal(cacheScope('team', { kind: 'key', keyId: 'k1' }), 'key:k1');
  assert.equal(cacheScope('customer', { kind: 'key', keyId: 'k1', team: 'red' }), 'key:k1');
  assert.equal(cacheScope('key', { kind: 'key' }), undefined, 'a key without an id bypasses the cache');
});

test('without a tenant system the master key is one tenant', () => {
  assert.equal(cacheScope('key', { kind: 'master' }), 'master');
  assert.equal(cacheScope('team', { kind: 'master' }), 'master');
  assert.equal(cacheScope('key', { kind: 'open' }), 'open');
});
