// Browser test of the dashboard: Debian's chromium driven by playwright-core (no browser
// download). Signs in, sends traffic through the gateway to the simulated providers, and checks
// that the panels show it: numbers in the DOM equal /admin/dashboard/data and /admin/health, and
// the charts' canvases have pixels drawn. A stage here plays the parts the tenants and cache
// branches will fill (caller attribution, prices, cache outcomes). Skips, saying why, when
// chromium is not installed (`.ci/run` installs it).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { startSimulator, type Simulator } from '../testkit/simulator.js';
import { startGateway, type Gateway } from '../src/server/app.js';
import { loadSnapshotFromText } from '../src/config/load.js';
import type { Extension } from '../src/gateway/extension.js';
import { metricsExtension } from '../src/telemetry/metrics-extension.js';
import { captureLogger } from './harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `chromium is not installed at ${CHROMIUM} (apt-get install -y chromium; .ci/run does it)`;

const KEY = 'sk-dash-master';
const ADMIN = 'sk-dash-admin';
const config = (sim: string) => `
auth: { master_key: ${KEY}, admin_key: ${ADMIN} }
health: { breaker: { consecutive_failures: 1, cooldown: 10m } }
providers:
  good: { format: openai-chat, base_url: ${sim}/good/v1, api_key: sk-good }
  bad:  { format: openai-chat, base_url: ${sim}/bad/v1, api_key: sk-bad }
deployments:
  good-a: { provider: good, model: m-a }
  bad-1:  { provider: bad, model: m-x }
routes:
  support: { targets: [bad-1, good-a] }
  search:  { targets: [good-a] }
  broken:  { targets: [bad-1], retry: { max_attempts: 1 } }
`;

/** Plays tenants and the cache: `x-team` attributes the caller, every answer costs $0.25, `x-hit` is a cache hit. */
function fakeLedgerAndCache(): Extension {
  return {
    name: 'fake-ledger',
    stage: async (call, next) => {
      if (call.endpoint !== 'chat') return next();
      const team = call.ex.req.headers['x-team'];
      if (typeof team === 'string') call.caller = { kind: 'key', keyId: `k-${team}`, team, agent: 'triage-bot' };
      call.outcome.cache = call.ex.req.headers['x-hit'] ? 'hit' : 'miss';
      const answer = await next();
      call.outcome.costUsd = 0.25;
      return answer;
    },
  };
}

let sim: Simulator;
let gw: Gateway;
let browser: Browser | undefined;

before(async () => {
  if (skip) return;
  sim = await startSimulator({ port: 0 });
  const text = config(sim.url);
  gw = await startGateway({ configText: text, port: 0, logger: captureLogger([]), env: {}, extensions: [metricsExtension({ snapshot: loadSnapshotFromText(text, { env: {} }) }), fakeLedgerAndCache()] });
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
});

after(async () => {
  await browser?.close();
  await gw?.close();
  await sim?.close();
});

const text = (page: Page, sel: string) => page.locator(sel).innerText();
const rows = async (page: Page, sel: string) => (await page.locator(`${sel} tbody tr`).allInnerTexts()).map((r) => r.split('\t'));
// Page scripts are strings: this project compiles without the DOM's types.
const refresh = (page: Page) => page.evaluate('window.modelplaneDashboard.refresh()');

async function adminJson(path: string): Promise<any> {
  const res = await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(res.status, 200);
  return res.json();
}

/** Pixels with any opacity in the chart's canvas: uPlot drew something. */
function drawnPixels(page: Page, chart: string): Promise<number> {
  return page.evaluate(`(() => {
    const c = document.querySelector('#${chart} canvas');
    if (!c) return -1;
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
    return n;
  })()`) as Promise<number>;
}

