import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError, isGatewayError, type ErrorCode } from '../spec/errors.js';
import { HealthRegistry } from './health.js';
import { planAttempts, type Attempt, type Plan, type PlanInput } from './planner.js';
import { DeploymentStats } from './stats.js';
import { seededRng, testClass, testDeployment, testProvider, testRequest, testRoute } from '../../testkit/routing-builders.js';

const err = (code: ErrorCode, retryAfterMs?: number) => new GatewayError(code, code, retryAfterMs === undefined ? {} : { retryAfterMs });

function setup() {
  return { health: new HealthRegistry(), stats: new DeploymentStats() };
}
function plan(deps: ReturnType<typeof setup>, input: Partial<PlanInput> & Pick<PlanInput, 'route'>): Plan {
  return planAttempts({ request: testRequest('hello'), now: 0, rng: seededRng(1), ...input }, deps);
}
const where = (a: Attempt | undefined) => (a === undefined ? 'none' : `${a.deployment.id}/${a.credential?.id ?? '-'}:${a.kind}:${a.delayMs}`);

test('weighted 95/5 route: ~95% of 10,000 plans start on A (±1.5%)', () => {
  const deps = setup();
  const a = testDeployment('a');
  const b = testDeployment('b');
  const route = testRoute('canary', [a, b], { strategy: 'weighted', weights: [95, 5] });
  const rng = seededRng(2024);
  let onA = 0;
  for (let i = 0; i < 10_000; i++) if (planAttempts({ route, request: testRequest(), now: 0, rng }, deps).first.deployment === a) onA++;
  assert.ok(Math.abs(onA / 10_000 - 0.95) <= 0.015, `A first in ${onA / 100}%`);
});

test('cost picks the cheapest eligible deployment, skipping a cheaper one that lacks vision', () => {
  const deps = setup();
  const cheapBlind = testDeployment('cheap-blind', { price: { inputPerMTok: 0.05, outputPerMTok: 0.2 }, capabilities: { vision: false } });
  const mid = testDeployment('mid', { price: { inputPerMTok: 0.5, outputPerMTok: 2 } });
  const dear = testDeployment('dear', { price: { inputPerMTok: 5, outputPerMTok: 20 } });
  const route = testRoute('cheap', [dear, cheapBlind, mid], { strategy: 'cost' });
  assert.equal(plan(deps, { route }).first.deployment.id, 'cheap-blind');
  const image = testRequest('', {
    messages: [{ role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'https://example.invalid/x.png' } }] }],
  });
  const p = plan(deps, { route, request: image });
  assert.deepEqual(p.order.map((d) => d.id), ['mid', 'dear']);
  assert.deepEqual(p.ineligible, [{ id: 'cheap-blind', reason: 'deployment cheap-blind does not accept images' }]);
});

test('no deployment with a large enough context window: context_length_exceeded naming the limit', () => {
  const deps = setup();
  const route = testRoute('chat', [
    testDeployment('a', { capabilities: { contextWindow: 128_000 } }),
    testDeployment('b', { capabilities: { contextWindow: 32_000 } }),
  ]);
  const request = testRequest('x'.repeat(4 * 129_996), { maxTokens: 1_000 }); // 130,000 input tokens
  assert.throws(
    () => plan(deps, { route, request }),
    (e: unknown) =>
      isGatewayError(e) &&
      e.code === 'context_length_exceeded' &&
      e.status === 400 &&
      e.scope === 'request' &&
      e.message === "request needs ~131000 tokens (~130000 input + 1000 max output); the largest context window on route 'chat' is 128000",
  );
});

test('a capability no target has: unsupported_capability naming it', () => {
  const deps = setup();
  const route = testRoute('plain', [testDeployment('a', { capabilities: { tools: false } })]);
  assert.throws(
    () => plan(deps, { route, request: testRequest('x', { tools: [{ name: 'f', parameters: {} }] }) }),
    (e: unknown) => isGatewayError(e) && e.code === 'unsupported_capability' && e.message === "no deployment on route 'plain' supports tools" && e.param === 'tools',
  );
});

test('class selection picks the sub-plan and is reported', () => {
  const deps = setup();
  const main = testDeployment('main');
  const tooling = testDeployment('tooling');
  const route = testRoute('r', [main], { classes: [testClass('tools', { hasTools: true }, [tooling])] });
  const p = plan(deps, { route, request: testRequest('x', { tools: [{ name: 'f', parameters: {} }] }) });
  assert.equal(p.className, 'tools');
  assert.equal(p.first.deployment, tooling);
  const q = plan(deps, { route, headers: {} });
  assert.equal(q.className, undefined);
  assert.equal(q.first.deployment, main);
});

