// Browser test of the dashboard's admin-API panels, against a gateway with the default
// extensions (real keys, ledger, budgets and semantic cache; simulated provider on loopback):
// the spend drill-down team → key → agent → workflow and its customers equal /admin/spend, the
// top movers equal the last hour's spend, budgets equal /admin/budgets, a key created in the UI
// works and stops working once revoked in the UI, the live tail lists the requests sent (and
// opens one's detail, and filters), and the similarity panel counts the semantic hit /metrics
// counts. Screenshots in both themes. Skips when chromium is missing, as e2e-dashboard does.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import type { Browser, Page } from 'playwright-core';
import { startSimulator, type Simulator } from '../testkit/simulator.js';
import { startGateway, type Gateway } from '../src/server/app.js';
import { parseProm, sum } from '../testkit/prom-text.js';
import { captureLogger } from './harness.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `chromium is not installed at ${CHROMIUM} (apt-get install -y chromium; .ci/run does it)`;

const MASTER = 'sk-panels-master';
const ADMIN = 'sk-panels-admin';
const ALPHA = `mp-${'a'.repeat(32)}`;
const BETA = `mp-${'b'.repeat(32)}`;
const config = (sim: string) => `
auth: { master_key: ${MASTER}, admin_key: ${ADMIN} }
teams:
  blue: {}
  red: {}
keys:
  alpha: { key: ${ALPHA}, team: blue, agent: triage, budget: { usd: 10, period: month } }
  beta: { key: ${BETA}, team: red }
providers:
  sim: { format: openai-chat, base_url: ${sim}/v1, api_key: sk-sim }
deployments:
  main: { provider: sim, model: m-main, price: { input: 100, output: 200 } }
routes:
  chat: { targets: [main] }
  faq: { targets: [main], cache: { mode: semantic, ttl: 1h } }
`;

let sim: Simulator;
let gw: Gateway;
let browser: Browser | undefined;

before(async () => {
  if (skip) return;
  sim = await startSimulator({ port: 0 });
  const file = join(mkdtempSync(join(tmpdir(), 'mp-panels-')), 'gateway.yaml');
  writeFileSync(file, config(sim.url));
  gw = await startGateway({ configFile: file, port: 0, logger: captureLogger([]), env: {} });
  const { chromium } = await import('playwright-core');
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
});

after(async () => {
  await browser?.close();
  await gw?.close();
  await sim?.close();
});

async function adminJson(path: string): Promise<any> {
  const res = await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(res.status, 200, path);
  return res.json();
}

const refresh = (page: Page) => page.evaluate('window.modelplaneDashboard.refresh()');
const rows = async (page: Page, sel: string) => (await page.locator(`${sel} tbody tr`).allInnerTexts()).map((r) => r.split('\t'));
const usd = (x: number) => `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}`;

