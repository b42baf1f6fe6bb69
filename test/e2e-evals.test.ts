// Eval suites through the gateway's own HTTP API: the route's deployment, a pinned candidate,
// the CLI's report and exit code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../src/server/app.js';
import { runSuite } from '../src/evals/runner.js';
import { compileSuite, loadSuite as loadSuiteFile } from '../src/evals/suite.js';
import { runEvalCli } from '../src/cli/eval.js';
import { runSubstitutionCli } from '../src/cli/substitution.js';
import { parse as parseYaml } from 'yaml';
import { answerFor, startKnowledgeServer } from '../testkit/knowledge.js';
import { captureLogger } from './harness.js';
import { FACTS, substitutionConfig, suiteYaml } from './substitution-kit.js';

const KEY = 'sk-evals';

test('a suite runs through the gateway against the route and against a pinned candidate; the CLI gates on the pass rate', async () => {
  const models = { good: {}, cheap: { wrong: 0.4 } };
  const ks = await startKnowledgeServer(FACTS, models);
  const dir = mkdtempSync(join(tmpdir(), 'mp-evals-'));
  const configFile = join(dir, 'gateway.yaml');
  writeFileSync(configFile, `auth: { master_key: ${KEY} }\n${substitutionConfig(ks.url, '  qa: { targets: [incumbent] }\n  judges: { targets: [grader] }')}`);
  const suiteFile = join(dir, 'capitals.yaml');
  writeFileSync(suiteFile, suiteYaml());
  const logs: Array<Record<string, unknown>> = [];
  const gw = await startGateway({ configFile, port: 0, logger: captureLogger(logs), env: {} });
  try {
    const suite = compileSuite(parseYaml(suiteYaml()), 'capitals');
    const priceOf = (d: string) => gw.holder.current.deployments.get(d)?.price;
    const base = await runSuite(suite, { baseUrl: gw.url, apiKey: KEY, priceOf, concurrency: 3 });
    assert.equal(base.summary.cases, FACTS.length);
    assert.equal(base.summary.passRate, 1, JSON.stringify(base.cases.filter((c) => !c.verdict.pass)));
    assert.ok(base.cases.every((c) => c.observation.deployment === 'incumbent'));
    assert.ok(base.summary.costUsd! > 0);

    // The candidate takes no traffic yet; the suite reaches it through the same route.
    const cand = await runSuite(suite, { baseUrl: gw.url, apiKey: KEY, priceOf, target: 'candidate' });
    assert.ok(cand.cases.every((c) => c.observation.deployment === 'candidate'));
    const expectedWrong = FACTS.filter(([q]) => answerFor(FACTS, new Map(Object.entries(models)), 'cheap', `What is the ${q}?`) !== FACTS.find(([x]) => x === q)![1]).length;
    assert.ok(expectedWrong > 0 && expectedWrong < FACTS.length, `the fixture should make some cases wrong (${expectedWrong})`);
    assert.equal(cand.summary.passed, FACTS.length - expectedWrong);
    assert.ok(cand.summary.costUsd! < base.summary.costUsd!, 'the candidate is cheaper');
    const failed = cand.cases.find((c) => !c.verdict.pass)!;
    assert.ok(failed.verdict.results.some((r) => r.type === 'icontains' && !r.pass && /missing/.test(r.detail!)));

    // An unknown deployment is the caller's mistake, in OpenAI's shape.
    const bad = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', 'x-modelplane-target': 'nope' },
      body: JSON.stringify({ model: 'qa', messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'invalid_request');

    // The CLI: table output and exit 0 on the incumbent; JSON and exit 1 on the candidate under --min-pass.
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s), env: { MODELPLANE_URL: gw.url, MODELPLANE_KEY: KEY } };
    assert.equal(await runEvalCli(['run', suiteFile, '--config', configFile], io), 0, err.join(''));
    assert.match(out.join(''), /pass 10\/10 \(100\.0%\)/);
    out.length = 0;
    assert.equal(await runEvalCli(['run', suiteFile, '--target', 'candidate', '--config', configFile, '--format', 'json', '--min-pass', '0.9'], io), 1);
    const json = JSON.parse(out.join('')) as { target: string; summary: { passed: number } };
    assert.equal(json.target, 'candidate');
    assert.equal(json.summary.passed, FACTS.length - expectedWrong);
    assert.equal(await runEvalCli(['run', suiteFile, '--target', 'candidate', '--min-pass', '0'], { ...io, out: () => {} }), 0);
    // Side by side against a baseline: the candidate's regressions fail the gate unless tolerated.
    out.length = 0;
    assert.equal(await runEvalCli(['run', suiteFile, '--target', 'candidate', '--baseline', 'incumbent', '--config', configFile, '--min-pass', '0'], io), 1);
    const table = out.join('');
    assert.match(table, /baseline incumbent  candidate candidate/);
    assert.match(table, new RegExp(`pass rate -${(100 * expectedWrong / FACTS.length).toFixed(1)} points; regressed: q\\d`));
    out.length = 0;
    assert.equal(await runEvalCli(['run', suiteFile, '--target', 'candidate', '--baseline', 'route:qa', '--config', configFile, '--min-pass', '0', '--max-regression', '0.5', '--format', 'json'], io), 0);
    const cmp = JSON.parse(out.join('')) as { regressed: string[]; fixed: string[]; baseline: { summary: { passRate: number } } };
    assert.equal(cmp.regressed.length, expectedWrong);
    assert.deepEqual(cmp.fixed, []);
    assert.equal(cmp.baseline.summary.passRate, 1);
    // LLM-as-judge through another gateway route; its cost is counted apart.
    const judged = compileSuite(
      { route: 'qa', cases: FACTS.slice(0, 4).map(([q], i) => ({ id: `j${i}`, messages: [{ role: 'user', content: `What is the ${q}?` }], assert: [{ type: 'judge', route: 'judges', rubric: 'The answer names the right city.' }] })) },
      'judged',
    );
    const jr = await runSuite(judged, { baseUrl: gw.url, apiKey: KEY, priceOf, target: 'candidate' });
    const wrongIn4 = FACTS.slice(0, 4).filter(([q], i) => answerFor(FACTS, new Map(Object.entries(models)), 'cheap', `What is the ${q}?`) !== FACTS[i]![1]).length;
    assert.equal(jr.summary.passed, 4 - wrongIn4);
    assert.ok(jr.summary.judgeCostUsd! > 0);
    assert.ok(jr.cases.every((c) => c.judgeCostUsd! > 0));
    const jf = jr.cases.find((c) => !c.verdict.pass);
    if (wrongIn4 > 0) assert.match(jf!.verdict.results[0]!.detail!, /^judge: does not name \w+ \(score 0\.10\)/);
    assert.equal(ks.counts.get('judge'), 4);
    out.length = 0;
    assert.equal(await runEvalCli(['run', suiteFile, '--target', 'candidate', '--config', configFile, '--format', 'junit'], io), 1);
    const junit = out.join('');
    assert.match(junit, new RegExp(`<testsuite name="capitals @ candidate" tests="${FACTS.length}" failures="${expectedWrong}"`));
    assert.equal((junit.match(/<failure message="score /g) ?? []).length, expectedWrong);
    assert.match(junit, /icontains: missing &quot;\w+&quot;/);
    assert.equal(await runEvalCli(['run'], io), 2);
    assert.equal(await runEvalCli(['run', join(dir, 'missing.yaml')], io), 2);
  } finally {
    await gw.close();
    await ks.close();
  }
});

test('eval capture: logged requests of a route become a suite whose references are the served answers', async () => {
  const models = { good: {}, cheap: { wrong: 0.4 } };
  const ks = await startKnowledgeServer(FACTS, models);
  const logs: Array<Record<string, unknown>> = [];
  const config = `auth: { master_key: ${KEY} }\nlogging: { log_bodies: true }\n${substitutionConfig(ks.url, '  qa: { targets: [incumbent] }\n  other: { targets: [incumbent] }')}`;
  const gw = await startGateway({ configText: config, port: 0, logger: captureLogger(logs), env: {} });
  const dir = mkdtempSync(join(tmpdir(), 'mp-capture-'));
  try {
    const ask = (model: string, content: string) =>
      fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' }, body: JSON.stringify({ model, messages: [{ role: 'user', content }] }) }).then((r) => r.text());
    for (const [q] of FACTS) await ask('qa', `What is the ${q}?`);
    await ask('qa', `What is the ${FACTS[0]![0]}?`); // a repeat is one case
    await ask('other', 'What is the capital of Peru?'); // another route
  } finally {
    await gw.close();
  }
  const logFile = join(dir, 'gateway.log');
  writeFileSync(logFile, logs.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const out: string[] = [];
  const err: string[] = [];
  const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s), env: {} };
  const suiteFile = join(dir, 'captured.yaml');
  assert.equal(await runEvalCli(['capture', '--route', 'qa', '--log', logFile, '--sample', '6', '--out', suiteFile], io), 0, err.join(''));
  const suite = loadSuiteFile(suiteFile);
  assert.equal(suite.route, 'qa');
  assert.equal(suite.cases.length, 6, 'an even sample of the ten distinct prompts');
  assert.ok(suite.cases.every((c) => c.assert[0]!.type === 'similar' && c.messages[0]!.role === 'user'));
  out.length = 0;
  assert.equal(await runEvalCli(['capture', '--route', 'qa', '--log', logFile, '--since', '1d'], io), 0);
  assert.equal((out.join('').match(/- id: /g) ?? []).length, FACTS.length, 'ten distinct prompts: the repeat and the other route are left out');
  assert.equal(await runEvalCli(['capture', '--route', 'nope', '--log', logFile], io), 1);
  assert.equal(await runEvalCli(['capture', '--log', logFile], io), 2);

  // The captured suite then judges a candidate against what users were served.
  const gw2 = await startGateway({ configText: `auth: { master_key: ${KEY} }\n${substitutionConfig(ks.url, '  qa: { targets: [incumbent] }')}`, port: 0, logger: captureLogger([]), env: {} });
  try {
    const run = await runSuite(suite, { baseUrl: gw2.url, apiKey: KEY, target: 'candidate' });
    const table = new Map(Object.entries(models));
    const right = suite.cases.filter((c) => {
      const q = c.messages[0]!.content;
      return answerFor(FACTS, table, 'cheap', q) === answerFor(FACTS, table, 'good', q);
    }).length;
    assert.equal(run.summary.passed, right);
    assert.ok(right < suite.cases.length, 'some captured cases catch the candidate');

    // replay --live: the cost estimate comes with re-sent prompts scored against the served answers.
    const policyFile = join(dir, 'candidate.yaml');
    writeFileSync(policyFile, substitutionConfig(ks.url, '  qa: { targets: [candidate] }'));
    out.length = 0;
    const rc = await runSubstitutionCli('replay', ['--policy', policyFile, '--log', logFile, '--route', 'qa', '--live', '5', '--url', gw2.url, '--key', KEY, '--format', 'json'], io);
    assert.equal(rc, 0, err.join(''));
    const rep = JSON.parse(out.join('')) as { total: { replayUsd: number }; live: { deployment: string; prompts: number; summary: { passed: number } } };
    assert.equal(rep.live.deployment, 'candidate');
    assert.equal(rep.live.prompts, 5);
    const sampled = [0, 2, 4, 6, 8].map((i) => `What is the ${FACTS[i]![0]}?`);
    assert.equal(rep.live.summary.passed, sampled.filter((q) => answerFor(FACTS, table, 'cheap', q) === answerFor(FACTS, table, 'good', q)).length);
    assert.ok(rep.total.replayUsd > 0);
    assert.equal(await runSubstitutionCli('replay', ['--policy', policyFile, '--log', logFile, '--live', '5'], io), 2, '--live needs --route (a usage error)');
  } finally {
    await gw2.close();
    await ks.close();
  }
});
