// One behavioural suite for every ResponsesStore implementation (hono's runTest pattern):
// responses-store.test.ts runs it against memory and SQLite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResponsesStore, StoredResponse } from './responses-store.js';

export interface StoreUnderTest {
  name: string;
  /** A fresh, empty store with room for at least 100 entries in memory. */
  create(): ResponsesStore;
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
    const store = s.create();
    try {
      const r = stored('resp_a', { previousResponseId: 'resp_prev' });
      store.put(r);
      assert.deepEqual(await store.get('resp_a'), r);
    } finally {
      store.close();
    }
  });

  test(`${s.name}: an unknown id is undefined`, async () => {
    const store = s.create();
    try {
      store.put(stored('resp_a'));
      assert.equal(await store.get('resp_b'), undefined);
    } finally {
      store.close();
    }
  });

  test(`${s.name}: putting the same id again replaces it`, async () => {
    const store = s.create();
    try {
      store.put(stored('resp_a', { model: 'first' }));
      store.put(stored('resp_a', { model: 'second' }));
      assert.equal((await store.get('resp_a'))?.model, 'second');
    } finally {
      store.close();
    }
  });

  test(`${s.name}: many responses stay distinct, including unicode and large items`, async () => {
    const store = s.create();
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

  test(`${s.name}: close is idempotent`, () => {
    const store = s.create();
    store.put(stored('resp_a'));
    store.close();
    store.close();
  });
}
