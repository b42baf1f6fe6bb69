// E2E: the metrics that read other capabilities' state, through a real gateway with the default
// extensions (simulated provider on loopback, the official OpenAI SDK as the client): a key's
// budget (limit, spend, utilisation, soft-alert state) against GET /admin/budgets, rate-limit
// refusals by scope and limit, shadow mirrors against GET /admin/shadow, and what an exact cache
// hit saved against GET /admin/cache.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startSimulator, type Simulator } from '../testkit/simulator.js';
import { startGateway, type Gateway } from '../src/server/app.js';
import { parseProm, sum, type Sample } from '../testkit/prom-text.js';
import { captureLogger } from './harness.js';

const MASTER = 'sk-state-master';
const ADMIN = 'sk-state-admin';
const USER_KEY = `mp-${'s'.repeat(32)}`;

const config = (sim: string) => `
auth: { master_key: ${MASTER}, admin_key: ${ADMIN} }
keys:
  spender: { key: ${USER_KEY}, budget: { usd: 0.001, period: month, soft: 0.000001 }, limits: { rpm: 3 } }
providers:
  sim: { format: openai-chat, base_url: ${sim}/v1, api_key: sk-sim }
deployments:
  main: { provider: sim, model: m-main, price: { input: 1, output: 2 } }
  cand: { provider: sim, model: m-cand, price: { input: 1, output: 2 } }
routes:
  chat: { targets: [main] }
  mirrored: { targets: [main], shadow: { targets: [cand], sample: 1 } }
  cached: { targets: [main], cache: { mode: exact, ttl: 1h } }
`;

let sim: Simulator;
let gw: Gateway;

async function admin<T>(path: string): Promise<T> {
  const res = await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(res.status, 200, path);
  return (await res.json()) as T;
}

async function scrape(): Promise<Sample[]> {
  const res = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(res.status, 200);
  return parseProm(await res.text());
}

before(async () => {
  sim = await startSimulator({ port: 0 });
  const file = join(mkdtempSync(join(tmpdir(), 'mp-state-metrics-')), 'gateway.yaml');
  writeFileSync(file, config(sim.url));
  gw = await startGateway({ configFile: file, port: 0, logger: captureLogger([]), env: {} });
});

after(async () => {
  await gw?.close();
  await sim.close();
});

describe('metrics of budgets, rate limits, shadow and cache savings', () => {
  test('a key with a budget and a 3-per-minute limit: spend, soft alert, and the refusal by scope', async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: USER_KEY, maxRetries: 0 });
    for (let i = 0; i < 3; i++) await client.chat.completions.create({ model: 'chat', max_tokens: 16, messages: [{ role: 'user', content: `hello ${i}` }] });
    await assert.rejects(client.chat.completions.create({ model: 'chat', max_tokens: 16, messages: [{ role: 'user', content: 'one too many' }] }), OpenAI.RateLimitError);
    const s = await scrape();
    assert.equal(sum(s, 'modelplane_rate_limit_refusals_total', { route: 'chat', scope: 'key', limit: 'requests' }), 1);
    assert.equal(sum(s, 'modelplane_rate_limit_refusals_total'), 1);
    const budgets = await admin<{ budgets: Array<{ budget: string; spent_usd: number; limit_usd: number; soft_alerted: boolean }> }>('/admin/budgets');
    const b = budgets.budgets.find((x) => x.budget.startsWith('key:'));
    assert.ok(b, JSON.stringify(budgets));
    assert.ok(b.spent_usd > 0, 'the three answers were priced');
    const labels = { budget: b.budget, scope: 'key' };
    assert.equal(sum(s, 'modelplane_budget_limit_usd', labels), b.limit_usd);
    assert.equal(sum(s, 'modelplane_budget_spent_usd', labels), b.spent_usd);
    assert.equal(sum(s, 'modelplane_budget_utilisation_ratio', labels), b.spent_usd / b.limit_usd);
    assert.equal(b.soft_alerted, true, 'a tiny soft threshold: crossed by the first answer');
    assert.equal(sum(s, 'modelplane_budget_soft_alert', labels), 1);
    assert.equal(sum(s, 'modelplane_budgets'), budgets.budgets.length);
  });

  test('shadow mirrors sent, as GET /admin/shadow counts them', async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: MASTER, maxRetries: 0 });
    await client.chat.completions.create({ model: 'mirrored', messages: [{ role: 'user', content: 'mirror me' }] });
    await client.chat.completions.create({ model: 'mirrored', messages: [{ role: 'user', content: 'and me' }] });
    // Mirrors run after the response has left: wait for the shadow's own count to reach two.
    type Shadow = { routes: Array<{ route: string; candidate: string; pairs: number; dropped: number }> };
    let view = await admin<Shadow>('/admin/shadow?route=mirrored');
    while ((view.routes[0]?.pairs ?? 0) < 2) {
      await new Promise((r) => setImmediate(r));
      view = await admin<Shadow>('/admin/shadow?route=mirrored');
    }
    const s = await scrape();
    assert.equal(sum(s, 'modelplane_shadow_mirrors_total', { route: 'mirrored', candidate: 'cand', outcome: 'sent' }), 2);
    assert.equal(sum(s, 'modelplane_shadow_mirrors_total', { route: 'mirrored', candidate: 'cand', outcome: 'dropped' }), view.routes[0]!.dropped);
  });

  test('what an exact cache hit saved, as GET /admin/cache counts it', async () => {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: MASTER, maxRetries: 0 });
    const ask = () => client.chat.completions.create({ model: 'cached', messages: [{ role: 'user', content: 'the same question' }] }).withResponse();
    await ask();
    const hit = await ask();
    assert.match(hit.response.headers.get('x-modelplane-cache') ?? '', /^hit/);
    const s = await scrape();
    const tokens = sum(s, 'modelplane_cache_tokens_saved_total', { route: 'cached' });
    assert.ok(tokens > 0, 'a hit saves the answer\'s tokens');
    const kpi = await admin<Record<string, unknown>>('/admin/cache');
    const text = JSON.stringify(kpi);
    assert.match(text, new RegExp(`"tokensSaved":${tokens}\\b|"tokens_saved":${tokens}\\b`), `the cache KPI says ${tokens} tokens saved too: ${text.slice(0, 400)}`);
    assert.ok(sum(s, 'modelplane_cache_usd_saved_total', { route: 'cached' }) > 0, 'the deployment is priced');
  });
});
