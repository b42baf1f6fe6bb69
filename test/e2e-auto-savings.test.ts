// `modelplane router savings` and `router train --from-ledger` against what a real gateway wrote:
// the ledger and the router's decisions under storage.data_dir, the feedback labels of
// POST /v1/feedback, and the same figures from the request log lines.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startSimulator, type Simulator } from '../testkit/simulator.js';
import { startGateway } from '../src/server/app.js';
import { LogSink } from '../testkit/log-sink.js';

const ALICE = `mp-${'a'.repeat(32)}`;
const BOB = `mp-${'b'.repeat(32)}`;
const EASY = 'Translate into French: "The meeting is moved to Thursday."';
const HARD = 'Design a distributed job queue that handles 50 thousand requests per second across three regions. Cover the data model, consistency trade-offs, failure modes and how you would test it.';

let sim: Simulator;
before(async () => { sim = await startSimulator({ port: 0 }); });
after(async () => { await sim.close(); });

const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/modelplane.js', 'router', ...args], { encoding: 'utf8' });

test('savings: cost against all-strong by route and team, from the ledger and from the log; feedback is measured quality and training data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mp-savings-'));
  const file = join(dir, 'gateway.yaml');
  writeFileSync(file, `
auth: { admin_key: sk-admin }
storage: { data_dir: ./data }
providers:
  cheap: { format: openai-chat, base_url: ${sim.url}/cheap/v1, api_key: k1 }
  big:   { format: openai-chat, base_url: ${sim.url}/big/v1, api_key: k2 }
deployments:
  small-a: { provider: cheap, model: m-small, tier: small, price: { input: 1, output: 2 } }
  big-a:   { provider: big, model: m-big, tier: frontier, price: { input: 10, output: 20 } }
routes:
  assistant: { strategy: auto, tiers: [small, frontier], auto: { threshold: 0.55 } }
  cascading: { strategy: auto, tiers: [small, frontier], auto: { threshold: 0.55, cascade: true } }
teams: { support: {}, sales: {} }
keys:
  alice: { key: ${ALICE}, team: support }
  bob: { key: ${BOB}, team: sales }
`);
  const sink = new LogSink();
  const gw = await startGateway({ configFile: file, port: 0, logger: sink.logger, env: {} });
  let closed = false;
  after(async () => {
    if (!closed) await gw.close(); // a failed assertion before the close below must not hang the run
  });
  const ask = async (key: string, text: string, model = 'assistant', extra: Record<string, unknown> = {}) => {
    const r = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content: text }], ...extra }) });
    assert.equal(r.status, 200);
    const body = (await r.json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    return { id: r.headers.get('x-request-id')!, tier: r.headers.get('x-modelplane-tier'), cascade: r.headers.get('x-modelplane-cascade'), usage: body.usage };
  };
  const a1 = await ask(ALICE, EASY);
  const a2 = await ask(ALICE, HARD);
  const b1 = await ask(BOB, EASY);
  assert.deepEqual([a1.tier, a2.tier, b1.tier], ['small', 'frontier', 'small']);
  // Cut at 2 tokens, the cheap answer fails `truncated` and the frontier answers (cut too: it is the last tier).
  const c1 = await ask(BOB, EASY, 'cascading', { max_tokens: 2 });
  assert.equal(c1.cascade, 'small:truncated -> frontier');
  const fb = await fetch(`${gw.url}/v1/feedback`, { method: 'POST', headers: { authorization: `Bearer ${ALICE}`, 'content-type': 'application/json' }, body: JSON.stringify({ request_id: a1.id, score: 0 }) });
  assert.equal(fb.status, 200);
  for (const r of [a1, a2, b1, c1]) await sink.requestLine(r.id);
  // The gateway's live view (since it started) of the same figures.
  const view = (await (await fetch(`${gw.url}/admin/router`, { headers: { authorization: 'Bearer sk-admin' } })).json()) as { savings: { total: { requests: number; saved_usd: number; cost_usd: number } } };
  closed = true;
  await gw.close(); // flushes the ledger and the decisions

  const res = cli('savings', '--config', file, '--format', 'json');
  assert.equal(res.status, 0, res.stderr);
  type Row = { route: string; team: string | null; requests: number; strongShare: number; costUsd: number; allStrongUsd: number; savedUsd: number; estWorseShare: number; feedbackCheap: { mean: number; n: number } | null };
  const rep = JSON.parse(res.stdout) as { rows: Row[]; total: Row };
  const price = (u: { prompt_tokens: number; completion_tokens: number }, i: number, o: number) => (u.prompt_tokens * i + u.completion_tokens * o) / 1e6;
  const support = rep.rows.find((r) => r.team === 'support')!;
  const sales = rep.rows.find((r) => r.team === 'sales' && r.route === 'assistant')!;
  assert.equal(support.requests, 2);
  assert.equal(support.strongShare, 0.5);
  const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);
  close(support.costUsd, price(a1.usage, 1, 2) + price(a2.usage, 10, 20));
  close(support.allStrongUsd, price(a1.usage, 10, 20) + price(a2.usage, 10, 20));
  close(sales.savedUsd, price(b1.usage, 10, 20) - price(b1.usage, 1, 2));
  assert.ok(support.estWorseShare > 0 && support.estWorseShare < 0.5, String(support.estWorseShare));
  assert.deepEqual(support.feedbackCheap, { mean: 0, n: 1 });
  assert.equal(sales.feedbackCheap, null);
  // The cascaded request paid for both answers; all on the strong tier it would have paid for one.
  const cascaded = rep.rows.find((r) => r.route === 'cascading')!;
  close(cascaded.costUsd, price(c1.usage, 10, 20) + price(c1.usage, 1, 2));
  close(cascaded.allStrongUsd, price(c1.usage, 10, 20));
  assert.equal(rep.total.requests, 4);
  close(rep.total.savedUsd, support.savedUsd + sales.savedUsd + cascaded.savedUsd);

  assert.equal(view.savings.total.requests, 4);
  assert.ok(Math.abs(view.savings.total.saved_usd - rep.total.savedUsd) < 2e-6, `live ${view.savings.total.saved_usd} vs ledger ${rep.total.savedUsd}`);
  assert.ok(Math.abs(view.savings.total.cost_usd - rep.total.costUsd) < 2e-6);

  // The same report from the request lines the gateway logged.
  const log = join(dir, 'requests.log');
  writeFileSync(log, sink.requestLines().map((l) => JSON.stringify(l)).join('\n') + '\n');
  const fromLog = JSON.parse(cli('savings', '--config', file, '--log', log, '--format', 'json').stdout) as { total: Row };
  assert.equal(fromLog.total.requests, 4);
  // The request line has no figure for the replaced answers: the log's saving omits what the cascade spent.
  close(fromLog.total.savedUsd, rep.total.savedUsd + price(c1.usage, 1, 2));

  const table = cli('savings', '--config', file);
  assert.equal(table.status, 0, table.stderr);
  assert.match(table.stdout, /assistant\s+support\s+2\s+50\.0%/);
  const badRoute = cli('savings', '--config', file, '--route', 'nope');
  assert.equal(badRoute.status, 2);
  assert.match(badRoute.stderr, /--route nope is not a strategy: auto route/);
  const typo = cli('savings', '--config', file, '--sinse', '1d');
  assert.equal(typo.status, 2);
  assert.match(typo.stderr, /unknown flag --sinse; did you mean --since\?/);

  // The recorded scores calibrate a threshold on live traffic.
  const cal = cli('calibrate', '--from-ledger', '--config', file, '--route', 'assistant', '--strong-share', '0.3');
  assert.equal(cal.status, 0, cal.stderr);
  assert.match(cal.stdout, /^threshold 0\.\d{4} sends 33\.3% of these 3 requests to the stronger tier\n$/);
  const calNoRoute = cli('calibrate', '--from-ledger', '--config', file, '--strong-share', '0.3');
  assert.equal(calNoRoute.status, 2);
  assert.match(calNoRoute.stderr, /needs --config FILE and --route R/);

  // The label (cheap tier, score 0: "not good enough") is a training example with its vector.
  const out = join(dir, 'r.json');
  const tr = cli('train', '--from-ledger', '--config', file, '--data', 'data/router/train.jsonl', '--out', out);
  assert.equal(tr.status, 0, tr.stderr);
  assert.match(tr.stdout, /trained on 301 examples \(300 from data\/router\/train\.jsonl; 1 from recorded feedback/);
  assert.equal(JSON.parse(readFileSync(out, 'utf8')).kind, 'logistic');
  const noConfig = cli('train', '--from-ledger', '--out', out);
  assert.equal(noConfig.status, 2);
  assert.match(noConfig.stderr, /--from-ledger needs --config FILE/);
});
