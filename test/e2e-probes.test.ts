// Active health probes: a deployment that fails while idle is opened by its probes before any
// user request, and closed again by them once it recovers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KEY, startHarness, type Harness } from './harness.js';

let h: Harness;

before(async () => {
  h = await startHarness({
    extra: 'health: { breaker: { consecutive_failures: 2, cooldown: 300ms, max_cooldown: 300ms } }',
    config: `
providers:
  sim-probed: { format: openai-chat, base_url: SIM/probed/v1, api_key: k }
deployments:
  probed: { provider: sim-probed, model: m, probe: { interval: 100ms, timeout: 1s } }
routes:
  r: { targets: [probed] }
`,
  });
});
after(async () => h.close());

async function state(): Promise<string> {
  const res = await fetch(`${h.url}/admin/health`, { headers: { authorization: `Bearer ${KEY}` } });
  const doc = (await res.json()) as { deployments: Array<{ id: string; state: string }> };
  return doc.deployments.find((d) => d.id === 'probed')!.state;
}

async function waitFor(want: string, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if ((await state()) === want) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

test('probes open the breaker of a failing idle deployment and close it after recovery', async () => {
  // Probes every 100 ms: at least two within a couple of seconds, even on a loaded machine.
  const probed = () => h.sim.requests.filter((r) => r.path === '/probed/v1/chat/completions');
  for (let end = Date.now() + 2_000; probed().length < 2 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 25));
  const probes = probed();
  assert.ok(probes.length >= 2, `probes were sent (${probes.length})`);
  const body = probes[0]!.body as { max_tokens?: number; max_completion_tokens?: number };
  assert.equal(body.max_tokens ?? body.max_completion_tokens, 1, 'a probe asks for one token');
  assert.equal(await state(), 'closed');
  h.sim.setFault('/probed', { status: 503 });
  assert.ok(await waitFor('open'), 'opened by probes, no user request');
  h.sim.setFault('/probed', null);
  assert.ok(await waitFor('closed'), 'closed again by a successful probe after the cooldown');
});
