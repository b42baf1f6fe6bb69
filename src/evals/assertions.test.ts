import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judgeAssertion, judgeCase, jsonPath, type Observation } from './assertions.js';
import { HashedNgramEmbedder, similarity } from './embedder.js';
import { compileSuite, SuiteError, type Assertion } from './suite.js';
import { parseJudgeReply } from './runner.js';

const ctx = { embedder: new HashedNgramEmbedder() };
const obs = (text: string, extra: Partial<Observation> = {}): Observation => ({ status: 200, text, toolCalls: [], latencyMs: 100, ...extra });
const check = async (a: Assertion, o: Observation) => (await judgeAssertion(a, o, ctx)).pass;

test('equals, contains, icontains, regex', async () => {
  assert.equal(await check({ type: 'equals', value: 'Paris' }, obs(' Paris\n')), true);
  assert.equal(await check({ type: 'equals', value: 'Paris' }, obs('paris')), false);
  assert.equal(await check({ type: 'contains', value: ['Par', 'is'] }, obs('Paris')), true);
  assert.equal(await check({ type: 'contains', value: 'paris' }, obs('Paris')), false);
  assert.equal(await check({ type: 'icontains', value: 'paris' }, obs('PARIS!')), true);
  assert.equal(await check({ type: 'regex', pattern: '^\\d{4}$' }, obs('1889')), true);
  assert.equal(await check({ type: 'regex', pattern: 'eiffel', flags: 'i' }, obs('The Eiffel tower')), true);
  assert.equal(await check({ type: 'regex', pattern: '^\\d+$' }, obs('year 1889')), false);
});

test('json-valid, json-schema (a fenced block counts), json-path', async () => {
  assert.equal(await check({ type: 'json-valid' }, obs('{"a":1}')), true);
  assert.equal(await check({ type: 'json-valid' }, obs('{"a":')), false);
  const schema = { type: 'object', required: ['city', 'year'], properties: { city: { type: 'string' }, year: { type: 'integer' } } };
  assert.equal(await check({ type: 'json-schema', schema }, obs('```json\n{"city":"Paris","year":1889}\n```')), true);
  const r = await judgeAssertion({ type: 'json-schema', schema }, obs('{"city":"Paris","year":"1889"}'), ctx);
  assert.equal(r.pass, false);
  assert.match(r.detail!, /\/year must be integer/);
  assert.deepEqual(jsonPath({ a: { b: [{ c: 3 }] } }, '$.a.b[0].c'), { found: true, value: 3 });
  assert.equal(jsonPath({ a: 1 }, 'a.b').found, false);
  assert.equal(await check({ type: 'json-path', path: '$.items[1].id', equals: 7 }, obs('{"items":[{"id":1},{"id":7}]}')), true);
  assert.equal(await check({ type: 'json-path', path: 'items.0.id', equals: 7 }, obs('{"items":[{"id":1},{"id":7}]}')), false);
  assert.equal(await check({ type: 'json-path', path: 'name', contains: 'Eiff' }, obs('{"name":"Eiffel"}')), true);
});

test('tool-call checks the name and the argument shape', async () => {
  const o = obs('', { toolCalls: [{ name: 'get_weather', arguments: { city: 'Paris', days: 3 } }] });
  assert.equal(await check({ type: 'tool-call', name: 'get_weather' }, o), true);
  assert.equal(await check({ type: 'tool-call', name: 'get_time' }, o), false);
  const shape = { type: 'object', required: ['city'], properties: { city: { type: 'string' }, days: { type: 'integer', maximum: 7 } } };
  assert.equal(await check({ type: 'tool-call', name: 'get_weather', arguments: shape }, o), true);
  const bad = obs('', { toolCalls: [{ name: 'get_weather', arguments: { days: 9 } }] });
  const r = await judgeAssertion({ type: 'tool-call', name: 'get_weather', arguments: shape }, bad, ctx);
  assert.equal(r.pass, false);
  assert.match(r.detail!, /city/);
});

test('numeric within tolerance, from text or a JSON path', async () => {
  assert.equal(await check({ type: 'numeric', value: 1889, tolerance: 0 }, obs('It opened in 1889.')), true);
  assert.equal(await check({ type: 'numeric', value: 330, tolerance: 5 }, obs('about 324 m')), false);
  assert.equal(await check({ type: 'numeric', value: 330, tolerance: 6 }, obs('about 324 m')), true);
  assert.equal(await check({ type: 'numeric', value: 1234567 }, obs('1,234,567 people')), true);
  assert.equal(await check({ type: 'numeric', value: 2.5, path: 'x' }, obs('{"x":2.5}')), true);
  assert.equal(await check({ type: 'numeric', value: 1 }, obs('no digits')), false);
});

test('max-latency and max-cost; an unpriced answer fails max-cost with a reason', async () => {
  assert.equal(await check({ type: 'max-latency', ms: 100 }, obs('x', { latencyMs: 100 })), true);
  assert.equal(await check({ type: 'max-latency', ms: 99 }, obs('x', { latencyMs: 100 })), false);
  assert.equal(await check({ type: 'max-cost', usd: 0.01 }, obs('x', { costUsd: 0.002 })), true);
  assert.equal(await check({ type: 'max-cost', usd: 0.001 }, obs('x', { costUsd: 0.002 })), false);
  const r = await judgeAssertion({ type: 'max-cost', usd: 1 }, obs('x'), ctx);
  assert.match(r.detail!, /cost unknown/);
});

