// Issue 17, test 9: Postgres stopped for 10 s under load. Serving goes on with no client errors
// (nothing on the request path waits on Postgres), the ledger spools locally, admin writes
// answer a clear 503, and on recovery the spool drains and the ledger is complete.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { ADMIN_KEY, adminGet, runLoad, startCluster, waitForLedger } from './harness.js';

const OUTAGE_MS = 10_000;

test('Postgres down for 10 s under load: no client errors, the spool drains, the ledger is complete', { timeout: 180_000 }, async () => {
  const c = await startCluster();
  try {
    const load = runLoad(c, () => c.instances.map((i) => i.url), { workers: 8, prefix: 'pgdown' });
    await load.until(100);
    await c.postgres.stop();
    const atStop = load.completed.length;
    // The outage itself is the scenario's length, not a wait for something to happen.
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    const during = load.completed.length - atStop;
    assert.ok(during > 0, 'requests completed while Postgres was down');

    const spools = await Promise.all(c.instances.map(async (i) => ((await adminGet(c, i.url, '/admin/cluster')).json as { spool: { depth: number } }).spool.depth));
    assert.ok(spools.reduce((a, b) => a + b, 0) > 0, `records wait in the spools: ${spools.join(', ')}`);

    // The same as metrics, with the store's state.
    const metrics = await (await request(`${c.instances[0]!.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).body.text();
    assert.match(metrics, /modelplane_cluster_store_up\{store="postgres"\} 0/);
    assert.match(metrics, /modelplane_cluster_store_up\{store="redis"\} 1/);
    assert.ok(Number(/modelplane_ledger_spool_records (\d+)/.exec(metrics)?.[1]) > 0, 'the spool gauge shows the backlog');

    const write = await request(`${c.instances[0]!.url}/admin/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'during-outage' }),
    });
    const writeBody = await write.body.text();
    assert.equal(write.statusCode, 503, writeBody);
    assert.match(writeBody, /Postgres\) is unavailable, try again shortly/);

    await c.postgres.start();
    await load.until(load.completed.length + 100);
    await load.stop();
    assert.deepEqual(load.failed, [], 'no client saw an error');

    const ids = load.completed.map((r) => r.id);
    const rows = await waitForLedger(c.pool, (rs) => rs.length >= ids.length, 'the spools to drain');
    const got = new Map(rows.map((r) => [r.request_id, r]));
    assert.equal(rows.length, got.size, 'no request recorded twice');
    for (const r of load.completed) assert.deepEqual([got.get(r.id)?.input_tokens, got.get(r.id)?.output_tokens], [r.inputTokens, r.outputTokens], `row of ${r.id}`);
    assert.equal(rows.length, ids.length, 'no row beyond the completed requests');
    // The spool forgets a batch just after Postgres commits it: wait for that last step too.
    const depths = () => Promise.all(c.instances.map(async (i) => ((await adminGet(c, i.url, '/admin/cluster')).json as { spool: { depth: number } }).spool.depth));
    for (let d = await depths(); d.some((x) => x > 0); d = await depths()) await new Promise((r) => setTimeout(r, 20));
    // One line per outage, not one per 250 ms poll.
    for (const i of c.instances) {
      assert.equal(i.stdout.match(/tenant store poll failed/g)?.length ?? 0, 0);
      assert.equal(i.stdout.match(/tenant store: Postgres unavailable/g)?.length, 1, i.stdout.slice(-3000));
    }
    console.log(JSON.stringify({ completed: ids.length, duringOutage: during, spooledAtPeak: spools }));
  } finally {
    await c.close();
  }
});
