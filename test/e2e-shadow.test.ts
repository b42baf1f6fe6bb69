// Shadow traffic end to end: sampled requests mirrored to a candidate after the primary answered,
// compared, aggregated, persisted, and shown by GET /admin/shadow; a slow candidate costs drops,
// never the client's time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startGateway } from '../src/server/app.js';
import { loadSnapshotFromText } from '../src/config/load.js';
import { targetPin } from '../src/evals/target-pin.js';
import { shadowTraffic } from '../src/shadow/extension.js';
import { SqliteShadowStore } from '../src/shadow/store.js';
import type { ShadowSender } from '../src/shadow/sender.js';
import { answerFor, startKnowledgeServer } from '../testkit/knowledge.js';
import { captureLogger } from './harness.js';
import { FACTS, QUESTIONS, substitutionConfig } from './substitution-kit.js';

const KEY = 'sk-shadow';

test('sampled requests are mirrored to the candidate, compared and reported; the client only ever sees the primary', async () => {
  const ks = await startKnowledgeServer(FACTS, { good: {}, cheap: { wrong: 0.4 } });
  const path = join(mkdtempSync(join(tmpdir(), 'mp-shadow-')), 'substitution.db');
  const logs: Array<Record<string, unknown>> = [];
  const log = captureLogger(logs);
  // Sample 0.5 with a draw that alternates 0.2, 0.7: exactly every other request is mirrored.
  let n = 0;
  const spend: Array<{ kind: string; deployment: string; costUsd?: number }> = [];
  const shadow = shadowTraffic({ log, store: new SqliteShadowStore(path), random: () => (n++ % 2 === 0 ? 0.2 : 0.7), onSpend: (s) => void spend.push(s) });
  const config = substitutionConfig(ks.url, '  qa: { targets: [incumbent], shadow: { targets: [candidate], sample: 0.5, judge: judges } }\n  judges: { targets: [grader] }');
  const gw = await startGateway({ configText: `auth: { master_key: ${KEY}, admin_key: ${KEY} }\n${config}`, port: 0, logger: log, env: {}, extensions: [targetPin(), shadow] });
  try {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0 });
    for (const [i, q] of [...QUESTIONS, ...QUESTIONS].entries()) {
      const right = FACTS.find(([f]) => q.includes(f))![1];
      if (i < QUESTIONS.length) {
        const { data, response } = await client.chat.completions.create({ model: 'qa', messages: [{ role: 'user', content: q }] }).withResponse();
        assert.equal(response.headers.get('x-modelplane-deployment'), 'incumbent');
        assert.equal(data.choices[0]!.message.content, right);
      } else {
        const stream = await client.chat.completions.create({ model: 'qa', stream: true, messages: [{ role: 'user', content: q }] });
        let text = '';
        for await (const c of stream) text += c.choices[0]?.delta.content ?? '';
        assert.equal(text, right);
      }
    }
    await shadow.idle();
    assert.equal(ks.counts.get('cheap'), QUESTIONS.length, 'half of the twenty requests were mirrored');
    const res = await fetch(`${gw.url}/admin/shadow?route=qa`, { headers: { authorization: `Bearer ${KEY}` } });
    assert.equal(res.status, 200);
    const view = (await res.json()) as {
      routes: Array<{ candidate: string; pairs: number; mean_similarity: number; shadow_error_rate: number; cost_delta: number; worst: Array<{ shadow: string; similarity: number }>; judge: { wins: number; ties: number; losses: number; win_rate: number; ci: [number, number] } }>;
    };
    const row = view.routes[0]!;
    assert.equal(row.candidate, 'candidate');
    assert.equal(row.pairs, QUESTIONS.length);
    assert.equal(row.shadow_error_rate, 0);
    assert.ok(row.mean_similarity > 0 && row.mean_similarity < 1, `similarity ${row.mean_similarity}`);
    assert.ok(row.cost_delta < 0, 'the candidate is cheaper');
    assert.match(row.worst[0]!.shadow, /not sure/, 'the most different pair is a wrong answer');
    // The judge: a wrong candidate answer loses, two right ones tie (the candidate never wins here).
    const models = new Map(Object.entries({ cheap: { wrong: 0.4 } }));
    const wrong = [0, 2, 4, 6, 8].filter((i) => answerFor(FACTS, models, 'cheap', QUESTIONS[i]!) !== FACTS[i]![1]).length;
    assert.deepEqual([row.judge.wins, row.judge.ties, row.judge.losses], [0, 2 * (5 - wrong), 2 * wrong]);
    assert.equal(row.judge.win_rate, (2 * (5 - wrong)) / 2 / 10);
    assert.ok(row.judge.ci[0] < row.judge.win_rate && row.judge.win_rate < row.judge.ci[1]);
    assert.equal(ks.counts.get('judge'), QUESTIONS.length, 'one judging call per pair');
    // The ledger's feed: every mirror and every judging call, priced, none of it the caller's.
    assert.equal(spend.filter((x) => x.kind === 'shadow' && x.deployment === 'candidate' && x.costUsd! > 0).length, QUESTIONS.length);
    assert.equal(spend.filter((x) => x.kind === 'shadow-judge' && x.deployment === 'grader' && x.costUsd! > 0).length, QUESTIONS.length);
  } finally {
    await gw.close();
    await ks.close();
  }
  // Every mirror is logged as shadow spend, apart from the request lines (which name the primary only).
  const shadowLines = logs.filter((l) => l.msg === 'shadow');
  assert.equal(shadowLines.length, QUESTIONS.length);
  assert.ok(shadowLines.every((l) => l.shadow === true && l.deployment === 'candidate' && typeof l.cost_usd === 'number'));
  // Identical answers score 1, streamed primaries included (their text is collected by the tap):
  // mirrored were questions 0, 2, 4, 6, 8, once as JSON and once streamed.
  const sameAnswers = [0, 2, 4, 6, 8].filter((i) => answerFor(FACTS, new Map(Object.entries({ cheap: { wrong: 0.4 } })), 'cheap', QUESTIONS[i]!) === FACTS[i]![1]).length;
  assert.ok(sameAnswers > 0 && sameAnswers < 5, `fixture: ${sameAnswers}`);
  assert.equal(shadowLines.filter((l) => l.similarity === 1).length, 2 * sameAnswers);
  const requestLines = logs.filter((l) => l.msg === 'request' && l.route === 'qa');
  assert.equal(requestLines.length, 2 * QUESTIONS.length);
  assert.ok(requestLines.every((l) => l.deployment === 'incumbent'));
  // Written behind, and read back after a restart.
  const reopened = new SqliteShadowStore(path);
  const totals = reopened.totals();
  await reopened.close();
  assert.equal(totals[0]!.totals.pairs, QUESTIONS.length);
});

