import { test } from 'node:test';
import assert from 'node:assert/strict';
import { testDeployment } from '../../testkit/routing-builders.js';
import { applyUnknownCostRule, costOf, estimateMaxCost, FALLBACK_MAX_OUTPUT_TOKENS, strictestRule } from './cost.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

test('cost: fresh input, cached input at the cache price, cache writes, output (reasoning included)', () => {
  const price = { inputPerMTok: 2, outputPerMTok: 8, cacheReadPerMTok: 0.5, cacheWritePerMTok: 2.5 };
  close(costOf(price, { inputTokens: 1_000_000, outputTokens: 0 })!, 2);
  close(costOf(price, { inputTokens: 1_000_000, outputTokens: 500_000, cacheReadTokens: 400_000 })!, 0.6 * 2 + 0.4 * 0.5 + 0.5 * 8);
  close(costOf(price, { inputTokens: 1_000_000, outputTokens: 0, cacheWriteTokens: 200_000 })!, 0.8 * 2 + 0.2 * 2.5);
  close(costOf({ inputPerMTok: 1, outputPerMTok: 1 }, { inputTokens: 10, outputTokens: 0, cacheReadTokens: 10 })!, 10 / 1e6);
  assert.equal(costOf(undefined, { inputTokens: 1, outputTokens: 1 }), undefined, 'no price: unknown');
  assert.equal(costOf(price, undefined), 0);
});

test('estimate: the highest prices among the targets, max_tokens or the largest output default, the fallback otherwise', () => {
  const cheap = testDeployment('cheap', { price: { inputPerMTok: 1, outputPerMTok: 2 }, capabilities: { maxOutputTokens: 1000 } });
  const dear = testDeployment('dear', { price: { inputPerMTok: 3, outputPerMTok: 15 }, defaultMaxTokens: 500 });
  const e = estimateMaxCost([cheap, dear], 1000, 100);
  close(e.usd, (1000 * 3 + 100 * 15) / 1e6);
  assert.equal(e.unknown, false);
  assert.equal(estimateMaxCost([cheap, dear], 0, undefined).outputTokens, 1000);
  const open = estimateMaxCost([testDeployment('nolimit', { price: { inputPerMTok: 1, outputPerMTok: 1 } })], 0, undefined);
  assert.equal(open.outputTokens, FALLBACK_MAX_OUTPUT_TOKENS);
  assert.equal(open.unknown, true);
  const emb = estimateMaxCost([testDeployment('emb', { price: { inputPerMTok: 0.02, outputPerMTok: 0 } })], 5000, 0);
  assert.equal(emb.outputTokens, 0, 'embeddings reserve no output');
  assert.equal(emb.unknown, false);
  const unpriced = estimateMaxCost([testDeployment('x')], 10, 10);
  assert.equal(unpriced.unknown, true);
  assert.ok(unpriced.usd > 0, 'an unpriced target reserves at the fallback price');
  assert.equal(strictestRule(['allow', 'reserve']), 'reserve');
  assert.equal(strictestRule(['allow', 'refuse', 'reserve']), 'refuse');
  assert.equal(strictestRule([]), 'reserve');
  assert.deepEqual(applyUnknownCostRule(unpriced, 'allow'), { reserve: 0 });
  assert.deepEqual(applyUnknownCostRule(e, 'refuse'), { reserve: e.usd }, 'a known cost is reserved whatever the rule');
});