describe('dashboard panels in chromium', { skip }, () => {
  test('drill-down, movers, budgets, keys (create, revoke), live tail, similarity', async () => {
    const page = await browser!.newPage({ viewport: { width: 1360, height: 2600 }, colorScheme: 'light' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('dialog', (d) => void d.accept());

    const client = (key: string, headers: Record<string, string> = {}) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries: 0, defaultHeaders: headers });
    const ask = (c: OpenAI, content: string, model = 'chat') => c.chat.completions.create({ model, messages: [{ role: 'user', content }] });
    await ask(client(ALPHA, { 'x-modelplane-workflow': 'intake', 'x-modelplane-customer': 'acme' }), 'first');
    await ask(client(ALPHA, { 'x-modelplane-workflow': 'intake', 'x-modelplane-customer': 'acme' }), 'second');
    await ask(client(ALPHA, { 'x-modelplane-workflow': 'refund' }), 'third');
    await ask(client(BETA), 'fourth');
    await ask(client(MASTER), 'How do I reset my password?', 'faq');
    const para = await client(MASTER).chat.completions.create({ model: 'faq', messages: [{ role: 'user', content: 'How can I reset my password?' }] }).withResponse();
    assert.equal(para.response.headers.get('x-modelplane-cache'), 'hit-semantic');

    await page.goto(`${gw.url}/dashboard`);
    await page.locator('#admin-key').fill(ADMIN);
    await page.locator('#signin-form button[type=submit]').click();
    await page.locator('body[data-refreshed]').waitFor();
    await refresh(page);

    // Drill-down: teams, then blue's keys, then alpha's agents (and customers), then triage's workflows.
    const byTeam = await adminJson('/admin/spend?group_by=team&since=24h');
    const teams = byTeam.rows.filter((r: { team: string | null }) => r.team !== null);
    assert.equal(teams.length, 2);
    const teamRows = await rows(page, '[data-testid=drill-table]');
    for (const t of teams) assert.ok(teamRows.some((r) => r[0] === t.team && r[1] === String(t.requests) && r[3] === usd(t.cost_usd)), `${JSON.stringify(t)} in ${JSON.stringify(teamRows)}`);
    await page.locator('[data-testid=drill-team-blue]').click();
    await page.locator('[data-testid=drill-up-1]').waitFor();
    const alphaId = (await adminJson('/admin/spend?group_by=key&since=24h&team=blue')).rows[0].key as string;
    assert.deepEqual((await rows(page, '[data-testid=drill-table]')).map((r) => r[0]), [alphaId]);
    await page.locator(`[data-testid="drill-key-${alphaId}"]`).click();
    await page.locator('[data-testid=drill-up-2]').waitFor();
    assert.deepEqual((await rows(page, '[data-testid=drill-table]')).map((r) => [r[0], r[1]]), [['triage', '3']]);
    const customers = await rows(page, '[data-testid=drill-customers]');
    assert.ok(customers.some((r) => r[0] === 'acme' && r[1] === '2'), JSON.stringify(customers));
    await page.locator('[data-testid=drill-agent-triage]').click();
    await page.locator('[data-testid=drill-up-3]').waitFor();
    const wf = await adminJson(`/admin/spend?group_by=workflow&since=24h&team=blue&key=${alphaId}&agent=triage`);
    const wfRows = await rows(page, '[data-testid=drill-table]');
    assert.deepEqual(wfRows.map((r) => [r[0], r[1], r[3]]).sort(), wf.rows.map((r: { workflow: string; requests: number; cost_usd: number }) => [r.workflow, String(r.requests), usd(r.cost_usd)]).sort());
    assert.deepEqual(wfRows.map((r) => r[0]).sort(), ['intake', 'refund']);
    await page.locator('[data-testid=drill-up-0]').click();
    await page.locator('[data-testid=drill-team-red]').waitFor();

    // Spend by one dimension: deployment, then provider, as the ledger groups them.
    for (const by of ['deployment', 'provider']) {
      await page.locator('#spend-by').selectOption(by);
      const want = (await adminJson(`/admin/spend?group_by=${by}&since=24h`)).rows.map((r: Record<string, unknown>) => [r[by] == null ? '(none)' : String(r[by]), String(r.requests), usd(r.cost_usd as number)]);
      await page.locator('[data-testid=spend-by-rows] th', { hasText: by }).waitFor();
      assert.deepEqual((await rows(page, '[data-testid=spend-by-rows]')).map((r) => [r[0], r[1], r[3]]), want, by);
    }

    // Who spent it: the last hour per agent (no history: the baseline is zero).
    const hour = await adminJson('/admin/spend?group_by=agent&since=1h');
    const triage = hour.rows.find((r: { agent: string }) => r.agent === 'triage');
    assert.deepEqual((await rows(page, '[data-testid=movers-table]'))[0]!.slice(0, 2), ['triage', usd(triage.cost_usd)]);

    // Budgets: alpha's key budget as the admin API has it.
    const budgets = (await adminJson('/admin/budgets')).budgets as Array<{ budget: string; spent_usd: number; limit_usd: number }>;
    const kb = budgets.find((b) => b.budget === `key:${alphaId}`)!;
    assert.ok(kb.spent_usd > 0);
    const brow = (await rows(page, '[data-testid=budgets-table]')).find((r) => r[0] === kb.budget)!;
    assert.deepEqual([brow[2], brow[4]], [usd(kb.spent_usd), usd(kb.limit_usd)]);
    assert.equal(await page.locator(`[data-testid=budgets-table] [role=meter][aria-label="${kb.budget} utilisation"]`).getAttribute('aria-valuenow'), String(Math.round((100 * kb.spent_usd) / kb.limit_usd)));

    // Keys: create one in the UI, use it, revoke it in the UI, and it is refused.
    const keyRows = await rows(page, '[data-testid=keys-table]');
    assert.ok(keyRows.some((r) => r[0] === 'alpha' && r[3] === 'active' && r[5] === `${usd(kb.spent_usd)} of ${usd(kb.limit_usd)}`), JSON.stringify(keyRows));
    await page.locator('#key-name').fill('made-in-ui');
    await page.locator('#key-team').fill('red');
    await page.locator('#key-form button[type=submit]').click();
    const secret = await page.locator('[data-testid=key-secret]').innerText();
    assert.match(secret, /^mp-/);
    await ask(client(secret), 'from the new key');
    const made = ((await adminJson('/admin/keys')).keys as Array<{ id: string; name: string }>).find((k) => k.name === 'made-in-ui')!;
    // Edit its limits in the UI: one request per minute (counted from the edit on).
    await page.locator(`[data-testid="edit-${made.id}"]`).click();
    await page.locator(`[data-testid="limits-${made.id}"] [data-testid=limits-rpm]`).fill('1');
    await page.locator(`[data-testid="limits-${made.id}"] [data-testid=limits-usd]`).fill('2.5');
    await page.locator(`[data-testid="limits-${made.id}"] [data-testid=limits-save]`).click();
    await page.locator('#key-message', { hasText: 'saved' }).waitFor();
    const edited = ((await adminJson('/admin/keys')).keys as Array<{ id: string; limits?: { rpm?: number }; budget?: { usd: number } }>).find((k) => k.id === made.id)!;
    assert.equal(edited.limits?.rpm, 1);
    assert.equal(edited.budget?.usd, 2.5);
    // The table redraws after the save: wait for the row, then check its cell.
    await page.locator('[data-testid=keys-table] tbody tr', { hasText: 'made-in-ui' }).filter({ hasText: 'req/min' }).waitFor();
    assert.ok((await rows(page, '[data-testid=keys-table]')).some((r) => r[0] === 'made-in-ui' && r[6] === '1 req/min'));
    await ask(client(secret), 'the one request this minute');
    await assert.rejects(ask(client(secret), 'a second request this minute'), OpenAI.RateLimitError);
    await page.locator(`[data-testid="revoke-${made.id}"]`).click();
    await page.locator('[data-testid=keys-table] tbody tr', { hasText: 'made-in-ui' }).filter({ hasText: 'revoked' }).waitFor();
    await assert.rejects(ask(client(secret), 'after revocation'), OpenAI.AuthenticationError);

    // Live tail: every request served, newest first (the revoked key's was refused before it was
    // served: no request line, no tail row, as for /metrics; the 429 was served); a detail; a filter.
    await refresh(page);
    const tail = (await adminJson('/admin/dashboard/tail?after=0')).requests as Array<{ seq: number; request_id: string; route: string; status: number; cost_usd: number | null }>;
    const shown = await rows(page, '[data-testid=tail-table]');
    assert.equal(shown.length, tail.length);
    assert.equal(tail.length, 9, 'six chats, the new key\'s two answers and its rate-limit refusal (a served request)');
    assert.deepEqual(tail.map((r) => r.status).slice(-1), [429]);
    assert.equal(shown[0]![4], String(tail[tail.length - 1]!.status));
    const first = tail[0]!;
    await page.locator(`[data-testid=tail-open-${first.seq}]`).click();
    assert.equal(await page.locator('[data-testid=tail-detail] dd[data-field="Request id"]').innerText(), first.request_id);
    assert.equal(await page.locator('[data-testid=tail-detail] dd[data-field="Route"]').innerText(), first.route);
    assert.equal(await page.locator('[data-testid=tail-detail] dd[data-field="Cost"]').innerText(), usd(first.cost_usd!));
    await page.locator('#tail-filter').fill('faq');
    assert.equal((await rows(page, '[data-testid=tail-table]')).length, tail.filter((r) => r.route === 'faq').length);
    await page.locator('#tail-filter').fill('');

    // Similarity: the semantic hit, in the bucket its header names.
    const metrics = parseProm(await (await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } })).text());
    assert.equal(sum(metrics, 'modelplane_cache_similarity_count', { route: 'faq' }), 1);
    const sim1 = await rows(page, '[data-testid=similarity-table]');
    assert.equal(sim1.length, 1);
    assert.equal(sim1[0]![1], '1');
    const similarity = Number(para.response.headers.get('x-modelplane-cache-similarity'));
    const [lo, hi] = sim1[0]![0]!.split(' – ').map(Number) as [number, number];
    assert.ok(similarity > lo && similarity <= hi, `${similarity} in (${lo}, ${hi}]`);

    const shot = (process.env.DASHBOARD_SCREENSHOT ?? join(tmpdir(), 'modelplane-dashboard.png')).replace(/\.png$/, '-panels.png');
    await page.screenshot({ path: shot, fullPage: true });
    await page.locator('#theme').click();
    await page.screenshot({ path: shot.replace(/\.png$/, '-dark.png'), fullPage: true });
    assert.deepEqual(errors, [], 'no script errors');
  });
});
