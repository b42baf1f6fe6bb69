// Issue 17, test 4: a key revoked through instance A is refused by instance B (the measured delay
// is printed: the promise is 1 s; the store's change counter, polled every 250 ms, is the floor
// under the Redis pub/sub notice). A key created through A works through C.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { ADMIN_KEY, chat, startCluster } from './harness.js';

async function untilStatus(send: () => Promise<number>, want: number, what: string): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; ; i++) {
    if ((await send()) === want) return performance.now() - t0;
    if (i > 20_000) throw new Error(`never saw ${want} for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

test('a key created through A works on C; revoked through A, it is refused by B', { timeout: 120_000 }, async () => {
  const c = await startCluster();
  try {
    const [a, b, cc] = c.instances;
    const created = await request(`${a!.url}/admin/keys`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'roaming' }) });
    const body = (await created.body.json()) as { id: string; key: string };
    assert.equal(created.statusCode, 201, JSON.stringify(body));
    let n = 0;
    const seenByC = await untilStatus(async () => (await chat(c, cc!.url, `new-${n++}`, { key: body.key })).status, 200, 'the new key on C');
    await untilStatus(async () => (await chat(c, b!.url, `new-${n++}`, { key: body.key })).status, 200, 'the new key on B');

    const revoked = await request(`${a!.url}/admin/keys/${body.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    assert.equal(revoked.statusCode, 200, await revoked.body.text());
    const delay = await untilStatus(async () => (await chat(c, b!.url, `rev-${n++}`, { key: body.key })).status, 401, 'the revoked key on B');
    const refused = await chat(c, b!.url, 'after', { key: body.key });
    assert.equal(refused.status, 401);
    assert.match(refused.body, /revoked/);
    console.log(JSON.stringify({ createdSeenByCMs: Math.round(seenByC), revocationSeenByBMs: Math.round(delay) }));
  } finally {
    await c.close();
  }
});
