// on_redis_unavailable: local. The share each instance admits alone, and the reconciliation
// when Redis answers again (a real redis-server, stopped and started on the same port).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis } from '../../../testkit/cluster-servers.js';
import { BudgetBook } from '../../governance/budgets.js';
import { RateLimiter } from '../../governance/rate-limit.js';
import { LocalSharePolicy } from './local-policy.js';
import { budget, closeAll, input, instances, noRedis, priced, settings } from './governors.suite.js';

test('the share: limits ÷ live instances, a budget’s last-seen headroom ÷ live instances; refusals name the shared scope', () => {
  const now = () => 1_000_000;
  const book = new BudgetBook(now);
  const limits = new RateLimiter(now);
  const b = book.ensure('key:k', budget(1));
  b.spent = 0.4;
  b.reserved = 0.2;
  const l = limits.ensure('key:k', { rpm: 10, concurrency: 7 });
  const p = new LocalSharePolicy(now, () => 3);
  // rpm 10 / 3 -> 3 per instance; concurrency 7 / 3 -> 2; budget ($1 - 0.4 - 0.2) / 3 = $0.1333.
  const held = [];
  for (let i = 0; i < 2; i++) {
    const r = p.admit({ budgets: [b], amount: 0.03, limits: [l], tokens: 0 });
    assert.ok(r.ok, JSON.stringify(r));
    held.push(r);
  }
  const third = p.admit({ budgets: [b], amount: 0.03, limits: [l], tokens: 0 });
  assert.ok(!third.ok && 'limit' in third && third.limit.which === 'concurrency' && third.limit.state === l, 'the shared scope is named');
  p.settle(held[0]!, 0.05, 0);
  const fourth = p.admit({ budgets: [b], amount: 0.06, limits: [l], tokens: 0 });
  assert.ok(!fourth.ok && 'budget' in fourth && fourth.budget.budget === b, '0.05 spent + 0.03 held + 0.06 > 0.1333');
  const r = p.admit({ budgets: [b], amount: 0.02, limits: [l], tokens: 0 });
  assert.ok(r.ok);
  p.settle(r, 0.01, 0);
  p.settle(held[1]!, 0.03, 0);
  const third2 = p.admit({ budgets: [], amount: 0, limits: [l], tokens: 0 });
  assert.ok(!third2.ok && 'limit' in third2 && third2.limit.which === 'requests', 'three requests this minute: the rpm share is used up');
  // Back: the outage's spend, for the shared counters; the next outage starts afresh.
  const spent = p.recovered();
  assert.equal(spent.length, 1);
  // A request admitted in the outage and settled after Redis came back is still counted.
  const late = p.admit({ budgets: [b], amount: 0.01, limits: [], tokens: 0 });
  assert.ok(late.ok);
  p.recovered();
  p.settle(late, 0.004, 0);
  const owed = p.recovered();
  assert.equal(owed.length, 1);
  assert.ok(Math.abs(owed[0]!.usd - 0.004) < 1e-12, JSON.stringify(owed));
  assert.equal(spent[0]!.budget, b);
  assert.ok(Math.abs(spent[0]!.usd - 0.09) < 1e-12);
});

test('Redis stopped: admission falls back to the share; started again: the outage’s spend reaches the shared counter, no restart', { skip: noRedis }, async () => {
  // Persisted: Redis comes back with its counters (a cold one is seeded from the ledger instead).
  const server = await startRedis({ persist: true });
  let xs: Awaited<ReturnType<typeof instances>> = [];
  try {
    const clock = { now: Date.parse('2026-05-10T12:00:00Z') };
    xs = await instances(server.url, 2, settings({ id: 'ko', budget: budget(10), limits: { rpm: 100 } }), clock, { leaseTtlMs: 3_000 });
    for (const x of [...xs, xs[0]!]) await x.store.renew();
    assert.equal(xs[0]!.store.liveInstances, 2);
    const g = xs[0]!.gov;
    g.settle(await g.admission(input(g)), { requestId: 'r', deployment: priced, usage: { inputTokens: 100_000, outputTokens: 0 }, status: 200, attempts: 1, latencyMs: 1 });
    await xs[0]!.store.flush();
    await server.stop();
    const during = [];
    for (let i = 0; i < 60; i++) {
      try {
        during.push(await g.admission(input(g)));
      } catch (e) {
        // The share is what this instance allows while Redis is away.
        assert.match(String(e), /key "ko" allows 50 requests per minute/);
      }
    }
    assert.equal(during.length, 50, 'rpm 100 over 2 live instances: 50 here, 1 already taken in Redis not counted locally');
    assert.ok(xs[0]!.fallbacks.length >= 50);
    xs[0]!.fallbacks.length = 0;
    for (const a of during) g.settle(a, { requestId: 'r', deployment: priced, usage: { inputTokens: 1000, outputTokens: 0 }, status: 200, attempts: 1, latencyMs: 1 });
    await server.start();
    const redis = xs[0]!.redis;
    for (let i = 0; redis.status !== 'ready'; i++) {
      assert.ok(i < 2000, 'never reconnected');
      await new Promise((r) => setTimeout(r, 5));
    }
    const after = await g.admission(input(g));
    assert.ok(after.lease, 'admitted by Redis again');
    g.settle(after, { requestId: 'r', deployment: priced, usage: { inputTokens: 1000, outputTokens: 0 }, status: 200, attempts: 1, latencyMs: 1 });
    await xs[0]!.store.flush();
    await xs[0]!.store.renew();
    const h = await redis.hgetall(`mp:b:key:ko:${Date.parse('2026-05-10T00:00:00Z')}`);
    // $0.1 before, plus the outage's 50 x $0.001, plus $0.001 since.
    assert.ok(Math.abs(Number(h.spent) - 0.151) < 1e-9, JSON.stringify(h));
  } finally {
    await closeAll(xs).catch(() => {});
    await server.close();
  }
});
