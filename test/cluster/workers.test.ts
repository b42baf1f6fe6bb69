// `serve --workers 2`: two processes on one port, each a registered cluster instance; a killed
// worker is replaced; SIGTERM to the primary stops them all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adminGet, chat, startCluster } from './harness.js';

interface View { instances: Array<{ id: string; pid: number }> }

async function untilInstances(c: Parameters<typeof adminGet>[0], url: string, check: (v: View) => boolean): Promise<View> {
  // A liveness guard, not a speed bound: a worker that never registers fails the test (and the
  // finally below stops every process) instead of hanging the suite until its timeout.
  let last: View | undefined;
  for (let i = 0; i < 3000; i++) {
    // A connection the agent kept to a killed worker resets: ask again on a fresh one.
    const v = await adminGet(c, url, '/admin/cluster').then((r) => r.json as View, () => undefined);
    if (v && check(v)) return v;
    last = v ?? last;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`the registry never showed the expected workers: ${JSON.stringify(last)}`);
}

test('serve --workers 2: two registered instances behind one port; a killed worker is replaced', { timeout: 120_000 }, async () => {
  const c = await startCluster({ instances: 1, serveArgs: ['--workers', '2'] });
  try {
    const [gw] = c.instances;
    const v = await untilInstances(c, gw!.url, (x) => x.instances.length === 2);
    const pids = v.instances.map((i) => i.pid);
    assert.equal(new Set(pids).size, 2);
    assert.ok(!pids.includes(gw!.pid!), 'the primary serves nothing itself');
    for (let i = 0; i < 10; i++) assert.equal((await chat(c, gw!.url, `w-${i}`)).status, 200);
    process.kill(pids[0]!, 'SIGKILL');
    const replaced = await untilInstances(c, gw!.url, (x) => x.instances.length === 2 && !x.instances.some((i) => i.pid === pids[0]));
    assert.equal(replaced.instances.filter((i) => i.pid === pids[1]).length, 1);
    await gw!.stop('SIGTERM');
    assert.equal(gw!.running, false);
  } finally {
    await c.close();
  }
});
