// A client that leaves mid-stream: the upstream is released at once, the deployment is not
// charged a failure, and the log line says 499.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KEY, startHarness, type Harness } from './harness.js';

let h: Harness;
before(async () => {
  h = await startHarness({
    config: `
providers:
  sim-slowtok: { format: openai-chat, base_url: SIM/slowtok/v1, api_key: k }
deployments:
  a: { provider: sim-slowtok, model: m }
routes:
  r: { targets: [a] }
`,
  });
});
after(async () => h.close());

test('client disconnect mid-stream: 499 in the log, no failure charged to the deployment', async () => {
  h.sim.setFault('/slowtok', { tokenDelayMs: 150 });
  const ac = new AbortController();
  const res = await fetch(`${h.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
    body: JSON.stringify({ model: 'r', stream: true, messages: [{ role: 'user', content: 'a fairly long question with many words to answer slowly' }] }),
    signal: ac.signal,
  });
  assert.equal(res.status, 200);
  const reader = res.body!.getReader();
  await reader.read();
  ac.abort();
  // The gateway gives its verdict on the attempt, then writes the request line: once the line is
  // there, the health figures below are final.
  const line = await h.log.requestLine(res.headers.get('x-request-id'));
  assert.equal(line.status, 499);
  const doc = (await (await fetch(`${h.url}/admin/health`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as {
    deployments: Array<{ id: string; consecutive_failures: number; in_flight: number }>;
  };
  const dep = doc.deployments.find((d) => d.id === 'a')!;
  assert.equal(dep.consecutive_failures, 0, 'a client leaving is not an upstream failure');
  assert.equal(dep.in_flight, 0, 'the attempt was released');
  h.sim.setFault('/slowtok', null);
});
