// Shared admission against a real redis-server: three Governors stand for three instances.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, type ManagedServer } from '../../../testkit/cluster-servers.js';
import { RateLimitError, type Admission } from '../../governance/governor.js';
import { GatewayError } from '../../spec/errors.js';
import type { Unsettled } from './admission-reply.js';
import { commandStats, perRequest } from './command-stats.js';
import { budget, closeAll, input, instances, noRedis, priced, settings } from './governors.suite.js';

let server: ManagedServer;
before(async () => {
  if (!noRedis) server = await startRedis();
});
after(async () => {
  await server?.close();
});

const ok200 = (usage = { inputTokens: 100, outputTokens: 100 }) => ({ requestId: 'r', deployment: priced, usage, status: 200, attempts: 1, latencyMs: 1 });

test('rpm 120 over three instances, 400 concurrent admissions: exactly 120 admitted, the rest 429 with headers', { skip: noRedis }, async () => {
  const clock = { now: 1_000_000 };
  const xs = await instances(server.url, 3, settings({ limits: { rpm: 120 } }), clock);
  await xs[0]!.redis.flushall();
  const results = await Promise.allSettled(Array.from({ length: 400 }, (_, i) => xs[i % 3]!.gov.admission(input(xs[i % 3]!.gov))));
  const admitted = results.filter((r) => r.status === 'fulfilled');
  const refused = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  assert.equal(admitted.length, 120);
  assert.equal(refused.length, 280);
  for (const e of refused) {
    assert.ok(e instanceof RateLimitError && e.status === 429, String(e));
    assert.match(e.message, /allows 120 requests per minute/);
    const h = e.headers;
    assert.equal(h[h.indexOf('x-ratelimit-limit-requests') + 1], '120');
    assert.equal(h[h.indexOf('x-ratelimit-remaining-requests') + 1], '0');
    assert.equal(e.retryAfterMs, 60_000, 'every slot was taken in this second: the next frees in 60 s');
  }
  const last = (admitted.at(-1) as PromiseFulfilledResult<Admission>).value;
  assert.ok(last.report?.requests && last.report.requests.remaining >= 0);
  // The window slides: a minute later there is room again.
  clock.now += 60_000;
  await xs[1]!.gov.admission(input(xs[1]!.gov));
  await closeAll(xs);
});

test('a budget with room for four: 300 concurrent admissions over three instances never reserve past the cap; settlement trues up', { skip: noRedis }, async () => {
  const clock = { now: Date.parse('2026-05-10T12:00:00Z') };
  // Each may cost 1000 * $1/M + 1000 * $10/M = $0.011; $0.05 has room for 4.
  const xs = await instances(server.url, 3, settings({ id: 'kb', budget: budget(0.05) }), clock);
  const results = await Promise.allSettled(Array.from({ length: 300 }, (_, i) => xs[i % 3]!.gov.admission(input(xs[i % 3]!.gov))));
  const held = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  assert.equal(held.length, 4);
  for (const r of results) if (r.status === 'rejected') assert.ok(r.reason instanceof GatewayError && r.reason.code === 'budget_exceeded' && /key budget "kb" allows \$0\.0500 per day/.test(r.reason.message));
  // Each answered with 100 + 100 tokens: $0.0011; settlement is batched and asynchronous.
  held.forEach((a, i) => xs[i % 3]!.gov.settle(a, ok200()));
  for (const x of xs) await x.store.flush();
  const h = await xs[0]!.redis.hgetall(`mp:b:key:kb:${Date.parse('2026-05-10T00:00:00Z')}`);
  assert.ok(Math.abs(Number(h.spent) - 0.0044) < 1e-9, `spent ${h.spent}`);
  assert.ok(Math.abs(Number(h.reserved)) < 1e-9, `reserved ${h.reserved}`);
  // $0.0456 of room: four more fit, the fifth does not (never more than the cap in flight).
  const more = await Promise.allSettled(Array.from({ length: 30 }, (_, i) => xs[i % 3]!.gov.admission(input(xs[i % 3]!.gov))));
  assert.equal(more.filter((r) => r.status === 'fulfilled').length, 4);
  await closeAll(xs);
});

test('a cold Redis rebuilds a budget period from the ledger total, once, whichever instance asks first', { skip: noRedis }, async () => {
  const clock = { now: Date.parse('2026-05-10T12:00:00Z') };
  let asked = 0;
  const xs = await instances(server.url, 2, settings({ id: 'kc', budget: budget(0.02) }), clock, {
    spentSoFar: (id) => {
      asked++;
      assert.equal(id, 'key:kc');
      return 0.015;
    },
  });
  // $0.015 already spent per the ledger: room for no $0.011 request, but for a $0.0011 one.
  await assert.rejects(Promise.resolve(xs[0]!.gov.admission(input(xs[0]!.gov))), (e: unknown) => e instanceof GatewayError && e.code === 'budget_exceeded');
  await xs[1]!.gov.admission(input(xs[1]!.gov, { inputTokens: 100, maxTokens: 100 }));
  assert.equal(asked, 1, 'the second instance found the period already seeded');
  await closeAll(xs);
});

