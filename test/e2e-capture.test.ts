// Body capture end to end, as the gateway ships it: serve with a route `capture:`, send traffic
// with the official SDK, let the capture write behind, write a suite with `modelplane eval
// capture --config`, run that suite through the gateway. Restricted sensitivity tiers are never
// captured; secrets in prompts are redacted before they reach the disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { parse as parseYaml } from 'yaml';
import { startGateway, type Gateway } from '../src/server/app.js';
import { runEvalCli } from '../src/cli/eval.js';
import { runSubstitutionCli } from '../src/cli/substitution.js';
import { SqliteCaptureStore } from '../src/evals/capture-store.js';
import { startKnowledgeServer } from '../testkit/knowledge.js';
import { captureLogger } from './harness.js';
import { FACTS, QUESTIONS, substitutionConfig } from './substitution-kit.js';

const KEY = 'sk-capture-admin';
const SECRET = 'sk-proj-Zq81xYw0PLm5TT4u';

async function stored(gw: Gateway, route: string, want: number): Promise<Record<string, unknown>> {
  // The capture is written behind the response: wait until the gateway reports it stored.
  for (let i = 0; i < 500; i++) {
    const v = (await (await fetch(`${gw.url}/admin/captures?route=${route}`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as { routes: Array<Record<string, unknown>> };
    const row = v.routes[0];
    if (row && row.stored === want) return row;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the capture store never held ${want} requests of ${route}`);
}

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s), env: {} } };
}

test('serve, capture sampled traffic, write a suite from it, and run the suite through the gateway', async () => {
  const ks = await startKnowledgeServer(FACTS, { good: {}, cheap: { wrong: 0.5 } });
  const dir = mkdtempSync(join(tmpdir(), 'mp-capture-'));
  const configFile = join(dir, 'gateway.yaml');
  writeFileSync(
    configFile,
    `auth: { master_key: ${KEY}, admin_key: ${KEY} }
storage: { data_dir: ./state }
policy: { sensitivity: { public: {}, confidential: { providers: [k] } } }
${substitutionConfig(ks.url, '  qa: { targets: [incumbent], capture: { sample: 1, retention: 7d, max_bytes: 1mb } }')}`,
  );
  const gw = await startGateway({ configFile, port: 0, logger: captureLogger([]), env: {} });
  try {
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const ask = (q: string, extra: Record<string, string> = {}) => client.chat.completions.create({ model: 'qa', temperature: 0, messages: [{ role: 'user', content: q }] }, { headers: extra });
    // Six plain questions (two streamed), one asked twice, one with a pasted key, two of the
    // confidential tier, one of the public tier (its rule restricts nothing).
    for (const q of QUESTIONS.slice(0, 4)) await ask(q);
    for (const q of QUESTIONS.slice(4, 6)) {
      const s = await client.chat.completions.create({ model: 'qa', stream: true, messages: [{ role: 'user', content: q }] });
      for await (const _ of s) void _;
    }
    await ask(QUESTIONS[0]!);
    await ask(`My key is ${SECRET}. ${QUESTIONS[6]!}`);
    await ask(QUESTIONS[7]!, { 'x-modelplane-sensitivity': 'confidential' });
    await ask(QUESTIONS[8]!, { 'x-modelplane-sensitivity': 'confidential' });
    await ask(QUESTIONS[9]!, { 'x-modelplane-sensitivity': 'public' });
    const counts = await stored(gw, 'qa', 9);
    assert.deepEqual(counts.skipped, { sensitivity: 2, unsupported: 0, too_large: 0, failed: 0 });
    assert.equal(counts.redacted, 1);

    // What is on disk: no secret, no confidential prompt.
    const store = new SqliteCaptureStore(join(dir, 'state', 'substitution.db'));
    const rows = store.list({ route: 'qa' });
    await store.close();
    assert.equal(rows.length, 9);
    const all = JSON.stringify(rows);
    assert.ok(!all.includes(SECRET), 'the pasted key never reaches the store');
    assert.match(all, /My key is \[redacted\]/);
    assert.ok(!all.includes('Norway') && !all.includes('Egypt'), 'confidential prompts are not captured');
    assert.ok(rows.every((r) => r.deployment === 'incumbent' && r.answer.length > 0));
    assert.equal(rows.find((r) => r.messages[0]!.content === QUESTIONS[4])!.answer, FACTS[4]![1], 'a streamed answer is captured whole');

    // eval capture: the suite, one case per distinct prompt, the served answers as references.
    const suiteFile = join(dir, 'qa-captured.yaml');
    const c = io();
    assert.equal(await runEvalCli(['capture', '--route', 'qa', '--config', configFile, '--since', '1d', '--out', suiteFile, '--threshold', '0.9'], c.io), 0, c.err.join(''));
    const suite = parseYaml(readFileSync(suiteFile, 'utf8')) as { route: string; cases: Array<{ messages: Array<{ content: string }>; options?: { temperature?: number }; assert: Array<{ type: string; reference: string; threshold: number }> }> };
    assert.equal(suite.route, 'qa');
    assert.equal(suite.cases.length, 8, 'the repeated prompt is one case');
    assert.equal(suite.cases[0]!.assert[0]!.reference, FACTS[0]![1]);
    assert.equal(suite.cases[0]!.assert[0]!.threshold, 0.9);
    assert.equal(suite.cases[0]!.options?.temperature, 0);
    const sampled = io();
    assert.equal(await runEvalCli(['capture', '--route', 'qa', '--config', configFile, '--sample', '3'], sampled.io), 0);
    assert.equal((parseYaml(sampled.out.join('')) as { cases: unknown[] }).cases.length, 3);

    // The suite runs: the route as it is answers like it did; a candidate wrong on half does not.
    const same = io();
    assert.equal(await runEvalCli(['run', suiteFile, '--url', gw.url, '--key', KEY], same.io), 0, same.out.join('') + same.err.join(''));
    assert.match(same.out.join(''), /pass 8\/8/);
    const worse = io();
    assert.equal(await runEvalCli(['run', suiteFile, '--target', 'candidate', '--url', gw.url, '--key', KEY], worse.io), 1, 'the candidate regresses on captured traffic');

    // replay --live over the capture store: the ledger priced under the candidate, and captured
    // prompts re-sent to it, scored against what users were served.
    const policyFile = join(dir, 'candidate.yaml');
    writeFileSync(policyFile, readFileSync(configFile, 'utf8').replace('targets: [incumbent]', 'targets: [candidate]'));
    const live = io();
    const rc = await runSubstitutionCli('replay', ['--policy', policyFile, '--config', configFile, '--route', 'qa', '--live', '8', '--url', gw.url, '--key', KEY, '--format', 'json'], live.io);
    assert.equal(rc, 0, live.err.join(''));
    const report = JSON.parse(live.out.join('')) as { source: string; records: number; live: { deployment: string; prompts: number; summary: { cases: number; passed: number } } };
    assert.equal(report.source, 'the spend ledger');
    assert.ok(report.records >= 11, `the route's traffic is in the ledger (${report.records})`);
    assert.equal(report.live.deployment, 'candidate');
    assert.equal(report.live.prompts, 8);
    assert.ok(report.live.summary.passed < 8, 'a candidate wrong on half does not answer like the incumbent did');
  } finally {
    await gw.close();
    await ks.close();
  }
});

test('eval capture usage errors: the nearest flag, a missing route, a store that was never written', async () => {
  const c = io();
  assert.equal(await runEvalCli(['capture', '--route', 'qa', '--sampel', '5'], c.io), 2);
  assert.match(c.err.join(''), /unknown flag --sampel; did you mean --sample\?/);
  const noRoute = io();
  assert.equal(await runEvalCli(['capture', '--config', 'x.yaml'], noRoute.io), 2);
  assert.match(noRoute.err.join(''), /--route R is required/);
  const dir = mkdtempSync(join(tmpdir(), 'mp-capture-none-'));
  const configFile = join(dir, 'gateway.yaml');
  writeFileSync(configFile, substitutionConfig('http://127.0.0.1:9', '  qa: { targets: [incumbent] }'));
  const none = io();
  assert.equal(await runEvalCli(['capture', '--route', 'qa', '--config', configFile], none.io), 2);
  assert.match(none.err.join(''), /no capture store at .*substitution\.db/);
  const help = io();
  assert.equal(await runEvalCli(['capture', '--help'], help.io), 0);
  assert.match(help.out.join(''), /usage: modelplane eval capture/);
});