test('429 with retry-after: the next attempt rotates to another key at once; later requests skip the cooled key until it expires', () => {
  const deps = setup();
  const dep = testDeployment('d', { provider: 'p', keys: 3 });
  const other = testDeployment('e');
  const route = testRoute('r', [dep, other]);
  const p = plan(deps, { route });
  assert.equal(where(p.first), 'd/p#0:first:0');
  deps.health.recordFailure(p.first.ref, err('rate_limited', 30_000), 100);
  const second = p.next(100, err('rate_limited', 30_000));
  assert.equal(where(second), 'd/p#1:rotate:0');
  deps.health.recordFailure(second!.ref, err('insufficient_quota'), 200);
  assert.equal(where(p.next(200, err('insufficient_quota'))), 'd/p#2:rotate:0');

  assert.equal(where(plan(deps, { route, now: 1_000 }).first), 'd/p#2:first:0', 'a new request skips both');
  assert.equal(where(plan(deps, { route, now: 30_100 }).first), 'd/p#0:first:0', 'retry-after over: p#0 is tried (half-open)');
  assert.equal(where(plan(deps, { route, now: 30_101 }).first), 'd/p#2:first:0', 'one trial at a time');
});

test('insufficient_quota locks the key for the lockout; with every key out, the next deployment', () => {
  const deps = { health: new HealthRegistry({ credentialLockoutMs: 600_000 }), stats: new DeploymentStats() };
  const dep = testDeployment('d', { provider: 'p', keys: 1 });
  const other = testDeployment('e');
  const route = testRoute('r', [dep, other]);
  const p = plan(deps, { route });
  deps.health.recordFailure(p.first.ref, err('insufficient_quota'), 10);
  assert.equal(where(p.next(10, err('insufficient_quota'))), 'e/prov-e#0:fallback:0');
  assert.equal(plan(deps, { route, now: 599_999 }).first.deployment.id, 'e');
  assert.equal(plan(deps, { route, now: 600_010 }).first.deployment.id, 'd');
});

test('request-scope errors end the plan', () => {
  const deps = setup();
  const p = plan(deps, { route: testRoute('r', [testDeployment('a'), testDeployment('b')]) });
  deps.health.recordFailure(p.first.ref, err('upstream_bad_request'), 1);
  assert.equal(p.next(1, err('upstream_bad_request')), undefined);
  assert.deepEqual(deps.health.snapshot(1), []);
});

test('retryable errors retry the same deployment with backoff; non-retryable ones move on', () => {
  const deps = setup();
  const a = testDeployment('a');
  const b = testDeployment('b');
  const route = testRoute('r', [a, b], { retry: { maxAttempts: 5, attemptsPerDeployment: 2, baseBackoffMs: 100, maxBackoffMs: 1_000 } });
  const p = plan(deps, { route, rng: () => 0.5 });
  assert.equal(where(p.next(1, err('upstream_error'))), 'a/prov-a#0:retry:50');
  assert.equal(where(p.next(2, err('upstream_error'))), 'b/prov-b#0:fallback:0', 'attemptsPerDeployment reached');
  const q = plan(deps, { route });
  assert.equal(where(q.next(1, err('upstream_not_found'))), 'b/prov-b#0:fallback:0', 'non-retryable: no same-target retry');
  assert.equal(q.next(2, err('upstream_not_found')), undefined, 'targets exhausted');
});

test('retry-after is honoured over the backoff; a wait past the deadline falls back instead', () => {
  const deps = setup();
  const route = testRoute('r', [testDeployment('a'), testDeployment('b')], {
    deadlineMs: 10_000,
    retry: { maxAttempts: 5, attemptsPerDeployment: 3, baseBackoffMs: 100, maxBackoffMs: 1_000 },
  });
  const p = plan(deps, { route });
  assert.equal(where(p.next(100, err('upstream_overloaded', 2_500))), 'a/prov-a#0:retry:2500');
  assert.equal(where(p.next(2_700, err('upstream_overloaded', 8_000))), 'b/prov-b#0:fallback:0');
  assert.equal(p.next(10_000, err('upstream_timeout')), undefined, 'deadline reached');
});

test('maxAttempts bounds the whole plan', () => {
  const deps = setup();
  const route = testRoute('r', ['a', 'b', 'c', 'd'].map((id) => testDeployment(id)), {
    retry: { maxAttempts: 2, attemptsPerDeployment: 1, baseBackoffMs: 0, maxBackoffMs: 0 },
  });
  const p = plan(deps, { route });
  assert.ok(p.next(1, err('upstream_error')));
  assert.equal(p.next(2, err('upstream_error')), undefined);
  assert.equal(p.attempts, 2);
});

