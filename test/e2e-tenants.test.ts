// Tenants end to end: keys made by the CLI and the admin API, used by the official OpenAI and
// Anthropic SDKs against a real gateway on loopback, with the simulated providers upstream.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { startSimulator, type Simulator } from '../testkit/simulator.js';
import { startGateway, type Gateway } from '../src/server/app.js';
import { LogSink } from '../testkit/log-sink.js';

const run = promisify(execFile);
const MASTER = 'sk-e2e-master';
const ADMIN = 'sk-e2e-admin';
const BIN = join(process.cwd(), 'bin', 'modelplane.js');

// Prices: $1 per million input tokens, $10 per million output tokens, on every deployment.
const CONFIG = (sim: string) => `
auth: { master_key: ${MASTER}, admin_key: ${ADMIN} }
providers:
  sim-openai:  { format: openai-chat, base_url: ${sim}/openai/v1, api_key: k, jurisdiction: US, retention: limited }
  sim-claude:  { format: anthropic-messages, base_url: ${sim}/anthropic/v1, api_key: k, jurisdiction: US, retention: none }
  sim-eu:      { format: openai-chat, base_url: ${sim}/mistral/v1, api_key: k, jurisdiction: EU, retention: standard }
  sim-broken:  { format: openai-chat, base_url: ${sim}/broken/v1, api_key: k, jurisdiction: US, retention: none }
deployments:
  oai:    { provider: sim-openai, model: m-1, price: { input: 1, output: 10 } }
  claude: { provider: sim-claude, model: m-2, price: { input: 1, output: 10 } }
  eu:     { provider: sim-eu, model: m-3, price: { input: 1, output: 10 } }
  broken: { provider: sim-broken, model: m-4, price: { input: 1, output: 10 } }
routes:
  support-chat: { targets: [oai] }
  support-claude: { targets: [claude] }
  sales: { targets: [oai] }
  guarded: { targets: [broken, eu], retry: { max_attempts: 4 } }
  hedged: { targets: [broken, eu], hedge_after: 20ms }
teams:
  support: { budget: 500/month, sensitivity: internal }
policy:
  sensitivity:
    public: {}
    internal: { jurisdictions: [US, EU] }
    customer-data: { providers: [sim-openai, sim-claude, sim-broken], retention: [none, limited] }
`;

let sim: Simulator;
let gw: Gateway;
let dir: string;
let file: string;

before(async () => {
  // Long replies: an answer runs to its max_tokens, so what a request costs is what it reserved.
  sim = await startSimulator({ port: 0, replyWords: 400 });
  dir = mkdtempSync(join(tmpdir(), 'mp-e2e-tenants-'));
  file = join(dir, 'modelplane.yaml');
  writeFileSync(file, CONFIG(sim.url));
  gw = await startGateway({ configFile: file, port: 0, logger: new LogSink().logger, env: {} });
});
after(async () => {
  await gw.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args, '--config', file]);
  return stdout;
}

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${gw.url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function createKey(body: Record<string, unknown>): Promise<{ id: string; key: string }> {
  const r = await admin('POST', '/admin/keys', body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { id: r.body.id as string, key: r.body.key as string };
}

const openai = (key: string, maxRetries = 0) => new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: key, maxRetries });
const ask = (key: string, model = 'support-chat', extra: Record<string, unknown> = {}, maxRetries = 0) =>
  openai(key, maxRetries).chat.completions.create({ model, messages: [{ role: 'user', content: 'hello' }], max_tokens: 50, ...extra });

/** Repeats `probe` until it returns true; the 20 s cap only stops a broken build from hanging. */
async function until(probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('condition never held');
}

async function spendBy(group: string, filter = ''): Promise<Array<Record<string, unknown>>> {
  const r = await admin('GET', `/admin/spend?group_by=${group}&since=1h${filter}`);
  assert.equal(r.status, 200);
  return r.body.rows as Array<Record<string, unknown>>;
}