describe('dashboard in chromium', { skip }, () => {
  test('sign in, traffic, panels show it; charts drawn; a screenshot', async () => {
    const page = await browser!.newPage({ viewport: { width: 1360, height: 1500 }, colorScheme: 'light' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const offsite: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(gw.url)) offsite.push(r.url());
    });

    await page.goto(`${gw.url}/dashboard`);
    await page.locator('#admin-key').fill('sk-wrong');
    await page.locator('#signin-form button[type=submit]').click();
    await page.locator('#signin-error').waitFor({ state: 'visible' });
    assert.match(await text(page, '#signin-error'), /not accepted/);

    await page.locator('#admin-key').fill(ADMIN);
    await page.locator('#signin-form button[type=submit]').click();
    await page.locator('body[data-refreshed]').waitFor();
    assert.equal(await text(page, '#kpi-requests'), '0');
    assert.match(await text(page, '[data-testid=spend-empty]'), /No ledger yet/);
    assert.match(await text(page, '[data-testid=cache-empty]'), /No cache yet/);
    assert.equal(page.url().includes(ADMIN), false, 'the key is never in a URL');

    // Traffic: bad-1 fails once (its breaker opens), support falls back, search answers, broken fails.
    sim.setFault('/bad', { status: 503 });
    const client = (team: string, hit = false) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0, defaultHeaders: { 'x-team': team, ...(hit ? { 'x-hit': '1' } : {}) } });
    const ask = { messages: [{ role: 'user' as const, content: 'dashboard traffic' }] };
    await client('blue').chat.completions.create({ model: 'support', ...ask });
    await client('blue', true).chat.completions.create({ model: 'search', ...ask });
    await client('red').chat.completions.create({ model: 'search', ...ask, stream: true }).then(async (s) => { for await (const _ of s) void _; });
    await client('red').chat.completions.create({ model: 'search', ...ask });
    await client('red').chat.completions.create({ model: 'search', ...ask });
    await assert.rejects(client('red').chat.completions.create({ model: 'broken', ...ask }), OpenAI.APIError);

    await refresh(page);
    const data = await adminJson('/admin/dashboard/data?range=15m');
    const health = await adminJson('/admin/health');
    assert.equal(data.totals.requests, 6);
    assert.equal(await text(page, '#kpi-requests'), String(data.totals.requests));
    assert.equal(await text(page, '#kpi-errors'), `${(data.totals.error_rate * 100).toFixed(1)}%`);
    assert.equal(await text(page, '#kpi-cache'), '16.7%', 'one hit in six lookups');
    assert.equal(await text(page, '#kpi-spend'), '$1.25');
    assert.match(await text(page, '#kpi-latency'), /^\d+ ms \/ \d+ ms$|s/);
    const teams = await page.locator('[data-testid=spend-by_team] tbody tr').allInnerTexts();
    assert.deepEqual(teams.map((r) => r.split('\t')), [['red', '$0.7500'], ['blue', '$0.5000']], 'the failed request was not priced');
    assert.deepEqual((await page.locator('[data-testid=spend-by_agent] tbody tr').allInnerTexts()).map((r) => r.split('\t')[0]), ['triage-bot']);
    const routes = (await page.locator('[data-testid=routes-table] tbody tr').allInnerTexts()).map((r) => r.split('\t'));
    assert.deepEqual(routes, data.top_routes.map((r: { id: string; requests: number; errors: number }) => [r.id, String(r.requests), String(r.errors)]));
    assert.deepEqual(routes[0], ['search', '4', '0']);
    const healthRows = (await page.locator('[data-testid=health-table] tbody tr').allInnerTexts()).map((r) => r.split('\t'));
    for (const d of health.deployments as Array<{ id: string; state: string }>) {
      assert.ok(healthRows.some((r) => r[0] === 'deployment' && r[1] === d.id && r[2] === d.state), `${d.id} ${d.state} in ${JSON.stringify(healthRows)}`);
    }
    assert.ok(healthRows.some((r) => r[1] === 'bad-1' && r[2] === 'open'));
    // The timeline: the sign-in's view was the baseline (all closed); bad-1 opened since.
    const changes = (await rows(page, '[data-testid=timeline-table]')).map((r) => r.slice(1));
    assert.deepEqual(changes, data.health_changes.map((c: { level: string; id: string; from: string; to: string }) => [c.level, c.id, c.from, c.to]));
    assert.ok(changes.some((c) => c[0] === 'deployment' && c[1] === 'bad-1' && c[2] === 'closed' && c[3] === 'open'), JSON.stringify(changes));
    assert.ok((await drawnPixels(page, 'chart-traffic')) > 100, 'the traffic chart has pixels');
    // What the chart drew is what the endpoint counted, interval by interval.
    const drawn = (await page.evaluate('window.modelplaneDashboard.charts["chart-traffic"].data[1]')) as number[];
    assert.equal(drawn.reduce((a, b) => a + b, 0), data.totals.requests);
    const p95 = (await page.evaluate('window.modelplaneDashboard.charts["chart-latency"].data[2].filter((v) => v != null)')) as number[];
    assert.ok(p95.length >= 1 && p95.every((v) => v > 0), 'latency points drawn');
    assert.ok((await drawnPixels(page, 'chart-latency')) > 100, 'the latency chart has pixels');

    const shot = process.env.DASHBOARD_SCREENSHOT ?? join(tmpdir(), 'modelplane-dashboard.png');
    await page.screenshot({ path: shot, fullPage: true });
    await page.locator('#theme').click();
    assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
    await page.screenshot({ path: shot.replace(/\.png$/, '-dark.png'), fullPage: true });
    assert.deepEqual(errors, [], 'no script errors');
    assert.deepEqual(offsite, [], 'no request leaves the gateway (no CDN)');
    sim.setFault('/bad', null);
  });
});
