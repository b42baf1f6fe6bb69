// The substitution loop end to end, with compressed intervals and an injected clock: eval the
// candidate through the gateway, shadow it, then promote it step by step; and a second run where
// the candidate regresses mid-promotion and is rolled back automatically, with the audit trail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { loadSnapshotFromText } from '../src/config/load.js';
import { startGateway, type Gateway } from '../src/server/app.js';
import { targetPin } from '../src/evals/target-pin.js';
import { shadowTraffic } from '../src/shadow/extension.js';
import { promotions } from '../src/promotion/extension.js';
import { runEvalCli } from '../src/cli/eval.js';
import { runSubstitutionCli } from '../src/cli/substitution.js';
import { startKnowledgeServer, type KnowledgeModel } from '../testkit/knowledge.js';
import { captureLogger } from './harness.js';
import { FACTS, QUESTIONS, substitutionConfig, suiteYaml } from './substitution-kit.js';

const KEY = 'sk-promo';
const ROUTE = `  qa:
    targets: [incumbent]
    shadow: { targets: [candidate], sample: 1 }
    promotion:
      candidate: candidate
      steps: [20, 50, 100]
      interval: 1m
      min_samples: 10
      guards: { error_rate: 0.15, eval_pass: 0.9, shadow_similarity: 0.6 }`;

/** A small LCG: the traffic split is the same on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 0x1_0000_0000);
}

async function setup(candidate: KnowledgeModel) {
  const ks = await startKnowledgeServer(FACTS, { good: {}, cheap: candidate });
  const dir = mkdtempSync(join(tmpdir(), 'mp-promo-e2e-'));
  const suiteFile = join(dir, 'capitals.yaml');
  writeFileSync(suiteFile, suiteYaml());
  const configText = `auth: { master_key: ${KEY}, admin_key: ${KEY} }\n${substitutionConfig(ks.url, ROUTE)}`;
  const configFile = join(dir, 'gateway.yaml');
  writeFileSync(configFile, configText);
  const snapshot = loadSnapshotFromText(configText, { env: {} });
  const logs: Array<Record<string, unknown>> = [];
  const log = captureLogger(logs);
  let clock = 1_750_000_000_000;
  const shadow = shadowTraffic({ log, random: lcg(7) });
  const promotion = promotions({ log, snapshot, shadow: shadow.aggregates, now: () => clock, random: lcg(11), tickMs: 0 });
  const gw: Gateway = await startGateway({ snapshot, port: 0, logger: log, env: {}, extensions: [targetPin(), promotion, shadow] });
  const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0 });
  let asked = 0;
  /** Sends n requests, waits for their mirrors, moves the clock on and lets the controller decide. */
  const traffic = async (n: number, advanceMs: number) => {
    const served = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const { response } = await client.chat.completions.create({ model: 'qa', messages: [{ role: 'user', content: QUESTIONS[asked++ % QUESTIONS.length]! }] }).withResponse();
      const d = response.headers.get('x-modelplane-deployment')!;
      served.set(d, (served.get(d) ?? 0) + 1);
    }
    await shadow.idle();
    clock += advanceMs;
    promotion.controller.tick(clock);
    return served;
  };
  const status = async () => {
    const r = await fetch(`${gw.url}/admin/promotions`, { headers: { authorization: `Bearer ${KEY}` } });
    return ((await r.json()) as { promotions: Array<{ status: string; share: number; step: number; reason?: string; config_change?: string; history: Array<{ event: string; reason?: string }> }> }).promotions[0]!;
  };
  const io = { out: () => {}, err: (s: string) => void process.stderr.write(s), env: { MODELPLANE_URL: gw.url, MODELPLANE_KEY: KEY } };
  return {
    ks,
    gw,
    logs,
    traffic,
    status,
    cli: async (command: string, args: string[]) => {
      const out: string[] = [];
      const code = await runSubstitutionCli(command, args, { ...io, out: (x: string) => void out.push(x), err: (x: string) => void out.push(x) });
      return { code, out: out.join('') };
    },
    evalCandidate: () => runEvalCli(['run', suiteFile, '--target', 'candidate', '--config', configFile, '--min-pass', '0.9', '--publish'], io),
    close: async () => {
      await gw.close();
      await ks.close();
    },
  };
}

