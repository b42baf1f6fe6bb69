import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DataError, parseData } from './data.js';
import { DIMS, featurize, featureInput, STRUCTURAL_NAMES } from './features.js';
import { checkModel, score, thresholdForShare } from './model.js';
import { train } from './train.js';
import { curve } from './curve.js';
import type { CanonicalRequest } from '../../spec/canonical.js';

const req = (text: string, system?: string): CanonicalRequest => ({
  model: 'r',
  stream: false,
  messages: [...(system ? [{ role: 'system' as const, content: [{ type: 'text' as const, text: system }] }] : []), { role: 'user', content: [{ type: 'text', text }] }],
});

test('features: fixed length, deterministic, text part L2-normalised, structural cues set', () => {
  const a = featurize(featureInput(req('Prove that the sum of two even numbers is even, step by step.')));
  const b = featurize(featureInput(req('Prove that the sum of two even numbers is even, step by step.')));
  assert.equal(a.length, DIMS);
  assert.deepEqual(a, b);
  let norm = 0;
  for (let i = STRUCTURAL_NAMES.length; i < DIMS; i++) norm += a[i]! * a[i]!;
  assert.ok(Math.abs(norm - 1) < 1e-9);
  assert.ok(a[STRUCTURAL_NAMES.indexOf('hard_cues')]! > 0);
  const easy = featurize(featureInput(req('Translate into French: thank you')));
  assert.ok(easy[STRUCTURAL_NAMES.indexOf('easy_cues')]! > 0);
  const sys = featurize(featureInput(req('hi', 'You answer in JSON')));
  assert.equal(sys[STRUCTURAL_NAMES.indexOf('has_system')], 1);
  assert.equal(sys[STRUCTURAL_NAMES.indexOf('json_requested')], 1);
});

test('data: labels in three forms; a bad line names its number', () => {
  const ex = parseData([
    '{"prompt":"a","strong_ok":true,"weak_ok":false}',
    '',
    '{"messages":[{"role":"user","content":"b"}],"winner":"tie"}',
    '{"prompt":"c","strong_score":0.5,"weak_score":0.7}',
  ].join('\n'));
  assert.deepEqual(ex.map((e) => [e.line, e.weakAsGood]), [[1, 0], [3, 1], [4, 1]]);
  assert.throws(() => parseData('{"prompt":"a","strong_ok":true,"weak_ok":true}\n{"prompt":"b"}'), (e: unknown) => e instanceof DataError && /line 2: needs a label/.test(e.message));
  assert.throws(() => parseData('{"prompt":"a","strong_ok":"yes","weak_ok":true}'), /line 1: "strong_ok" must be true or false/);
  assert.throws(() => parseData('not json'), /line 1: not valid JSON/);
  assert.throws(() => parseData('{"messages":[]}'), /line 1: "messages" must be a non-empty array/);
});

test('train: separates what it was shown, deterministically; scores in (0,1); the file validates', () => {
  const lines: string[] = [];
  for (let i = 0; i < 30; i++) {
    lines.push(JSON.stringify({ prompt: `Translate into Spanish: good morning number ${i}`, strong_ok: true, weak_ok: true }));
    lines.push(JSON.stringify({ prompt: `Prove and derive the theorem ${i} step by step with a rigorous analysis`, strong_ok: true, weak_ok: false }));
  }
  const data = parseData(lines.join('\n'));
  const m1 = train(data);
  const m2 = train(data);
  assert.deepEqual(m1, m2, 'same data, same weights');
  const easy = score(m1, featurize(featureInput(req('Translate into Spanish: see you tomorrow'))));
  const hard = score(m1, featurize(featureInput(req('Prove and derive the lemma step by step, rigorously'))));
  assert.ok(easy > 0.5 && hard < 0.5, `easy ${easy}, hard ${hard}`);
  assert.equal(m1.calibration.length, data.length);
  assert.deepEqual(checkModel(JSON.parse(JSON.stringify(m1)), 'mem'), m1);
  assert.throws(() => checkModel({ ...m1, featurizer: 'other/v0' }, 'x.json'), /retrain it/);
  assert.throws(() => checkModel({ ...m1, weights: [1, 2] }, 'x.json'), /finite weights/);
});