test('a key created by the CLI works with both SDKs; revoked by the CLI, the next request gets 401', async () => {
  const created = JSON.parse(await cli('keys', 'create', '--team', 'support', '--agent', 'triage-bot', '--routes', 'support-*', '--format', 'json')) as { id: string; key: string };
  assert.match(created.key, /^mp-[A-Za-z0-9_-]{32,}$/);
  // The gateway polls the store: wait until it knows the new key.
  await until(async () => (await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${created.key}` } })).status === 200);

  const r = await ask(created.key);
  assert.match(r.choices[0]!.message.content ?? '', /Simulated reply/);
  const claude = new Anthropic({ baseURL: gw.url, apiKey: created.key, maxRetries: 0 });
  const m = await claude.messages.create({ model: 'support-claude', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] });
  assert.equal(m.type, 'message');

  await assert.rejects(ask(created.key, 'sales'), (e: unknown) => e instanceof OpenAI.APIError && e.status === 403 && /route "sales"/.test(e.message));

  await cli('keys', 'revoke', created.id);
  await until(async () => {
    try {
      await ask(created.key);
      return false;
    } catch (e) {
      assert.ok(e instanceof OpenAI.AuthenticationError, String(e));
      assert.match(e.message, /revoked/);
      return true;
    }
  });
  await assert.rejects(claude.messages.create({ model: 'support-claude', max_tokens: 20, messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => e instanceof Anthropic.AuthenticationError);
  const audit = await cli('audit', '--format', 'json');
  assert.deepEqual((JSON.parse(audit) as { entries: Array<{ action: string; target: string }> }).entries.filter((e) => e.target === created.id).map((e) => e.action), ['revoke', 'create']);
});

test('a budget refusal is a 429 budget_exceeded that neither SDK retries', async () => {
  // 50 output tokens at $10/M = $0.0005 reserved: over a $0.0001 cap.
  const { id, key } = await createKey({ team: 'support', agent: 'tiny', budget: { usd: 0.0001, period: 'day' } });
  const before = sim.requests.length;
  await assert.rejects(ask(key, 'support-chat', {}, 3), (e: unknown) => {
    assert.ok(e instanceof OpenAI.APIError && e.status === 429, String(e));
    assert.equal(e.code, 'budget_exceeded');
    assert.equal(e.type, 'insufficient_quota');
    assert.equal(e.headers.get('x-should-retry'), 'false');
    assert.match(e.message, new RegExp(`key budget "${id}" allows \\$0\\.000100 per day.*resets at`));
    return true;
  });
  const claude = new Anthropic({ baseURL: gw.url, apiKey: key, maxRetries: 3 });
  await assert.rejects(claude.messages.create({ model: 'support-claude', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => e instanceof Anthropic.RateLimitError && /Budget exceeded/.test(e.message));
  assert.equal(sim.requests.length, before, 'no upstream call');
  const rows = await spendBy('key', `&key=${id}`);
  assert.equal(rows[0]!.requests, 2, 'one ledger record per refused request: the SDKs did not retry');
});

test('a rate-limit refusal carries retry-after and the ratelimit headers; successes carry them too, streams included', async () => {
  const { key } = await createKey({ team: 'support', agent: 'limited', limits: { rpm: 2, tpm: 100000 } });
  const first = await openai(key).chat.completions.create({ model: 'support-chat', messages: [{ role: 'user', content: 'hello' }], max_tokens: 10 }).withResponse();
  assert.equal(first.response.headers.get('x-ratelimit-limit-requests'), '2');
  assert.equal(first.response.headers.get('x-ratelimit-remaining-requests'), '1');
  assert.equal(first.response.headers.get('x-ratelimit-limit-tokens'), '100000');
  assert.match(first.response.headers.get('ratelimit-policy') ?? '', /"requests";q=2;w=60/);
  const stream = await openai(key).chat.completions.create({ model: 'support-chat', messages: [{ role: 'user', content: 'hello' }], max_tokens: 10, stream: true }).withResponse();
  assert.equal(stream.response.headers.get('x-ratelimit-remaining-requests'), '0');
  for await (const _ of stream.data) {
    // drain
  }
  await assert.rejects(ask(key, 'support-chat', {}, 3), (e: unknown) => {
    assert.ok(e instanceof OpenAI.RateLimitError, String(e));
    assert.equal(e.code, 'rate_limit_exceeded');
    assert.equal(e.headers.get('x-should-retry'), 'false');
    assert.ok(Number(e.headers.get('retry-after')) >= 1);
    assert.equal(e.headers.get('x-ratelimit-remaining-requests'), '0');
    assert.match(e.headers.get('ratelimit') ?? '', /"requests";r=0;t=\d+/);
    return true;
  });
  assert.equal((await spendBy('agent', '&agent=limited'))[0]!.requests, 3);
});

test('200 concurrent requests with max_tokens never push spend past the cap', async () => {
  // Each costs (and reserves) 100 output tokens at $10/M plus a few input tokens: just over $0.001.
  // $0.005 has room for 4, however the 200 interleave.
  const { id, key } = await createKey({ team: 'support', agent: 'swarm', budget: { usd: 0.005, period: 'day' } });
  const results = await Promise.allSettled(Array.from({ length: 200 }, () => ask(key, 'support-chat', { max_tokens: 100 })));
  const ok = results.filter((r) => r.status === 'fulfilled').length;
  const refused = results.filter((r) => r.status === 'rejected' && r.reason instanceof OpenAI.APIError && r.reason.code === 'budget_exceeded').length;
  assert.equal(ok + refused, 200);
  assert.ok(ok >= 1 && ok <= 4, `admitted ${ok}`);
  const budgets = (await admin('GET', '/admin/budgets')).body.budgets as Array<Record<string, number | string>>;
  const b = budgets.find((x) => x.budget === `key:${id}`)!;
  assert.ok((b.spent_usd as number) <= 0.005, `spent ${b.spent_usd}`);
  assert.equal(b.reserved_usd, 0);
  const rows = await spendBy('agent', '&agent=swarm');
  assert.equal(rows[0]!.requests, 200);
  assert.ok(Math.abs((rows[0]!.cost_usd as number) - (b.spent_usd as number)) < 1e-9, 'the ledger and the budget agree');
});

test('a customer-data key never reaches a disallowed provider, even when every allowed one fails', async () => {
  const { key } = await createKey({ team: 'support', agent: 'careful', sensitivity: 'customer-data' });
  sim.setFault('/broken', { status: 503 });
  try {
    const before = sim.requests.filter((r) => r.path.startsWith('/mistral')).length;
    await assert.rejects(ask(key, 'guarded'), (e: unknown) => e instanceof OpenAI.APIError && e.status === 503);
    assert.equal(sim.requests.filter((r) => r.path.startsWith('/mistral')).length, before, 'the EU provider with standard retention was never called');
    // A master-key request may use it: the fallback works for callers the policy allows.
    const r = await ask(MASTER, 'guarded');
    assert.match(r.choices[0]!.message.content ?? '', /Simulated/);
  } finally {
    sim.setFault('/broken', null);
  }
  // Hedging: the allowed target is slow to answer; the hedge may not go to the excluded one.
  sim.setFault('/broken', { firstByteMs: 300 });
  try {
    const before = sim.requests.filter((r) => r.path.startsWith('/mistral')).length;
    const r = await ask(key, 'hedged').withResponse();
    assert.equal(r.response.headers.get('x-modelplane-deployment'), 'broken');
    assert.equal(sim.requests.filter((x) => x.path.startsWith('/mistral')).length, before, 'no hedge to the excluded provider');
  } finally {
    sim.setFault('/broken', null);
  }
  // Raising the tier by header; a route whose only targets are excluded is a 403 naming them.
  const { key: k2 } = await createKey({ team: 'support', agent: 'raiser', routes: ['guarded'], providers: ['sim-eu'] });
  await assert.rejects(
    openai(k2).chat.completions.create({ model: 'guarded', messages: [{ role: 'user', content: 'x' }], max_tokens: 5 }, { headers: { 'x-modelplane-sensitivity': 'customer-data' } }),
    (e: unknown) => e instanceof OpenAI.PermissionDeniedError && e.code === 'policy_denied' && /broken: key/.test(e.message) && /eu: sensitivity "customer-data"/.test(e.message),
  );
  await assert.rejects(
    openai(k2).chat.completions.create({ model: 'guarded', messages: [{ role: 'user', content: 'x' }], max_tokens: 5 }, { headers: { 'x-modelplane-sensitivity': 'public' } }),
    (e: unknown) => e instanceof OpenAI.BadRequestError && /never lower it/.test(e.message),
  );
});

test('attribution: headers and body metadata reach the ledger, and `modelplane spend --by` matches the traffic', async () => {
  const { key } = await createKey({ team: 'support', agent: 'reporter' });
  for (const wf of ['refunds', 'refunds', 'triage']) {
    await openai(key).chat.completions.create({ model: 'support-chat', messages: [{ role: 'user', content: 'hello' }], max_tokens: 20 }, { headers: { 'x-modelplane-workflow': wf, 'x-modelplane-agent': 'spoofed' } });
  }
  await openai(key).chat.completions.create({ model: 'support-chat', messages: [{ role: 'user', content: 'hello' }], max_tokens: 20, user: 'cust-9', metadata: { modelplane_workflow: 'meta-wf' } });
  await assert.rejects(
    openai(key).chat.completions.create({ model: 'support-chat', messages: [{ role: 'user', content: 'x' }] }, { headers: { 'x-modelplane-workflow': 'bad value!' } }),
    (e: unknown) => e instanceof OpenAI.BadRequestError && /^400 x-modelplane-workflow: expected/.test(e.message),
  );
  const json = JSON.parse(await cli('spend', '--by', 'workflow', '--agent', 'reporter', '--since', '1h', '--format', 'json')) as { rows: Array<Record<string, unknown>> };
  const byWf = Object.fromEntries(json.rows.map((r) => [r.workflow, r.requests]));
  assert.deepEqual(byWf, { refunds: 2, triage: 1, 'meta-wf': 1, '(none)': 1 });
  const cust = await spendBy('customer', '&agent=reporter');
  assert.ok(cust.some((r) => r.customer === 'cust-9' && r.requests === 1));
  assert.equal((await spendBy('agent')).some((r) => r.agent === 'spoofed'), false, 'a key-bound agent cannot be overridden');
  const csv = await cli('spend', '--by', 'agent', '--since', '1h', '--format', 'csv');
  assert.match(csv.split('\n')[0]!, /^agent,requests,errors,input_tokens,output_tokens,cost_usd$/);
  assert.ok(csv.includes('reporter,5,1,'));
});

test('admin API over HTTP: PATCH, bodiless POST rotate, DELETE, teams and customers, errors naming the field, admin key required', async () => {
  const { id, key } = await createKey({ team: 'support', agent: 'http-admin' });
  const patched = await admin('PATCH', `/admin/keys/${id}`, { limits: { rpm: 7 } });
  assert.equal(patched.status, 200);
  assert.deepEqual(patched.body.limits, { rpm: 7 });
  const rotated = await fetch(`${gw.url}/admin/keys/${id}/rotate`, { method: 'POST', headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(rotated.status, 200);
  const newKey = ((await rotated.json()) as { key: string }).key;
  assert.notEqual(newKey, key);
  await assert.rejects(ask(key), (e: unknown) => e instanceof OpenAI.AuthenticationError, 'the old secret stops at once on this gateway');
  assert.equal((await ask(newKey)).object, 'chat.completion');
  const del = await fetch(`${gw.url}/admin/keys/${id}`, { method: 'DELETE', headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(del.status, 200);
  assert.equal(((await del.json()) as { status: string }).status, 'revoked');
  await assert.rejects(ask(newKey), (e: unknown) => e instanceof OpenAI.AuthenticationError);

  assert.equal((await admin('POST', '/admin/teams', { name: 'ops', budget: '20/week', limits: { rpm: 5 } })).status, 201);
  assert.equal((await admin('GET', '/admin/teams/ops')).body.name, 'ops');
  assert.equal((await admin('POST', '/admin/customers', { name: 'globex', budget: '3/month' })).status, 201);
  const bad = await admin('POST', '/admin/keys', { team: 'ops', budget: 'a lot' });
  assert.equal(bad.status, 400);
  assert.equal((bad.body.error as { param: string }).param, 'budget');
  assert.equal((await admin('GET', '/admin/keys/key_missing')).status, 404);
  assert.equal((await admin('DELETE', '/admin/teams/support')).status, 409, 'a config team is read-only');
  const noAdmin = await fetch(`${gw.url}/admin/keys`, { headers: { authorization: `Bearer ${MASTER}` } });
  assert.equal(noAdmin.status, 401, 'the master key is not the admin key when one is configured');
  const budgets = (await admin('GET', '/admin/budgets')).body.budgets as Array<{ budget: string }>;
  assert.ok(budgets.some((b) => b.budget === 'team:ops') && budgets.some((b) => b.budget === 'customer:globex'));
});

test('a config reload adds a GitOps key without a restart, and its removal locks it out', async () => {
  const gitops = `mp-${'g'.repeat(32)}`;
  writeFileSync(file, `${CONFIG(sim.url)}\nkeys:\n  gitops-bot: { key: ${gitops}, team: support, agent: gitops-bot }\n`);
  gw.holder.reload();
  const r = await ask(gitops);
  assert.equal(r.object, 'chat.completion');
  const listed = (await admin('GET', '/admin/keys')).body.keys as Array<{ id: string; source: string }>;
  assert.ok(listed.some((k) => k.id === 'cfg_gitops-bot' && k.source === 'config'));
  writeFileSync(file, CONFIG(sim.url));
  gw.holder.reload();
  await assert.rejects(ask(gitops), (e: unknown) => e instanceof OpenAI.AuthenticationError);
});
