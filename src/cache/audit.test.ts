import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CanonicalResponse } from '../spec/canonical.js';
import { answersAgree, CacheAuditor, wilson } from './audit.js';
import { HashedNgramEmbedder } from './embedder.js';

const e = new HashedNgramEmbedder();
const r = (text: string, call?: { name: string; arguments: string }): CanonicalResponse => ({
  id: 'x',
  model: 'm',
  created: 1,
  content: [{ type: 'text', text }, ...(call ? [{ type: 'tool-call' as const, id: 'c', ...call }] : [])],
  finishReason: 'stop',
});

test('Wilson interval', () => {
  assert.deepEqual(wilson(0, 0), [0, 1]);
  const [lo, hi] = wilson(1, 100);
  assert.ok(lo > 0.0017 && lo < 0.0018 && hi > 0.054 && hi < 0.055, `${lo} ${hi}`);
  assert.equal(wilson(0, 50)[0], 0);
});

test('answers agree when they say the same thing; tool calls must match exactly', () => {
  assert.ok(answersAgree(r('Open Settings, then Security, then Reset password.'), r('Go to Settings > Security and choose Reset password.'), e));
  assert.ok(!answersAgree(r('Open Settings, then Security, then Reset password.'), r('The capital of France is Paris.'), e));
  assert.ok(answersAgree(r('', { name: 'f', arguments: '{"a":1,"b":2}' }), r('', { name: 'f', arguments: '{"a":1,"b":2}' }), e));
  assert.ok(!answersAgree(r('', { name: 'f', arguments: '{"a":1}' }), r('', { name: 'f', arguments: '{"a":2}' }), e));
});

test('audits a share of hits in the background, bounded, and reports the rate with its interval', async () => {
  const answers = ['Reset it under Settings, Security.', 'Paris.'];
  let i = 0;
  let rolls = [0.1, 0.9, 0.1, 0.1];
  const auditor = new CacheAuditor({ embedder: e, random: () => rolls.shift() ?? 0.9, maxInFlight: 2, fresh: async () => r(answers[i++ % 2]!) });
  const cached = r('Reset it under Settings, then Security.');
  assert.equal(auditor.maybeAudit('faq', 0.5, { model: 'faq', messages: [], stream: true }, cached), true);
  assert.equal(auditor.maybeAudit('faq', 0.5, { model: 'faq', messages: [], stream: true }, cached), false, 'not sampled');
  assert.equal(auditor.maybeAudit('faq', 0.5, { model: 'faq', messages: [], stream: true }, cached), true);
  assert.equal(auditor.maybeAudit('faq', 0.5, { model: 'faq', messages: [], stream: true }, cached), false, 'two already in flight');
  await auditor.idle();
  const [row] = auditor.report();
  assert.equal(row!.audits, 2);
  assert.equal(row!.disagreements, 1);
  assert.equal(row!.falseHitRate, 0.5);
  rolls = [0];
  const failing = new CacheAuditor({ embedder: e, random: () => 0, fresh: () => Promise.reject(new Error('down')) });
  failing.maybeAudit('faq', 1, { model: 'faq', messages: [], stream: false }, cached);
  await failing.idle();
  assert.deepEqual(failing.report()[0]!.failed, 1);
});
