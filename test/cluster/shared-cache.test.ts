// Issue 17, test 6: an exact-cache hit stored by A is served by B (entries in Redis), and 30
// identical concurrent misses over 3 instances make 1 upstream call (a claim in Redis per miss).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chat, clusterConfig, startCluster } from './harness.js';

const cached = (urls: Parameters<typeof clusterConfig>[0]) => {
  const base = clusterConfig(urls);
  const out = base.replace('routes: { chat: { targets: [a] } }', 'routes: { chat: { targets: [a], cache: { mode: exact, ttl: 1h } } }');
  assert.notEqual(out, base, 'the harness config changed shape: the cached route was not set');
  return out;
};

test('6a. an exact-cache hit stored through A is served through B and C', { timeout: 120_000 }, async () => {
  const c = await startCluster({ config: cached });
  try {
    const [a, b, cc] = c.instances;
    const first = await chat(c, a!.url, 'cache-1', { content: 'what is the capital of france' });
    assert.equal(first.status, 200, first.body);
    assert.equal(first.headers['x-modelplane-cache'], 'miss');
    const upstream = c.sim.requests.length;
    for (const [i, inst] of [b!, cc!].entries()) {
      const r = await chat(c, inst.url, `cache-hit-${i}`, { content: 'what is the capital of france' });
      assert.equal(r.status, 200, r.body);
      assert.equal(r.headers['x-modelplane-cache'], 'hit-exact', `instance ${inst.name}`);
      assert.equal(JSON.parse(r.body).choices[0].message.content, JSON.parse(first.body).choices[0].message.content);
    }
    assert.equal(c.sim.requests.length, upstream, 'the hits made no upstream call');
  } finally {
    await c.close();
  }
});

test('6b. 30 identical concurrent misses spread over 3 instances make 1 upstream call', { timeout: 120_000 }, async () => {
  const c = await startCluster({ config: cached });
  try {
    c.sim.setFault('*', { latencyMs: 300 });
    const urls = c.instances.map((i) => i.url);
    const before = c.sim.requests.length;
    const rs = await Promise.all(Array.from({ length: 30 }, (_, i) => chat(c, urls[i % 3]!, `sf-${i}`, { content: 'one question for everyone' })));
    assert.ok(rs.every((r) => r.status === 200));
    assert.equal(c.sim.requests.length - before, 1);
  } finally {
    await c.close();
  }
});