test('a slow candidate fills the bounded queue: the rest are dropped and counted, and no primary waits for a mirror', async () => {
  const ks = await startKnowledgeServer(FACTS, { good: {} });
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let sent = 0;
  const blocked: ShadowSender = {
    async send() {
      sent++;
      await gate;
      return { text: 'late', latencyMs: 1 };
    },
  };
  const logs: Array<Record<string, unknown>> = [];
  const shadow = shadowTraffic({ log: captureLogger(logs), sender: blocked, random: () => 0 });
  const config = substitutionConfig(ks.url, '  qa: { targets: [incumbent], shadow: { targets: [candidate], sample: 1, max_in_flight: 1, queue: 1 } }');
  const gw = await startGateway({ configText: config, port: 0, logger: captureLogger(logs), env: {}, extensions: [shadow] });
  try {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'none', maxRetries: 0 });
    // Four primaries complete while the first mirror is still blocked: none of them waited for it.
    for (const q of QUESTIONS.slice(0, 4)) {
      const r = await client.chat.completions.create({ model: 'qa', messages: [{ role: 'user', content: q }] });
      assert.ok(r.choices[0]!.message.content);
    }
    assert.equal(sent, 1);
    const totals = shadow.aggregates.get('qa', 'candidate')!;
    assert.equal(totals.dropped, 2, 'one in flight, one waiting, two dropped');
    release();
    await shadow.idle();
    assert.equal(sent, 2);
    assert.equal(shadow.aggregates.get('qa', 'candidate')!.pairs, 2);
  } finally {
    release();
    await gw.close();
    await ks.close();
  }
});