test('open breakers are skipped; after a provider error its other deployments go last', () => {
  const deps = setup();
  const p1 = testProvider('p1');
  const a1 = testDeployment('a1', { provider: p1 });
  const a2 = testDeployment('a2', { provider: p1 });
  const b = testDeployment('b');
  const route = testRoute('r', [a1, a2, b], { retry: { maxAttempts: 5, attemptsPerDeployment: 1, baseBackoffMs: 0, maxBackoffMs: 0 } });
  for (let i = 0; i < 5; i++) deps.health.recordFailure({ providerId: 'p1', deploymentId: 'a1' }, err('upstream_timeout'), 0);
  const p = plan(deps, { route, now: 1 });
  assert.equal(p.first.deployment.id, 'a2', 'a1 open');
  assert.equal(where(p.next(2, err('upstream_connection'))), 'b/prov-b#0:fallback:0');
  assert.equal(p.next(3, err('upstream_error')), undefined, 'a1 still open');
});

test('hedge: next() without a failure opens another deployment', () => {
  const deps = setup();
  const p = plan(deps, { route: testRoute('r', [testDeployment('a'), testDeployment('b')]) });
  const hedge = p.next(500);
  assert.equal(where(hedge), 'b/prov-b#0:hedge:0');
  // The original attempt fails after the hedge started: the plan knows which one failed.
  assert.equal(p.next(600, err('upstream_error'), p.first), undefined);
});

test('context_length_exceeded falls back only to larger windows when the plan allows it', () => {
  const deps = setup();
  const small = testDeployment('small', { capabilities: { contextWindow: 8_000 } });
  const smaller = testDeployment('smaller', { capabilities: { contextWindow: 4_000 } });
  const big = testDeployment('big', { capabilities: { contextWindow: 200_000 } });
  const allowed = plan(deps, { route: testRoute('r', [small, smaller, big], { fallbackOnContextLength: true }) });
  assert.equal(where(allowed.next(1, err('context_length_exceeded'))), 'big/prov-big#0:fallback:0');
  const denied = plan(deps, { route: testRoute('r', [small, big]) });
  assert.equal(denied.next(1, err('context_length_exceeded')), undefined);
  assert.deepEqual(deps.health.snapshot(1), [], 'no health charge');
});

test('every target down: one early probe on the least recently failed; the next request gets no_healthy_deployment', () => {
  const deps = setup();
  const a = testDeployment('a');
  const b = testDeployment('b');
  const route = testRoute('r', [a, b]);
  for (let i = 0; i < 5; i++) deps.health.recordFailure({ providerId: 'prov-b', deploymentId: 'b' }, err('upstream_timeout'), 100);
  for (let i = 0; i < 5; i++) deps.health.recordFailure({ providerId: 'prov-a', deploymentId: 'a' }, err('upstream_timeout'), 200);
  const p = plan(deps, { route, now: 1_000 });
  assert.equal(where(p.first), 'b/prov-b#0:probe:0', 'b failed longest ago');
  assert.throws(
    () => plan(deps, { route, now: 1_001 }),
    (e: unknown) =>
      isGatewayError(e) &&
      e.code === 'no_healthy_deployment' &&
      e.status === 503 &&
      e.retryAfterMs === 1_000 && // b's probe will have answered by then
      e.message.includes('deployment b half-open (trial in flight)') &&
      e.message.startsWith("no healthy deployment for route 'r': deployment a open for 10s more: 5 consecutive failures (last: upstream_timeout)"),
  );
  deps.health.recordSuccess(p.first.ref, 300, 1_300);
  assert.equal(plan(deps, { route, now: 1_301 }).first.deployment.id, 'b', 'probe succeeded: b is closed again');
});

test('hard cooldowns are not probed: every key rate-limited means no_healthy_deployment with its retry-after', () => {
  const deps = setup();
  const route = testRoute('r', [testDeployment('a', { provider: 'p', keys: 2 })]);
  deps.health.recordFailure({ providerId: 'p', deploymentId: 'a', credentialId: 'p#0' }, err('rate_limited', 5_000), 0);
  deps.health.recordFailure({ providerId: 'p', deploymentId: 'a', credentialId: 'p#1' }, err('rate_limited', 8_000), 0);
  assert.throws(
    () => plan(deps, { route, now: 1_000 }),
    (e: unknown) => isGatewayError(e) && e.code === 'no_healthy_deployment' && e.retryAfterMs === 4_000 && /p#1@a open for 7s more: rate_limited/.test(e.message),
  );
});

test('a single-key deployment retries the same key after its retry-after when attempts allow', () => {
  const deps = setup();
  const route = testRoute('r', [testDeployment('a', { provider: 'p', keys: 1 })], {
    retry: { maxAttempts: 3, attemptsPerDeployment: 2, baseBackoffMs: 100, maxBackoffMs: 1_000 },
  });
  const p = plan(deps, { route });
  deps.health.recordFailure(p.first.ref, err('rate_limited', 1_500), 10);
  assert.equal(where(p.next(10, err('rate_limited', 1_500))), 'a/p#0:retry:1500');
});
