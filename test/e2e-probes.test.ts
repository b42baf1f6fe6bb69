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

test('probes open the breaker of a failing idle deployment and close it after recovery', async () => {
  // No user request is ever sent: every request the simulator sees is a probe.
  const probePath = '/probed/v1/chat/completions';
  const first = await h.sim.waitForRequest((r) => r.path === probePath);
  await h.sim.waitForRequest((r) => r.path === probePath, 1);
  const body = first.body as { max_tokens?: number; max_completion_tokens?: number };
  assert.equal(body.max_tokens ?? body.max_completion_tokens, 1, 'a probe asks for one token');
  assert.equal(await state(), 'closed');
  const from = h.log.items.length;
  h.sim.setFault('/probed', { status: 503 });
  await h.log.healthChange('probed', 'open', from);
  assert.equal(await state(), 'open', 'opened by probes, no user request');
  h.sim.setFault('/probed', null);
  const closed = await h.log.healthChange('probed', 'closed', from);
  assert.equal((closed.health as { reason?: string }).reason, 'trial succeeded');
  assert.equal(await state(), 'closed', 'closed again by a successful probe after the cooldown');
  assert.ok(h.sim.requests.every((r) => r.path === probePath), 'only probes reached the upstream');
});