test('closing the gateway drops waiting mirrors and aborts running ones instead of waiting for a slow candidate', async () => {
  const ks = await startKnowledgeServer(FACTS, { good: {} });
  const hanging: ShadowSender = {
    send: (_d, _r, _t, abort) => new Promise((resolve) => abort.addListener('abort', () => resolve({ text: '', latencyMs: 0, error: 'aborted' }))),
  };
  const shadow = shadowTraffic({ log: captureLogger([]), sender: hanging, random: () => 0 });
  const config = substitutionConfig(ks.url, '  qa: { targets: [incumbent], shadow: { targets: [candidate], sample: 1, max_in_flight: 1, queue: 5 } }');
  const gw = await startGateway({ configText: config, port: 0, logger: captureLogger([]), env: {}, extensions: [shadow] });
  try {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'none', maxRetries: 0 });
    for (const q of QUESTIONS.slice(0, 3)) await client.chat.completions.create({ model: 'qa', messages: [{ role: 'user', content: q }] });
  } finally {
    await gw.close(); // resolves: nothing waits for the hanging candidate
    await ks.close();
  }
  const t = shadow.aggregates.get('qa', 'candidate')!;
  assert.equal(t.dropped, 2);
  assert.equal(t.pairs, 1);
  assert.equal(t.shadowErrors, 1);
});

test('shadow classes and budget: only the listed classes are mirrored, and spend stops at the budget until the next period', async () => {
  const ks = await startKnowledgeServer(FACTS, { good: {} });
  let sent = 0;
  const priced: ShadowSender = {
    async send() {
      sent++;
      return { text: 'x', latencyMs: 1, costUsd: 0.04 };
    },
  };
  let clock = 10 * 86_400_000;
  const shadow = shadowTraffic({ log: captureLogger([]), sender: priced, random: () => 0, now: () => clock });
  const config = substitutionConfig(
    ks.url,
    `  qa:
    targets: [incumbent]
    classes: [{ name: vip, when: { header: { name: x-tier, equals: vip } }, targets: [incumbent] }]
    shadow: { targets: [candidate], sample: 1, classes: [vip], budget: 0.1/day }`,
  );
  const gw = await startGateway({ configText: config, port: 0, logger: captureLogger([]), env: {}, extensions: [shadow] });
  try {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'none', maxRetries: 0 });
    const ask = async (vip: boolean) => {
      await client.chat.completions.create({ model: 'qa', messages: [{ role: 'user', content: QUESTIONS[0]! }] }, vip ? { headers: { 'x-tier': 'vip' } } : {});
      await shadow.idle();
    };
    await ask(false);
    assert.equal(sent, 0, 'the default class is not mirrored');
    for (let i = 0; i < 5; i++) await ask(true);
    // 0.04 + 0.04 + 0.04 = 0.12: the third mirror crosses 0.1, the next two are over budget.
    assert.equal(sent, 3);
    assert.equal(shadow.aggregates.get('qa', 'candidate')!.overBudget, 2);
    clock += 86_400_000;
    await ask(true);
    assert.equal(sent, 4, 'a new day, a new budget');
  } finally {
    await gw.close();
    await ks.close();
  }
  assert.throws(() => loadSnapshotFromText(substitutionConfig('http://127.0.0.1:9', '  qa: { targets: [incumbent], shadow: { targets: [candidate], sample: 1, classes: [nope] } }'), { env: {} }), /shadow\.classes\[0\]: the route has no class "nope"/);
  assert.throws(() => loadSnapshotFromText(substitutionConfig('http://127.0.0.1:9', '  qa: { targets: [incumbent], shadow: { targets: [candidate], sample: 1, budget: 5/week } }'), { env: {} }), /20\/day/);
});

