import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteLru } from './lru.js';

function clock(): { now: () => number; advance(ms: number): void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

test('entries expire after their TTL (injected clock)', () => {
  const c = clock();
  const lru = new ByteLru<string>({ maxBytes: 1000, clock: c.now });
  lru.set('a', 'A', 10, 100);
  c.advance(99);
  assert.equal(lru.get('a'), 'A');
  c.advance(1);
  assert.equal(lru.get('a'), undefined);
  assert.equal(lru.bytes, 0);
});

test('the byte bound evicts the least recently used first', () => {
  const evicted: string[] = [];
  const lru = new ByteLru<string>({ maxBytes: 30, maxEntryBytes: 30, onEvict: (k) => evicted.push(k) });
  lru.set('a', 'A', 10, 1e6);
  lru.set('b', 'B', 10, 1e6);
  lru.set('c', 'C', 10, 1e6);
  lru.get('a'); // a is now the youngest: b goes first
  lru.set('d', 'D', 10, 1e6);
  assert.deepEqual(evicted, ['b']);
  assert.equal(lru.bytes, 30);
  lru.set('e', 'E', 20, 1e6);
  assert.deepEqual(evicted, ['b', 'c', 'a']);
  assert.deepEqual([...lru.entries()].map(([k]) => k), ['d', 'e']);
  assert.equal(lru.evictions, 3);
});

test('an entry above the per-entry bound is refused and does not flush the cache', () => {
  const lru = new ByteLru<string>({ maxBytes: 100, maxEntryBytes: 20 });
  lru.set('a', 'A', 10, 1e6);
  assert.equal(lru.set('big', 'B', 21, 1e6), false);
  assert.equal(lru.get('a'), 'A');
  assert.equal(lru.size, 1);
});

test('replacing a key keeps the byte count right; purge and sweep', () => {
  const c = clock();
  const lru = new ByteLru<{ route: string }>({ maxBytes: 100, maxEntryBytes: 100, clock: c.now });
  lru.set('a', { route: 'x' }, 10, 1e6);
  lru.set('a', { route: 'x' }, 15, 1e6);
  assert.equal(lru.bytes, 15);
  lru.set('b', { route: 'y' }, 10, 50);
  lru.set('c', { route: 'y' }, 10, 1e6);
  assert.equal(lru.purge((_, v) => v.route === 'x'), 1);
  c.advance(50);
  assert.equal(lru.sweep(), 1);
  assert.deepEqual([...lru.entries()].map(([k]) => k), ['c']);
  assert.equal(lru.bytes, 10);
});