test('similar: a paraphrase scores above an unrelated answer', async () => {
  const ref = 'The Eiffel Tower is in Paris, France.';
  const close = await similarity(ctx.embedder, 'The Eiffel tower is located in Paris, France', ref);
  const far = await similarity(ctx.embedder, 'Photosynthesis converts light into chemical energy', ref);
  assert.ok(close > 0.6, `paraphrase ${close}`);
  assert.ok(far < 0.3, `unrelated ${far}`);
  assert.ok(close > far);
  assert.equal(await check({ type: 'similar', reference: ref, threshold: 0.6 }, obs('The Eiffel tower is located in Paris, France')), true);
  assert.equal(await check({ type: 'similar', reference: ref, threshold: 0.6 }, obs('Photosynthesis converts light')), false);
});

test('weights and the case threshold decide a case; a failed request fails its assertions', async () => {
  const c = compileSuite(
    { route: 'r', cases: [{ id: 'a', messages: [{ role: 'user', content: 'q' }], threshold: 0.75, assert: [{ type: 'contains', value: 'Paris', weight: 3 }, { type: 'contains', value: 'France' }] }] },
    'x',
  ).cases[0]!;
  const v = await judgeCase(c, obs('Paris'), ctx);
  assert.equal(v.score, 0.75);
  assert.equal(v.pass, true);
  const v2 = await judgeCase(c, obs('France'), ctx);
  assert.equal(v2.pass, false);
  const v3 = await judgeCase(c, obs('', { status: 502, error: 'upstream_error' }), ctx);
  assert.equal(v3.pass, false);
  assert.match(v3.results[0]!.detail!, /502 upstream_error/);
});

test('suites: templates fill from vars, mistakes name the case', () => {
  const s = compileSuite({ route: 'support', prompt: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Capital of {{country}}?' }], cases: [{ id: 'fr', vars: { country: 'France' }, tags: ['geo'], assert: [{ type: 'contains', value: 'Paris' }] }] }, 'geo');
  assert.equal(s.name, 'geo');
  assert.equal(s.cases[0]!.messages[1]!.content, 'Capital of France?');
  assert.deepEqual(s.cases[0]!.tags, ['geo']);
  assert.throws(() => compileSuite({ route: 'r', prompt: [{ role: 'user', content: '{{x}}' }], cases: [{ id: 'a', vars: {}, assert: [{ type: 'json-valid' }] }] }, 's'), /cases\[0\] \(a\).*\{\{x\}\}/);
  assert.throws(() => compileSuite({ route: 'r', cases: [{ id: 'a', assert: [{ type: 'json-valid' }] }] }, 's'), SuiteError);
  assert.throws(() => compileSuite({ model: 'm', cases: [] }, 's'), /route|model/);
  assert.throws(() => compileSuite({ route: 'r', cases: [{ id: 'a', messages: [{ role: 'user', content: 'q' }], assert: [{ type: 'nope' }] }] }, 's'), SuiteError);
});

test('judge: the verdict and the threshold decide; no judge is a failure that says so', async () => {
  const judge = async (route: string, rubric: string, question: string, answer: string) => {
    assert.equal(route, 'grader');
    assert.equal(question, 'Capital of France?');
    assert.equal(rubric, 'names the city');
    return answer.includes('Paris') ? { pass: true, score: 0.9, reason: 'ok', costUsd: 0.001 } : { pass: false, score: 0.2, reason: 'wrong city' };
  };
  const c = compileSuite({ route: 'r', cases: [{ id: 'a', messages: [{ role: 'user', content: 'Capital of France?' }], assert: [{ type: 'judge', route: 'grader', rubric: 'names the city', threshold: 0.8 }] }] }, 's').cases[0]!;
  const ok = await judgeCase(c, obs('Paris.'), { ...ctx, judge });
  assert.equal(ok.pass, true);
  assert.equal(ok.results[0]!.costUsd, 0.001);
  const bad = await judgeCase(c, obs('Lyon.'), { ...ctx, judge });
  assert.equal(bad.pass, false);
  assert.match(bad.results[0]!.detail!, /wrong city \(score 0\.20\)/);
  const strict = compileSuite({ route: 'r', cases: [{ id: 'a', messages: [{ role: 'user', content: 'Capital of France?' }], assert: [{ type: 'judge', route: 'grader', rubric: 'names the city', threshold: 0.95 }] }] }, 's').cases[0]!;
  assert.equal((await judgeCase(strict, obs('Paris.'), { ...ctx, judge })).pass, false, 'a pass under the score threshold fails');
  const none = await judgeCase(c, obs('Paris.'), ctx);
  assert.match(none.results[0]!.detail!, /no judge/);
});

test('judge replies: JSON (even wrapped in prose) or a failed verdict that says why', () => {
  assert.deepEqual(parseJudgeReply('{"pass": true, "score": 0.7, "reason": "fine"}'), { pass: true, score: 0.7, reason: 'fine' });
  assert.deepEqual(parseJudgeReply('Sure! {"pass": false, "score": 3} done'), { pass: false, score: 1, reason: '' });
  assert.equal(parseJudgeReply('{"score": 0.5}').pass, false);
  assert.match(parseJudgeReply('yes').reason, /no JSON/);
});
