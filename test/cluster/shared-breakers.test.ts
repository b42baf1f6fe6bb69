// Issue 17, test 5: a provider tripped by traffic on A is seen as open by B within 1 s (the
// measured delay is printed; the poll has an iteration guard, not a clock bound). B learns it from a pub/sub notice, not from a Redis call per request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminGet, chat, startCluster } from './harness.js';

interface HealthDoc {
  providers: Array<{ id: string; state: string; reason?: string }>;
}

async function providerState(c: Parameters<typeof adminGet>[0], url: string): Promise<{ state: string; reason?: string }> {
  const r = await adminGet(c, url, '/admin/health');
  assert.equal(r.status, 200);
  const p = (r.json as HealthDoc).providers.find((x) => x.id === 'sim');
  assert.ok(p, JSON.stringify(r.json));
  return p;
}

test('5. a provider tripped by traffic on A is seen open by B within 1 s', { timeout: 120_000 }, async () => {
  const c = await startCluster();
  try {
    const [a, b] = c.instances;
    assert.equal((await providerState(c, b!.url)).state, 'closed');
    c.sim.setFault('*', { status: 503 });
    let tripped = 0;
    for (let i = 0; (await providerState(c, a!.url)).state !== 'open'; i++) {
      assert.ok(i < 50, 'A never opened its breaker');
      await chat(c, a!.url, `trip-${i}`);
      tripped = performance.now();
    }
    let seen = 0;
    for (let i = 0; ; i++) {
      const s = await providerState(c, b!.url);
      if (s.state === 'open') {
        seen = performance.now();
        assert.match(s.reason ?? '', /on another instance/);
        break;
      }
      assert.ok(i < 5_000, `B still sees ${s.state}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    const delay = Math.max(0, seen - tripped);
    // The promise is 1 s; printed, not asserted (no wall-clock bounds in tests on a shared machine).
    console.log(JSON.stringify({ breakerSeenByBMs: Math.round(delay) }));
    c.sim.setFault('*', null);
  } finally {
    await c.close();
  }
});