test('eval -> shadow -> promotion: a good candidate is promoted to 100% and the config change is printed', async () => {
  const s = await setup({});
  try {
    // Before any eval, the step holds: the eval guard is inconclusive, nothing fails.
    await s.traffic(60, 60_000);
    let st = await s.status();
    assert.equal(st.status, 'running');
    assert.equal(st.share, 20);
    assert.match(st.history.at(-1)!.reason!, /no eval result/);
    assert.equal(await s.evalCandidate(), 0);
    await s.traffic(60, 60_000);
    st = await s.status();
    assert.equal(st.share, 50);
    const mid = await s.traffic(60, 60_000);
    st = await s.status();
    assert.equal(st.share, 100);
    assert.ok((mid.get('candidate') ?? 0) > 15 && (mid.get('incumbent') ?? 0) > 15, `a 50% step splits traffic: ${JSON.stringify([...mid])}`);
    await s.traffic(40, 60_000);
    st = await s.status();
    assert.equal(st.status, 'promoted');
    assert.match(st.config_change!, /targets: \[candidate\]/);
    const all = await s.traffic(10, 0);
    assert.deepEqual([...all], [['candidate', 10]]);
    assert.deepEqual(st.history.map((e) => e.event), ['started', 'held', 'step', 'step', 'promoted']);
    const promote = await s.cli('promote', ['status', '--route', 'qa']);
    assert.equal(promote.code, 0);
    assert.match(promote.out, /qa: promoted, candidate candidate at 100%/);
    assert.match(promote.out, /commit this config change: routes\.qa: set targets: \[candidate\]/);
    const report = await s.cli('shadow', ['report', '--route', 'qa']);
    assert.equal(report.code, 0, report.out);
    assert.match(report.out, /^qa\s+candidate\s+\d+\s+0\s+0\.0%\s+1\.000/m);
  } finally {
    await s.close();
  }
});

test('a candidate that regresses mid-promotion is rolled back automatically, with the reason in the audit log', async () => {
  const s = await setup({});
  try {
    assert.equal(await s.evalCandidate(), 0);
    await s.traffic(60, 60_000);
    assert.equal((await s.status()).share, 50);
    // The candidate starts failing: clients are still served (fallback to the incumbent), the guard sees it.
    s.ks.setModel('cheap', { fail: 0.7 });
    for (let i = 0; i < 6 && (await s.status()).status === 'running'; i++) await s.traffic(20, 1_000);
    const st = await s.status();
    assert.equal(st.status, 'rolled_back');
    assert.equal(st.share, 0);
    assert.match(st.reason!, /^error_rate: candidate \d+\.\d+% vs incumbent 0\.00%/);
    const after = await s.traffic(10, 0);
    assert.deepEqual([...after], [['incumbent', 10]]);
    const promote = await s.cli('promote', ['status']);
    assert.equal(promote.code, 1, 'a rolled-back promotion fails the status command');
    assert.match(promote.out, /rolled_back/);
    const refused = await s.cli('promote', ['pause', '--route', 'qa']);
    assert.equal(refused.code, 1);
    assert.match(refused.out, /400 the promotion of route qa is rolled_back/);
  } finally {
    await s.close();
  }
  const audit = s.logs.filter((l) => l.msg === 'promotion').map((l) => l.event);
  assert.deepEqual(audit, ['started', 'step', 'rolled_back']);
  // Every client request was answered, none with an error.
  assert.ok(s.logs.filter((l) => l.msg === 'request' && l.route === 'qa').every((l) => l.status === 200));
});
