// One behavioural suite for every ResponsesStore implementation (hono's runTest pattern):
// responses-store.test.ts runs it against memory and SQLite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResponsesStore, StoredResponse } from './responses-store.js';

export interface StoreUnderTest {
  name: string;
  /** A fresh, empty store with room for at least 100 entries in memory (a network store may answer later). */
  create(): ResponsesStore | Promise<ResponsesStore>;
}

export function stored(id: string, extra: Partial<StoredResponse> = {}): StoredResponse {
  return {
    id,
    createdAt: 1700000000,
    model: 'route-a',
    input: [{ type: 'message', role: 'user', content: `question ${id}` }],
    output: [{ type: 'message', id: `msg_${id.slice(5)}_0`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: `answer ${id}`, annotations: [], logprobs: [] }] }],
    ...extra,
  };
}

export function runResponsesStoreSuite(s: StoreUnderTest): void {
  test(`${s.name}: a put response is found by id, equal to what was put`, async () => {
    const store = await s.create();
    try {
      const r = stored('resp_a', { previousResponseId: 'resp_prev' });
      store.put(r);
      assert.deepEqual(await store.get('resp_a'), r);
    } finally {
      store.close();
    }
  });

  test(`${s.name}: an unknown id is undefined`, async () => {
    const store = await s.create();
    try {
      store.put(stored('resp_a'));
      assert.equal(await store.get('resp_b'), undefined);
    } finally {
      store.close();
    }
  });

  test(`${s.name}: putting the same id again replaces it`, async () => {
    const store = await s.create();
    try {
      store.put(stored('resp_a', { model: 'first' }));
      store.put(stored('resp_a', { model: 'second' }));
      assert.equal((await store.get('resp_a'))?.model, 'second');
    } finally {
      store.close();
    }
  });

  test(`${s.name}: many responses stay distinct, including unicode and large items`, async () => {
    const store = await s.create();
    try {
      const big = 'x'.repeat(200_000);
      for (let i = 0; i < 100; i++) store.put(stored(`resp_${i}`, { input: [{ role: 'user', content: i === 7 ? big : `héllo ${i} ✓` }] }));
      // Once written behind, a durable store with a small cache reads these back from disk.
      await store.flushed();
      for (const i of [0, 7, 50, 99]) {
        const r = await store.get(`resp_${i}`);
        assert.deepEqual(r?.input, [{ role: 'user', content: i === 7 ? big : `héllo ${i} ✓` }]);
      }
    } finally {
      store.close();
    }
  });

  test(`${s.name}: delete removes a response and says whether it existed`, async () => {
    const store = await s.create();
    try {
      store.put(stored('resp_a'));
      store.put(stored('resp_b'));
      // Let a write-behind store persist them, so the delete reaches the disk copy too.
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(await store.delete('resp_a'), true);
      assert.equal(await store.get('resp_a'), undefined);
      assert.equal(await store.delete('resp_a'), false, 'a second delete finds nothing');
      assert.equal(await store.delete('resp_never'), false);
      assert.equal((await store.get('resp_b'))?.id, 'resp_b');
      // Deleted before its write-behind flush: it must not come back.
      store.put(stored('resp_c'));
      assert.equal(await store.delete('resp_c'), true);
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(await store.get('resp_c'), undefined);
    } finally {
      store.close();
    }
  });

  test(`${s.name}: prune removes responses older than max age, then the oldest beyond max entries`, async () => {
    const store = await s.create();
    try {
      const now = 1_700_000_000_000;
      // created 10, 9, ..., 1 hours ago
      for (let h = 10; h >= 1; h--) store.put(stored(`resp_h${h}`, { createdAt: now / 1000 - h * 3600 }));
      assert.equal(await store.prune({ maxAgeMs: 5.5 * 3_600_000 }, now), 5, 'the five older than 5.5 h');
      assert.equal(await store.get('resp_h6'), undefined);
      assert.equal((await store.get('resp_h5'))?.id, 'resp_h5');
      assert.equal(await store.prune({ maxEntries: 2 }, now), 3, 'keeps the two newest');
      assert.equal(await store.get('resp_h3'), undefined);
      assert.deepEqual([(await store.get('resp_h2'))?.id, (await store.get('resp_h1'))?.id], ['resp_h2', 'resp_h1']);
      assert.equal(await store.prune({ maxAgeMs: 24 * 3_600_000, maxEntries: 10 }, now), 0, 'nothing left to remove');
    } finally {
      store.close();
    }
  });

  test(`${s.name}: close is idempotent`, async () => {
    const store = await s.create();
    store.put(stored('resp_a'));
    store.close();
    store.close();
  });
}
