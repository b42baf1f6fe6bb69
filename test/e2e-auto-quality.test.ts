// Routing by difficulty, measured end to end: the simulator's quality model makes the cheap model
// answer well exactly the evaluation prompts labelled weak_ok, the strong one those labelled
// strong_ok. Sent through the gateway, the answers' quality and the strong share at a threshold
// must be the offline curve's at that threshold (same router, same labels), and with
// `cascade: true` and hedged bad answers, exactly the cheap answers that were bad are escalated.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startSimulator, type Simulator } from '../testkit/simulator.js';
import { injectable } from '../testkit/inject.js';
import { isGoodReply } from '../testkit/quality.js';
import { parseData } from '../src/routing/auto/data.js';
import { featurize } from '../src/routing/auto/features.js';
import { loadRouter } from '../src/routing/auto/load.js';
import { score } from '../src/routing/auto/model.js';

interface Row { prompt: string; weak_ok: boolean; strong_ok: boolean }
const rows = readFileSync('data/router/eval.jsonl', 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Row);
const byPrompt = new Map(rows.map((r) => [r.prompt, r]));
// Difficulty from the labels: cheap skill 0.3, strong 0.9, so each tier is right exactly where labelled right.
const difficulty = (p: string) => {
  const r = byPrompt.get(p);
  return r === undefined ? 0 : r.weak_ok ? 0.1 : r.strong_ok ? 0.5 : 0.95;
};

let sim: Simulator;
let hedging: Simulator;
before(async () => {
  sim = await startSimulator({ port: 0, quality: { skill: { 'm-small': 0.3, 'm-big': 0.9 }, difficulty } });
  hedging = await startSimulator({ port: 0, quality: { skill: { 'm-small': 0.3, 'm-big': 0.9 }, difficulty, failure: 'hedge' } });
});
after(async () => {
  await sim.close();
  await hedging.close();
});

const config = (url: string, auto: string) => `
auth: { master_key: k }
storage: { data_dir: ":memory:" }
providers:
  cheap: { format: openai-chat, base_url: ${url}/cheap/v1, api_key: k1 }
  big:   { format: anthropic-messages, base_url: ${url}/anthropic/v1, api_key: k2 }
deployments:
  small-a: { provider: cheap, model: m-small, tier: small }
  big-a:   { provider: big, model: m-big, tier: frontier }
routes:
  assistant: { strategy: auto, tiers: [small, frontier], auto: ${auto} }
`;

// Deduplicated: the eval set repeats some prompts (templates with few slots), and each prompt has one label here.
const unique = [...byPrompt.values()];

async function run(url: string, auto: string) {
  const g = injectable({ configText: config(url, auto) });
  let good = 0;
  let up = 0;
  const escalated: string[] = [];
  try {
    for (const r of unique) {
      const res = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: 'Bearer k' }, payload: { model: 'assistant', messages: [{ role: 'user', content: r.prompt }] } });
      assert.equal(res.statusCode, 200, res.body);
      if (isGoodReply(res.json().choices[0].message.content as string)) good++;
      if (res.headers['x-modelplane-tier'] === 'frontier') up++;
      if (res.headers['x-modelplane-cascade'] === undefined) assert.equal(res.headers['x-modelplane-deployment'], res.headers['x-modelplane-tier'] === 'frontier' ? 'big-a' : 'small-a', 'no silent fallback');
      if (res.headers['x-modelplane-cascade'] !== undefined) escalated.push(r.prompt);
    }
  } finally {
    await g.close();
  }
  return { quality: good / unique.length, strongShare: up / unique.length, escalated };
}

test('the online quality and strong share at a threshold are the offline curve\'s', async () => {
  const model = loadRouter('default', undefined);
  // In the simulator's world difficulty is one number, so a prompt the cheap model gets right the
  // strong one gets right too: the few labels "weak right, strong wrong" read as both right.
  const data = parseData(unique.map((r) => JSON.stringify({ ...r, strong_ok: r.strong_ok || r.weak_ok })).join('\n'));
  const scores = data.map((e) => score(model, featurize(e.input)));
  for (const t of [0, 0.5, 0.7, 1]) {
    let q = 0;
    let up = 0;
    data.forEach((e, i) => {
      const cheap = scores[i]! >= t;
      q += cheap ? e.weak! : e.strong!;
      if (!cheap) up++;
    });
    const online = await run(sim.url, `{ threshold: ${t} }`);
    assert.equal(online.strongShare, up / data.length, `threshold ${t}: strong share`);
    assert.equal(online.quality, q / data.length, `threshold ${t}: quality`);
  }
  const weakOnly = await run(sim.url, '{ threshold: 0 }');
  const strongOnly = await run(sim.url, '{ threshold: 1 }');
  assert.ok(strongOnly.quality > weakOnly.quality + 0.3, `the tiers differ: ${weakOnly.quality} vs ${strongOnly.quality}`);
});

test('cascade escalates exactly the cheap answers that were bad (hedged), and recovers their quality', async () => {
  const plain = await run(hedging.url, '{ threshold: 0 }');
  assert.equal(plain.escalated.length, 0);
  const cascaded = await run(hedging.url, '{ threshold: 0, cascade: true }');
  const bad = unique.filter((r) => !r.weak_ok).map((r) => r.prompt);
  assert.deepEqual(cascaded.escalated, bad, 'escalated exactly where the cheap model was wrong');
  const expected = unique.filter((r) => r.weak_ok || r.strong_ok).length / unique.length;
  assert.equal(cascaded.quality, expected);
  assert.ok(cascaded.quality > plain.quality);
});

test('streams cascade only when the route buffers them; a buffered stream is the final tier\'s answer, well-formed for the SDK', async () => {
  const OpenAI = (await import('openai')).default;
  const bad = unique.find((r) => !r.weak_ok && r.strong_ok)!.prompt;
  const { startGateway } = await import('../src/server/app.js');
  const { LogSink } = await import('../testkit/log-sink.js');
  for (const [cascade, escalates] of [['true', false], ['{ stream: buffer }', true]] as const) {
    const sink = new LogSink();
    const gw = await startGateway({ configText: config(hedging.url, `{ threshold: 0, cascade: ${cascade} }`), port: 0, logger: sink.logger, env: {} });
    try {
      const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'k', maxRetries: 0 });
      const { data: stream, response } = await client.chat.completions.create({ model: 'assistant', messages: [{ role: 'user', content: bad }], stream: true }).withResponse();
      let text = '';
      let finish: string | null = null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      assert.equal(finish, 'stop');
      assert.equal(isGoodReply(text), escalates, `cascade ${cascade}: ${text}`);
      assert.equal(response.headers.get('x-modelplane-cascade'), escalates ? 'small:hedge -> frontier' : null);
      const line = await sink.requestLine(response.headers.get('x-request-id'));
      assert.equal(line.status, 200);
      assert.equal(line.stream, true);
      assert.deepEqual(line.escalations, escalates ? ['small:hedge'] : undefined);
      assert.equal(line.tier, escalates ? 'frontier' : 'small');
    } finally {
      await gw.close();
    }
  }
});
