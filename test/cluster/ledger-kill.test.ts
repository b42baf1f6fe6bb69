// Issue 17, test 8: SIGKILL one instance under load. Every response a client received complete
// has exactly one ledger row in Postgres, with the usage the client saw (the simulator's); none
// lost, none doubled, none for a request nobody sent. The killed instance's spool ships when it
// comes back on its data directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runLoad, startCluster, waitForLedger } from './harness.js';

test('SIGKILL under load: exactly one ledger row per completed response, with its usage', { timeout: 180_000 }, async () => {
  const c = await startCluster();
  try {
    const [, victim] = c.instances;
    const load = runLoad(c, () => c.instances.filter((i) => i.running).map((i) => i.url), { workers: 12, prefix: 'kill' });
    await load.until(300);
    await victim!.stop('SIGKILL');
    // Keep the survivors busy a while after the kill (a count, not a time).
    const atKill = load.completed.length;
    await load.until(atKill + 300);
    await load.stop();
    await victim!.start();

    const completed = new Map(load.completed.map((r) => [r.id, r]));
    const rows = await waitForLedger(c.pool, (rs) => {
      const ids = new Set(rs.map((r) => r.request_id));
      return [...completed.keys()].every((id) => ids.has(id));
    }, 'a ledger row for every completed response');
    const byId = new Map<string, typeof rows>();
    for (const r of rows) byId.set(r.request_id, [...(byId.get(r.request_id) ?? []), r]);
    const doubled = [...byId.entries()].filter(([, rs]) => rs.length > 1).map(([id]) => id);
    assert.deepEqual(doubled, [], 'no request has two rows');
    const phantom = [...byId.keys()].filter((id) => !id.startsWith('kill-'));
    assert.deepEqual(phantom, [], 'no row for a request nobody sent');
    for (const [id, want] of completed) {
      const got = byId.get(id)![0]!;
      assert.deepEqual([got.input_tokens, got.output_tokens, got.settlement], [want.inputTokens, want.outputTokens, 'settled'], `usage of ${id}`);
    }
    // Rows for requests the kill cut off are allowed (the upstream answered, the client did not
    // get it), but only for requests that failed at the client.
    const failedIds = new Set(load.failed.map((f) => f.id));
    const extra = [...byId.keys()].filter((id) => !completed.has(id));
    assert.ok(extra.every((id) => failedIds.has(id)), `rows beyond the completed ones belong to cut-off requests: ${extra.join(', ')}`);
    console.log(JSON.stringify({ completed: completed.size, failedAtClient: load.failed.length, rows: rows.length, cutOffWithRow: extra.length }));
  } finally {
    await c.close();
  }
});
