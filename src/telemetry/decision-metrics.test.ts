// Units of the decision and state metrics: the auto router's tier and escalations, rate-limit
// refusals by scope kind, semantic-hit similarity into its buckets, and the budget cap (the most
// utilised budgets are exported, the count of all of them beside).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import type { Call } from '../gateway/call.js';
import { GatewayError } from '../spec/errors.js';
import { parseProm, sum } from '../../testkit/prom-text.js';
import { DecisionMetrics } from './decision-metrics.js';
import { registerStateMetrics } from './state-metrics.js';

function call(outcome: Partial<Call['outcome']>, headers: string[] = []): Call {
  return { outcome: { status: 200, ...outcome }, headers } as unknown as Call;
}

describe('decision metrics', () => {
  test('tiers, escalations, refusals by scope kind and the similarity of semantic hits', async () => {
    const r = new Registry();
    const d = new DecisionMetrics(r);
    d.record(call({ tier: 'small' }), 'auto');
    d.record(call({ tier: 'small', escalations: ['small:invalid-json'] }), 'auto');
    d.record(call({ tier: 'frontier' }), 'auto');
    const refused = Object.assign(new GatewayError('rate_limit_exceeded', 'x'), { refusal: { scope: 'customer:acme', which: 'tokens' } });
    d.record(call({ status: 429, error: refused }), 'chat');
    d.record(call({ cache: 'hit-semantic' }, ['x-modelplane-cache', 'hit-semantic', 'x-modelplane-cache-similarity', '0.9312']), 'faq');
    d.record(call({ cache: 'hit-semantic' }, ['x-modelplane-cache-similarity', '0.991']), 'faq');
    const s = parseProm(await r.metrics());
    assert.equal(sum(s, 'modelplane_router_decisions_total', { route: 'auto', tier: 'small' }), 2);
    assert.equal(sum(s, 'modelplane_router_decisions_total', { route: 'auto', tier: 'frontier' }), 1);
    assert.equal(sum(s, 'modelplane_router_escalations_total', { route: 'auto', from_tier: 'small', check: 'invalid-json' }), 1);
    assert.equal(sum(s, 'modelplane_rate_limit_refusals_total', { route: 'chat', scope: 'customer', limit: 'tokens' }), 1);
    assert.equal(sum(s, 'modelplane_cache_similarity_count', { route: 'faq' }), 2);
    assert.equal(sum(s, 'modelplane_cache_similarity_bucket', { route: 'faq', le: '0.92' }), 0);
    assert.equal(sum(s, 'modelplane_cache_similarity_bucket', { route: 'faq', le: '0.94' }), 1);
    assert.equal(sum(s, 'modelplane_cache_similarity_bucket', { route: 'faq', le: '1' }), 2);
    assert.ok(Math.abs(sum(s, 'modelplane_cache_similarity_sum', { route: 'faq' }) - 1.9222) < 1e-9);
  });
});

describe('state metrics', () => {
  test('budgets past the cap: the most utilised are exported, all are counted', async () => {
    const r = new Registry();
    const rows = [
      { budget: 'key:a', scope: 'key', limit_usd: 10, spent_usd: 1, reserved_usd: 0, soft_alerted: false },
      { budget: 'key:b', scope: 'key', limit_usd: 10, spent_usd: 9, reserved_usd: 0.5, soft_alerted: true },
      { budget: 'team:t', scope: 'team', limit_usd: 100, spent_usd: 50, reserved_usd: 0, soft_alerted: false },
    ];
    registerStateMetrics(r, { budgets: () => rows, shadow: () => [{ route: 'q', candidate: 'c', pairs: 4, dropped: 1, over_budget: 2 }] }, 2);
    const s = parseProm(await r.metrics());
    assert.equal(sum(s, 'modelplane_budgets'), 3);
    assert.deepEqual(s.filter((x) => x.name === 'modelplane_budget_spent_usd').map((x) => x.labels.budget), ['key:b', 'team:t']);
    assert.equal(sum(s, 'modelplane_budget_utilisation_ratio', { budget: 'key:b' }), 0.9);
    assert.equal(sum(s, 'modelplane_budget_reserved_usd', { budget: 'key:b' }), 0.5);
    assert.equal(sum(s, 'modelplane_budget_soft_alert', { budget: 'key:b' }), 1);
    assert.equal(sum(s, 'modelplane_budget_soft_alert', { budget: 'team:t' }), 0);
    assert.equal(sum(s, 'modelplane_shadow_mirrors_total', { outcome: 'sent' }), 4);
    assert.equal(sum(s, 'modelplane_shadow_mirrors_total', { outcome: 'over_budget' }), 2);
  });
});
