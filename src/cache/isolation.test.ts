// Property test: random keys, teams, customers, routes and questions (paraphrases included),
// thousands of lookups; an answer stored under one scope is never served under another.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CacheScopeKind, RouteCachePolicy } from '../config/snapshot.js';
import { mulberry32 as seededRng } from '../../testkit/prng.js';
import type { CanonicalResponse } from '../spec/canonical.js';
import { HashedNgramEmbedder } from './embedder.js';
import { ResponseCache } from './response-cache.js';
import { cacheScope, type ScopeCaller } from './scope.js';
import { MemoryCacheStore } from './store.js';

const QUESTIONS = [
  'How do I reset my password?',
  'How can I reset my password?',
  'how to reset password',
  'How do I cancel my subscription?',
  'How can I cancel my subscription?',
  'What is the capital of France?',
  "What's the capital of France?",
  'Refund order 1234',
];

test('zero cross-scope hits over 20,000 random operations', async () => {
  const rnd = seededRng(20261204);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const keys: ScopeCaller[] = Array.from({ length: 12 }, (_, i) => ({ kind: 'key', keyId: `k${i}`, team: `t${i % 4}`, ...(i % 3 === 0 ? {} : { customer: `c${i % 5}` }) }));
  const callers: ScopeCaller[] = [...keys, { kind: 'master' }, { kind: 'key', team: 't0' }];
  const scopes: CacheScopeKind[] = ['key', 'team', 'customer', 'global'];
  const routes = scopes.flatMap((scope) =>
    (['exact', 'semantic'] as const).map((mode) => ({ name: `${scope}-${mode}`, policy: { mode, ttlMs: 1e9, threshold: 0.75, scope, embed: 'last_user', maxTemperature: 1, allowN: false, allowLogprobs: false, audit: 0 } satisfies RouteCachePolicy })),
  );
  const cache = new ResponseCache({ store: new MemoryCacheStore({ maxBytes: 64 << 20 }), embedder: new HashedNgramEmbedder() });
  let hits = 0;
  let crossScope = 0;
  for (let i = 0; i < 20_000; i++) {
    const caller = pick(callers);
    const route = pick(routes);
    const q = pick(QUESTIONS);
    const request = { model: route.name, messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text: q }] }], stream: false };
    const l = await cache.lookup({ route: route.name, policy: route.policy, request, caller });
    const expected = cacheScope(route.policy.scope, caller);
    if (l.kind === 'hit') {
      hits++;
      const [storedRoute, storedScope] = (l.answer.response.content[0] as { text: string }).text.split('|');
      if (storedRoute !== route.name || storedScope !== expected || l.answer.scope !== expected) crossScope++;
    } else if (l.kind === 'miss') {
      const response: CanonicalResponse = { id: `r${i}`, model: 'm', created: 1, content: [{ type: 'text', text: `${route.name}|${expected}|${q}` }], finishReason: 'stop' };
      l.pending.complete(response);
    } else {
      assert.equal(expected, undefined, 'only an unscoped caller bypasses here');
    }
  }
  assert.equal(crossScope, 0);
  assert.ok(hits > 10_000, `the test must exercise hits (got ${hits})`);
  assert.ok(cache.stats.total().hitSemantic > 100, 'and semantic hits');
});
