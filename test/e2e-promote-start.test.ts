// `modelplane promote start`: a promotion begun through the admin API, without editing the config
// file. It moves the route's traffic step by step like a config block would, is one per route,
// and resumes at its step after a restart (the block is kept in the store).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { loadSnapshotFromText } from '../src/config/load.js';
import { startGateway } from '../src/server/app.js';
import { promotions } from '../src/promotion/extension.js';
import { SqlitePromotionStore } from '../src/promotion/store.js';
import { runSubstitutionCli } from '../src/cli/substitution.js';
import { startKnowledgeServer } from '../testkit/knowledge.js';
import { captureLogger } from './harness.js';
import { FACTS, QUESTIONS, substitutionConfig } from './substitution-kit.js';

const KEY = 'sk-promote-start';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 0x1_0000_0000);
}

test('promote start moves a route to the candidate without a config change, once per route, across a restart', async () => {
  const ks = await startKnowledgeServer(FACTS, { good: {}, cheap: {} });
  const dbFile = join(mkdtempSync(join(tmpdir(), 'mp-promote-start-')), 'substitution.db');
  const snapshot = loadSnapshotFromText(`auth: { master_key: ${KEY}, admin_key: ${KEY} }\n${substitutionConfig(ks.url, '  qa: { targets: [incumbent] }')}`, { env: {} });
  let clock = 1_750_000_000_000;
  const logs: Array<Record<string, unknown>> = [];
  const boot = async () => {
    const promotion = promotions({ log: captureLogger(logs), snapshot, store: new SqlitePromotionStore(dbFile), now: () => clock, random: lcg(3), tickMs: 0 });
    const gw = await startGateway({ snapshot, port: 0, logger: captureLogger(logs), env: {}, extensions: [promotion] });
    const out: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s), env: { MODELPLANE_URL: gw.url, MODELPLANE_KEY: KEY } };
    const cli = async (args: string[]) => {
      out.length = 0;
      return { rc: await runSubstitutionCli('promote', args, io), text: out.join('') };
    };
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const traffic = async (n: number, advanceMs: number) => {
      const served = new Map<string, number>();
      for (let i = 0; i < n; i++) {
        const { response } = await client.chat.completions.create({ model: 'qa', messages: [{ role: 'user', content: QUESTIONS[i % QUESTIONS.length]! }] }).withResponse();
        const d = response.headers.get('x-modelplane-deployment')!;
        served.set(d, (served.get(d) ?? 0) + 1);
      }
      clock += advanceMs;
      promotion.controller.tick(clock);
      return served;
    };
    return { gw, promotion, cli, traffic };
  };
  let g = await boot();
  try {
    // Before: nothing to promote, all traffic on the incumbent.
    assert.equal((await g.traffic(5, 0)).get('incumbent'), 5);
    const bad = await g.cli(['start', '--route', 'qa', '--candidate', 'candidate', '--steps', '50,100', '--interval', '1m', '--guard', 'error_rate>=1%']);
    assert.equal(bad.rc, 2);
    assert.match(bad.text, /error_rate is written error_rate<=LIMIT/);
    const unknown = await g.cli(['start', '--route', 'qa', '--candidate', 'nobody', '--steps', '50,100', '--interval', '1m']);
    assert.equal(unknown.rc, 1);
    assert.match(unknown.text, /unknown deployment "nobody"/);
    const started = await g.cli(['start', '--route', 'qa', '--candidate', 'candidate', '--steps', '50,100', '--interval', '1m', '--guard', 'error_rate<=+15%', '--min-samples', '5']);
    assert.equal(started.rc, 0, started.text);
    assert.match(started.text, /qa: running, candidate candidate at 50% \(step 1 of 50\/100\)/);
    const twice = await g.cli(['start', '--route', 'qa', '--candidate', 'candidate', '--steps', '100', '--interval', '1m']);
    assert.equal(twice.rc, 1);
    assert.match(twice.text, /already has a running promotion .* one per route at a time/);
    const step1 = await g.traffic(30, 61_000);
    assert.ok((step1.get('candidate') ?? 0) >= 5 && (step1.get('incumbent') ?? 0) >= 5, `split ${[...step1]}`);
    assert.equal(g.promotion.controller.get('qa')!.share, 100, 'the guard passed and the interval elapsed: next step');
  } finally {
    await g.gw.close();
  }
  // A restart: the promotion, which no config declares, resumes at its step from the store.
  g = await boot();
  try {
    const s = g.promotion.controller.get('qa')!;
    assert.equal(s.status, 'running');
    assert.equal(s.share, 100);
    assert.equal(s.history.at(-1)!.event, 'resumed_after_restart');
    assert.equal((await g.traffic(10, 61_000)).get('candidate'), 10, 'at 100% the candidate serves everything');
    const done = await g.cli(['status', '--route', 'qa']);
    assert.equal(done.rc, 0);
    assert.match(done.text, /qa: promoted, candidate candidate at 100%/);
    assert.match(done.text, /commit this config change: routes\.qa: set targets: \[candidate\]\n/);
  } finally {
    await g.gw.close();
    await ks.close();
  }
  const audit = logs.filter((l) => l.msg === 'promotion').map((l) => l.event);
  assert.deepEqual(audit, ['started', 'step', 'resumed_after_restart', 'promoted']);
});
