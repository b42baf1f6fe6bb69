// An auto route keeps the rest of the lifecycle: a budget's on_budget_exhausted targets serve it
// (the router does not re-plan them), shadow traffic mirrors it, and the response cache caches it.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../testkit/simulator.js';
import { injectable } from '../testkit/inject.js';

const THRIFTY = `mp-${'t'.repeat(32)}`;
let sim: Simulator;
before(async () => { sim = await startSimulator({ port: 0, replyWords: 200 }); });
after(async () => { await sim.close(); });

const HARD = 'Design a distributed job queue that handles 50 thousand requests per second across three regions. Cover the data model, consistency trade-offs, failure modes and how you would test it.';

const config = (route: string) => `
auth: { master_key: sk-master }
storage: { data_dir: ":memory:" }
providers:
  cheap: { format: openai-chat, base_url: ${sim.url}/cheap/v1, api_key: k1 }
  big:   { format: openai-chat, base_url: ${sim.url}/big/v1, api_key: k2 }
  mirror: { format: openai-chat, base_url: ${sim.url}/mirror/v1, api_key: k3 }
deployments:
  small-a: { provider: cheap, model: m-small, tier: small, price: { input: 0.01, output: 0.1 } }
  big-a:   { provider: big, model: m-big, tier: frontier, price: { input: 100, output: 1000 } }
  shadow-a: { provider: mirror, model: m-shadow }
routes:
  assistant: { strategy: auto, tiers: [small, frontier], auto: { threshold: 0.55 }, ${route} }
keys:
  thrifty: { key: ${THRIFTY}, budget: { usd: 0.01, period: day } }
`;

const ask = (g: ReturnType<typeof injectable>, extra: Record<string, string> = {}) =>
  g.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${THRIFTY}`, ...extra }, payload: { model: 'assistant', messages: [{ role: 'user', content: HARD }] } });

test('on_budget_exhausted serves an auto route from the budget\'s cheaper targets once the budget is spent', async () => {
  const g = injectable({ configText: config('on_budget_exhausted: { tier: small }') });
  try {
    const unlimited = await ask(g, { authorization: 'Bearer sk-master' });
    assert.equal(unlimited.statusCode, 200, unlimited.body);
    assert.equal(unlimited.headers['x-modelplane-deployment'], 'big-a', 'the router sends the hard prompt up');
    // The thrifty key's budget cannot cover the strong tier's worst case: its fallback serves it.
    const fallback = await ask(g);
    assert.equal(fallback.statusCode, 200, fallback.body);
    assert.equal(fallback.headers['x-modelplane-budget-fallback'], 'tier small');
    assert.equal(fallback.headers['x-modelplane-deployment'], 'small-a', 'the fallback targets, not the router\'s tier');
    assert.equal(fallback.headers['x-modelplane-tier'], undefined, 'the router did not re-plan the fallback');
  } finally {
    await g.close();
  }
});

test('shadow traffic mirrors an auto route, and its cache answers a repeat', async () => {
  const g = injectable({ configText: config('shadow: { targets: [shadow-a], sample: 1 }, cache: { mode: exact, ttl: 1h }') });
  try {
    const from = sim.requests.length;
    const r = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: 'Bearer sk-master' }, payload: { model: 'assistant', messages: [{ role: 'user', content: 'Translate into French: good morning' }] } });
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['x-modelplane-tier'], 'small');
    await sim.waitForRequest((q) => q.path.startsWith('/mirror'), from);
    const again = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: 'Bearer sk-master' }, payload: { model: 'assistant', messages: [{ role: 'user', content: 'Translate into French: good morning' }] } });
    assert.equal(again.headers['x-modelplane-cache'], 'hit-exact');
  } finally {
    await g.close();
  }
});