test('a restart does not reset the shadow budget: the period\'s spend so far is read back from the store', async () => {
  const ks = await startKnowledgeServer(FACTS, { good: {} });
  const path = join(mkdtempSync(join(tmpdir(), 'mp-shadow-budget-')), 'substitution.db');
  let sent = 0;
  const priced: ShadowSender = {
    async send() {
      sent++;
      return { text: 'x', latencyMs: 1, costUsd: 0.04 };
    },
  };
  const clock = 10 * 86_400_000 + 3_600_000;
  const config = substitutionConfig(ks.url, '  qa: { targets: [incumbent], shadow: { targets: [candidate], sample: 1, budget: 0.1/day } }');
  const run = async (requests: number) => {
    const shadow = shadowTraffic({ log: captureLogger([]), sender: priced, store: new SqliteShadowStore(path), random: () => 0, now: () => clock });
    const gw = await startGateway({ configText: config, port: 0, logger: captureLogger([]), env: {}, extensions: [shadow] });
    try {
      const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'none', maxRetries: 0 });
      for (let i = 0; i < requests; i++) {
        await client.chat.completions.create({ model: 'qa', messages: [{ role: 'user', content: QUESTIONS[i]! }] });
        await shadow.idle();
      }
      return shadow.aggregates.get('qa', 'candidate')!;
    } finally {
      await gw.close();
    }
  };
  try {
    await run(2); // 0.08 of 0.1 spent
    assert.equal(sent, 2);
    const after = await run(3); // the first mirror crosses the budget (0.12); the next two are over it
    assert.equal(sent, 3, 'the restarted gateway knew 0.08 was spent today');
    assert.equal(after.overBudget, 2);
  } finally {
    await ks.close();
  }
});

test('shadow.assert: both answers of every pair are scored with the route\'s assertions; the report counts the candidate\'s regressions', async () => {
  const ks = await startKnowledgeServer(FACTS, { good: {}, cheap: { wrong: 0.4 } });
  const shadow = shadowTraffic({ log: captureLogger([]), random: () => 0 });
  const config = substitutionConfig(ks.url, '  qa: { targets: [incumbent], shadow: { targets: [candidate], sample: 1, assert: [ { type: regex, pattern: "capital of" }, { type: max-latency, ms: 60000 } ] } }');
  const gw = await startGateway({ configText: `auth: { master_key: ${KEY}, admin_key: ${KEY} }\n${config}`, port: 0, logger: captureLogger([]), env: {}, extensions: [shadow] });
  try {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0 });
    for (const q of QUESTIONS) await client.chat.completions.create({ model: 'qa', messages: [{ role: 'user', content: q }] });
    await shadow.idle();
    const models = new Map(Object.entries({ cheap: { wrong: 0.4 } }));
    const wrong = QUESTIONS.filter((q, i) => answerFor(FACTS, models, 'cheap', q) !== FACTS[i]![1]).length;
    assert.ok(wrong > 0 && wrong < QUESTIONS.length, `fixture: ${wrong}`);
    const view = (await (await fetch(`${gw.url}/admin/shadow?route=qa`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { routes: Array<{ assertions: { pairs: number; primary_pass_rate: number; shadow_pass_rate: number; regressions: number } }> };
    assert.deepEqual(view.routes[0]!.assertions, { pairs: 10, primary_pass_rate: 1, shadow_pass_rate: (10 - wrong) / 10, regressions: wrong });
  } finally {
    await gw.close();
    await ks.close();
  }
  assert.throws(
    () => loadSnapshotFromText(substitutionConfig('http://127.0.0.1:9', '  qa: { targets: [incumbent], shadow: { targets: [candidate], sample: 1, assert: [ { type: judge, route: qa, rubric: good } ] } }'), { env: {} }),
    /shadow\.assert\[0\]: a judge assertion .* use shadow\.judge/,
  );
});