test('concurrency holds across instances; a dead instance’s slots come back when its leases expire, charged as unsettled', { skip: noRedis }, async () => {
  const clock = { now: Date.parse('2026-05-10T12:00:00Z') };
  const unsettled: Unsettled[] = [];
  const s = settings({ id: 'kk', limits: { concurrency: 4 }, budget: budget(10) });
  const xs = await instances(server.url, 3, s, clock, { leaseTtlMs: 5_000, onUnsettled: (u) => unsettled.push(u) });
  const first = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => xs[i % 3]!.gov.admission(input(xs[i % 3]!.gov))));
  const held = first.flatMap((r, i) => (r.status === 'fulfilled' ? [{ a: r.value, x: xs[i % 3]! }] : []));
  assert.equal(held.length, 4);
  for (const r of first) if (r.status === 'rejected') assert.ok(r.reason instanceof RateLimitError && /4 concurrent requests/.test(r.reason.message));
  // Which instance got which slot depends on arrival order; the first holder is the one to die.
  const dead = held[0]!.x;
  const alive = xs.filter((x) => x !== dead);
  // One settles (on a survivor when one holds a slot): its slot is free for anyone.
  const done = held.find((h) => h.x !== dead) ?? held[3]!;
  done.x.gov.settle(done.a, ok200());
  await done.x.store.flush();
  await dead.gov.admission(input(dead.gov));
  await assert.rejects(Promise.resolve(alive[0]!.gov.admission(input(alive[0]!.gov))), RateLimitError);
  // The dead instance stops (no settlement, no renewal); the survivors renew theirs.
  const deadHeld = held.filter((h) => h.x === dead && h !== done).length + 1;
  await dead.store.close();
  dead.redis.disconnect();
  clock.now += 4_000;
  for (const x of alive) await x.store.renew();
  await assert.rejects(Promise.resolve(alive[0]!.gov.admission(input(alive[0]!.gov))), RateLimitError, 'before the TTL the slots are still held');
  clock.now += 1_001;
  for (let i = 0; i < deadHeld; i++) await alive[i % 2]!.gov.admission(input(alive[i % 2]!.gov));
  await assert.rejects(Promise.resolve(alive[1]!.gov.admission(input(alive[1]!.gov))), RateLimitError, 'exactly the dead instance’s slots came back');
  await alive[0]!.store.renew();
  assert.equal(unsettled.length, deadHeld, 'every expired lease is handed to the ledger');
  assert.ok(unsettled.every((u) => Math.abs(u.amt - 0.011) < 1e-12 && u.b.length === 1));
  await closeAll(alive);
});

test('tpm: the estimate is taken at admission and corrected with real usage at settlement', { skip: noRedis }, async () => {
  const clock = { now: Date.parse('2026-05-10T12:00:00Z') };
  const xs = await instances(server.url, 2, settings({ id: 'kt', limits: { tpm: 5000 } }), clock);
  const a = await xs[0]!.gov.admission(input(xs[0]!.gov));
  const b = await xs[1]!.gov.admission(input(xs[1]!.gov));
  assert.equal(b.report?.tokens?.remaining, 1000, 'two estimates of 2000 tokens');
  await assert.rejects(Promise.resolve(xs[0]!.gov.admission(input(xs[0]!.gov))), (e: unknown) => e instanceof RateLimitError && /5000 tokens per minute/.test(e.message));
  xs[0]!.gov.settle(a, ok200());
  xs[1]!.gov.settle(b, ok200());
  await Promise.all(xs.map((x) => x.store.flush()));
  const c = await xs[0]!.gov.admission(input(xs[0]!.gov));
  assert.equal(c.report?.tokens?.remaining, 5000 - 400 - 2000);
  await closeAll(xs);
});

test('Redis unreachable: "local" answers from the instance’s own store, "refuse" with a 503 that says why', { skip: noRedis }, async () => {
  const clock = { now: Date.parse('2026-05-10T12:00:00Z') };
  const fell: string[] = [];
  const s = settings({ id: 'ku', limits: { rpm: 10 } });
  // Own prefixes: the live-instance count (the share's divisor) is this instance alone.
  const [local] = await instances(server.url, 1, s, clock, { prefix: 'mpl:', onFallback: (r) => fell.push(r) });
  const [refuse] = await instances(server.url, 1, s, clock, { prefix: 'mpr:', onUnavailable: 'refuse' });
  local!.redis.disconnect();
  refuse!.redis.disconnect();
  const a = await local!.gov.admission(input(local!.gov));
  assert.equal(fell[0], 'error');
  assert.equal(a.report?.requests?.remaining, 9, 'counted in the local share’s window');
  await assert.rejects(Promise.resolve(refuse!.gov.admission(input(refuse!.gov))), (e: unknown) => e instanceof GatewayError && e.status === 503 && /on_redis_unavailable is "refuse"/.test(e.message));
  await local!.gov.close();
  await refuse!.gov.close();
});

test('one script call per admission, whatever applies; settlements of one turn share one call', { skip: noRedis }, async () => {
  const clock = { now: Date.parse('2026-05-10T12:00:00Z') };
  const xs = await instances(server.url, 1, settings({ id: 'kr', budget: budget(100), limits: { rpm: 1000, tpm: 1_000_000, concurrency: 100 } }), clock);
  const g = xs[0]!.gov;
  // Warm: the script loaded, the budget period seeded.
  g.settle(await g.admission(input(g)), ok200());
  await xs[0]!.store.flush();
  const before = await commandStats(xs[0]!.redis);
  const held = await Promise.all(Array.from({ length: 50 }, () => g.admission(input(g))));
  const admitted = await commandStats(xs[0]!.redis);
  const a = perRequest(before, admitted, 50);
  assert.equal(a.scripts, 1, `admission: ${JSON.stringify(a.byCommand)}`);
  for (const h of held) g.settle(h, ok200());
  await xs[0]!.store.flush();
  const settled = await commandStats(xs[0]!.redis);
  const s = perRequest(admitted, settled, 50);
  assert.equal(s.scripts * 50, 1, `50 settlements in one call: ${JSON.stringify(s.byCommand)}`);
  await closeAll(xs);
});