test('thresholdForShare: the quantile that sends that share up', () => {
  const s = Array.from({ length: 100 }, (_, i) => i / 100);
  const t = thresholdForShare(s, 0.3);
  assert.equal(s.filter((x) => x < t).length, 30);
  assert.equal(thresholdForShare(s, 0), 0);
  assert.ok(s.every((x) => x < thresholdForShare(s, 1)));
});

test('curve: a perfect router recovers the gap at the smallest share; the metrics follow RouteLLM', () => {
  // Half the prompts need the strong tier; the router is trained on exactly these.
  const lines: string[] = [];
  for (let i = 0; i < 20; i++) {
    lines.push(JSON.stringify({ prompt: `classify ticket ${i} billing`, strong_ok: true, weak_ok: true }));
    lines.push(JSON.stringify({ prompt: `prove derive analyse theorem ${i} rigorous`, strong_ok: true, weak_ok: false }));
  }
  const data = parseData(lines.join('\n'));
  const c = curve(train(data), data);
  assert.equal(c.weakQuality, 0.5);
  assert.equal(c.strongQuality, 1);
  assert.equal(c.cpt50, 0.25);
  assert.equal(c.cpt80, 0.4);
  assert.ok(Math.abs(c.apgr - 0.75) < 1e-9, `APGR of a perfect router at 50% hard is 0.75, got ${c.apgr}`);
  assert.equal(c.points.at(-1)!.pgr, 1);
});

test('cascade checks: empty, truncated, bad tool calls, invalid JSON, refusals and hedges; a good answer passes', async () => {
  const { failedCheck } = await import('./checks.js');
  const r = (content: CanonicalResponseLike['content'], finishReason: CanonicalResponseLike['finishReason'] = 'stop'): CanonicalResponseLike => ({ id: 'x', model: 'm', created: 1, content, finishReason });
  const base = req('question');
  const withTools = { ...base, tools: [{ name: 'lookup', parameters: { type: 'object' } }] };
  const asJson = { ...base, responseFormat: { type: 'json_schema' as const, name: 's', schema: { type: 'object', required: ['answer'] } } };
  assert.equal(failedCheck(base, r([{ type: 'text', text: 'Paris is the capital.' }])), undefined);
  assert.equal(failedCheck(base, r([{ type: 'text', text: '  ' }])), 'empty');
  assert.equal(failedCheck(base, r([{ type: 'text', text: 'Paris is' }], 'length')), 'truncated');
  assert.equal(failedCheck(withTools, r([{ type: 'tool-call', id: 'c', name: 'lookup', arguments: '{"q":1}' }], 'tool-calls')), undefined);
  assert.equal(failedCheck(withTools, r([{ type: 'tool-call', id: 'c', name: 'other', arguments: '{}' }], 'tool-calls')), 'invalid-tool-call');
  assert.equal(failedCheck(withTools, r([{ type: 'tool-call', id: 'c', name: 'lookup', arguments: '{"q":' }], 'tool-calls')), 'invalid-tool-call');
  assert.equal(failedCheck(asJson, r([{ type: 'text', text: '{"answer": 42}' }])), undefined);
  assert.equal(failedCheck(asJson, r([{ type: 'text', text: '{"other": 42}' }])), 'invalid-json');
  assert.equal(failedCheck(asJson, r([{ type: 'text', text: 'Sure! Here it is: 42' }])), 'invalid-json');
  assert.equal(failedCheck(base, r([{ type: 'text', text: "I'm sorry, but I can't help with that." }])), 'refusal');
  assert.equal(failedCheck(base, r([{ type: 'text', text: "Honestly I'm not sure, maybe 1850?" }])), 'hedge');
});

type CanonicalResponseLike = import('../../spec/canonical.js').CanonicalResponse;
