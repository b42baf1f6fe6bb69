// Units of the metrics extension: label guards, the rolling window, and /metrics through an
// in-process gateway where a stage plays the parts other capabilities will fill (attribution,
// prices, cache outcomes), so their series are checked before those capabilities exist.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Call } from '../gateway/call.js';
import type { Extension } from '../gateway/extension.js';
import { loadSnapshotFromText } from '../config/load.js';
import { injectable } from '../../testkit/inject.js';
import { parseProm, series, sum } from '../../testkit/prom-text.js';
import { LabelGuard, OVERFLOW } from './label-guard.js';
import { BUCKETS } from './gateway-metrics.js';
import { metricsExtension } from './metrics-extension.js';
import { quantile, RollingWindow } from './rolling-window.js';

describe('label guard', () => {
  test('keeps the first N distinct values, then counts the rest under the overflow value', () => {
    const g = new LabelGuard(2);
    assert.deepEqual(['a', 'b', 'a', 'c', 'b', 'd'].map((v) => g.admit(v)), ['a', 'b', 'a', OVERFLOW, 'b', OVERFLOW]);
    assert.equal(g.overflowed, 2);
    assert.equal(g.admit(undefined), '');
  });
  test('long values are cut to 64 characters and count once', () => {
    const g = new LabelGuard(5);
    const v = g.admit('t'.repeat(100));
    assert.equal(v, 't'.repeat(64));
    assert.equal(g.admit('t'.repeat(100)), v);
    assert.equal(g.size, 1);
  });
});

function fakeCall(t0: number, status: number, extra: Partial<Call['outcome']> = {}, caller: Partial<Call['caller']> = {}): Call {
  return {
    ex: { startedAt: t0 },
    endpoint: 'chat',
    caller: { kind: 'key', ...caller },
    route: { name: 'r' },
    trace: { attempts: 1, failures: [], warnings: [] },
    outcome: { status, ...extra },
    headers: [],
  } as unknown as Call;
}

describe('rolling window', () => {
  test('buckets by an injected clock; totals, quantiles and the series over the range', () => {
    let now = 1_000_000;
    const w = new RollingWindow({ bucketMs: 1000, buckets: 10, now: () => now });
    w.add(fakeCall(now - 100, 200, { ttftMs: 40 }));
    w.add(fakeCall(now - 200, 200));
    now += 1000;
    w.add(fakeCall(now - 1000, 502));
    const v = w.view(5000);
    assert.equal(v.series.length, 5);
    assert.deepEqual(v.series.slice(-2).map((p) => [p.requests, p.errors]), [[2, 0], [1, 1]]);
    assert.equal(v.totals.requests, 3);
    assert.equal(v.totals.errors, 1);
    // Latencies come from the injected clock (100, 200 and 1000 ms): the quantiles are the upper
    // bounds of the log-spaced histogram buckets those values fall in, exactly.
    assert.equal(v.totals.p50_ms, 211.76);
    assert.equal(v.totals.p95_ms, 1009.74);
    assert.equal(v.totals.ttft_p50_ms, 44.41);
    assert.equal(v.spend, null, 'nobody priced anything: no spend panel data');
    assert.equal(v.cache, null, 'no cache outcome was reported');
    assert.deepEqual(v.top_routes, [{ id: 'r', requests: 3, errors: 1, cost_usd: 0 }]);
    // Ten buckets later, the old ones have rotated out.
    now += 10_000;
    w.add(fakeCall(now, 200, { costUsd: 0.25, cache: 'hit' }, { team: 'blue', agent: 'bot' }));
    w.add(fakeCall(now, 200, { costUsd: 0.5, cache: 'miss' }, { team: 'red' }));
    const later = w.view(60_000);
    assert.equal(later.series.length, 10, 'the range is capped by the window');
    assert.equal(later.totals.requests, 2);
    assert.deepEqual(later.spend?.by_team, [{ id: 'red', cost_usd: 0.5 }, { id: 'blue', cost_usd: 0.25 }]);
    assert.deepEqual(later.spend?.by_agent, [{ id: 'bot', cost_usd: 0.25 }]);
    assert.equal(later.cache?.hit_rate, 0.5);
  });
  test('quantile of an empty histogram is undefined', () => {
    assert.equal(quantile(new Uint32Array(4), 0.5), undefined);
  });
});

const CONFIG = (telemetry: string) => `
auth: { master_key: sk-m, admin_key: sk-admin }
${telemetry}
providers: { p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none } }
deployments: { d: { provider: p, model: m } }
routes: { r: { targets: [d], retry: { max_attempts: 1 } } }
`;

/** Plays tenants and the cache: attributes the caller from a header, answers by itself, prices it. */
function fakeTenantAndCache(): Extension {
  return {
    name: 'fake-tenant',
    stage: async (call, next) => {
      if (call.endpoint !== 'chat') return next();
      const team = call.ex.req.headers['x-team'];
      call.caller = { kind: 'key', keyId: 'k1', ...(typeof team === 'string' ? { team } : {}), customer: 'acme' };
      call.outcome.cache = call.ex.req.headers['x-hit'] ? 'hit' : 'miss';
      call.outcome.costUsd = 0.125;
      call.outcome.usage = { inputTokens: 10, outputTokens: 5 };
      return { kind: 'response', response: { id: 'x', model: 'm', created: 1, content: [{ type: 'text', text: 'ok' }], finishReason: 'stop', usage: { inputTokens: 10, outputTokens: 5 } } };
    },
  };
}

function gateway(telemetry: string) {
  const text = CONFIG(telemetry);
  const snapshot = loadSnapshotFromText(text, { env: {} });
  const metrics = metricsExtension({ snapshot });
  // The metrics stage goes first so it sees every request the others answer or refuse.
  return injectable({ configText: text, extensions: [metrics, fakeTenantAndCache()] });
}

const chat = { model: 'r', messages: [{ role: 'user', content: 'hi' }] };
const asUser = (h: Record<string, string> = {}) => ({ authorization: 'Bearer sk-m', ...h });

describe('GET /metrics', () => {
  test('attribution labels, cost, cache outcomes and the cardinality cap', async () => {
    const g = gateway('telemetry: { metrics: { labels: [team, customer], max_label_values: 2 } }');
    try {
      for (const team of ['blue', 'red', 'green', 'pink']) {
        const r = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: asUser({ 'x-team': team }), payload: chat });
        assert.equal(r.statusCode, 200, r.body);
      }
      await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: asUser({ 'x-team': 'blue', 'x-hit': '1' }), payload: chat });
      const res = await g.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer sk-admin' } });
      assert.equal(res.statusCode, 200, res.body);
      assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
      const s = parseProm(res.body);
      const req = series(s, 'modelplane_requests_total');
      assert.deepEqual(req.map((x) => x.labels.team).sort(), [OVERFLOW, 'blue', 'red']);
      assert.equal(sum(s, 'modelplane_requests_total', { team: 'blue', code: '200', customer: 'acme', route: 'r', endpoint: 'chat' }), 2);
      assert.equal(sum(s, 'modelplane_requests_total', { team: OVERFLOW }), 2);
      assert.equal(req[0]!.labels.key, undefined, 'key is not a label unless configured');
      assert.equal(sum(s, 'modelplane_label_overflow_total', { label: 'team' }), 2);
      assert.equal(sum(s, 'modelplane_cost_usd_total'), 0.625);
      assert.equal(sum(s, 'modelplane_tokens_total', { direction: 'input' }), 50);
      assert.equal(sum(s, 'modelplane_tokens_total', { direction: 'output' }), 25);
      assert.equal(sum(s, 'modelplane_cache_lookups_total', { outcome: 'hit', route: 'r' }), 1);
      assert.equal(sum(s, 'modelplane_cache_lookups_total', { outcome: 'miss' }), 4);
      assert.equal(sum(s, 'modelplane_in_flight_requests', { endpoint: 'chat' }), 0, 'every request left');
      assert.equal(sum(s, 'gen_ai_server_request_duration_seconds_count', { gen_ai_operation_name: 'chat', gen_ai_request_model: 'r' }), 5);
      assert.equal(sum(s, 'gen_ai_client_token_usage_sum', { gen_ai_token_type: 'input' }), 50);
      const buckets = series(s, 'gen_ai_client_token_usage_bucket').filter((x) => x.labels.gen_ai_token_type === 'input').map((x) => x.labels.le);
      assert.deepEqual(buckets, [...BUCKETS.tokens.map(String), '+Inf']);
      // The breaker gauge lists every configured entity, closed.
      assert.equal(sum(s, 'modelplane_breaker_state', { level: 'deployment', id: 'd', state: 'closed' }), 1);
      assert.equal(sum(s, 'modelplane_breaker_state', { level: 'provider', id: 'p', state: 'open' }), 0);
      assert.equal(sum(s, 'modelplane_config_version'), 1);
    } finally {
      await g.close();
    }
  });

  test('wants the admin key by default; `auth: none` opens it; `enabled: false` turns it off', async () => {
    const g = gateway('');
    try {
      const none = await g.inject({ method: 'GET', url: '/metrics' });
      assert.equal(none.statusCode, 401);
      assert.equal(none.json().error.code, 'unauthorized');
      const user = await g.inject({ method: 'GET', url: '/metrics', headers: asUser() });
      assert.equal(user.statusCode, 401, 'the master key is not the admin key when both are set');
    } finally {
      await g.close();
    }
    const open = gateway('telemetry: { metrics: { auth: none } }');
    try {
      const r = await open.inject({ method: 'GET', url: '/metrics' });
      assert.equal(r.statusCode, 200);
      assert.match(r.body, /# TYPE modelplane_requests_total counter/);
    } finally {
      await open.close();
    }
    const off = gateway('telemetry: { metrics: { enabled: false } }');
    try {
      await off.inject({ method: 'POST', url: '/v1/chat/completions', headers: asUser(), payload: chat });
      const r = await off.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer sk-admin' } });
      assert.equal(r.statusCode, 404);
      assert.equal(r.json().error.code, 'not_found');
    } finally {
      await off.close();
    }
  });
});

describe('GET /admin/dashboard/tail', () => {
  test('pages by seq, wants the admin key, and says what to fix in a bad query', async () => {
    const g = gateway('');
    try {
      await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: asUser({ 'x-team': 'blue' }), payload: chat });
      await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: asUser(), payload: chat });
      const admin = { authorization: 'Bearer sk-admin' };
      const all = await g.inject({ method: 'GET', url: '/admin/dashboard/tail', headers: admin });
      assert.equal(all.statusCode, 200, all.body);
      const body = all.json() as { seq: number; requests: Array<{ seq: number; team: string | null; cost_usd: number; route: string }> };
      assert.equal(body.seq, 2);
      assert.deepEqual(body.requests.map((r) => [r.seq, r.team, r.route, r.cost_usd]), [[1, 'blue', 'r', 0.125], [2, null, 'r', 0.125]]);
      const later = await g.inject({ method: 'GET', url: '/admin/dashboard/tail?after=1', headers: admin });
      assert.deepEqual((later.json() as typeof body).requests.map((r) => r.seq), [2]);
      assert.equal((await g.inject({ method: 'GET', url: '/admin/dashboard/tail', headers: asUser() })).statusCode, 401);
      const bad = await g.inject({ method: 'GET', url: '/admin/dashboard/tail?after=soon', headers: admin });
      assert.equal(bad.statusCode, 400);
      assert.match(bad.json().error.message, /^after: /);
      const big = await g.inject({ method: 'GET', url: '/admin/dashboard/tail?limit=100000', headers: admin });
      assert.equal(big.statusCode, 400);
      assert.match(big.json().error.message, /^limit: an integer from 1 to 500/);
    } finally {
      await g.close();
    }
  });
});

describe('deploy/ files', () => {
  test('every metric the Grafana dashboard and the alert rules query exists', async () => {
    const { readFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { projectRoot } = await import('../../testkit/fixtures.js');
    const { GatewayMetrics } = await import('./gateway-metrics.js');
    // Every capability installed (as the default extensions wire them), so every series is known.
    const sources = { budgets: () => [], shadow: () => [], cacheSaved: () => [] };
    const known = new Set((await new GatewayMetrics({ labels: ['team'], maxLabelValues: 5, sources }).registry.getMetricsAsJSON()).map((m) => m.name));
    for (const f of ['deploy/grafana/modelplane.json', 'deploy/prometheus/modelplane-alerts.yml']) {
      const text = readFileSync(join(projectRoot(), f), 'utf8');
      const used = new Set([...text.matchAll(/\b((?:modelplane|gen_ai)_[a-z_]+)/g)].map((m) => m[1]!.replace(/_(bucket|sum|count)$/, '')));
      assert.ok(used.size >= 5, f);
      // The cache's outcomes are hit-exact and hit-semantic: a query for outcome="hit" sees none.
      assert.doesNotMatch(text, /outcome=\\?"hit\\?"/, `${f} matches the cache outcome "hit", which the cache never reports`);
      for (const name of used) assert.ok(known.has(name), `${f} uses ${name}, which the gateway does not export`);
    }
  });
});

describe('telemetry.metrics.port', () => {
  test('serves the same document on its own listener, under the same auth rule, and nothing else', async () => {
    const { createRouter } = await import('../gateway/router-impl.js');
    const { createLogger } = await import('./log.js');
    const text = CONFIG('telemetry: { metrics: { port: 0, labels: [team] } }');
    const snapshot = loadSnapshotFromText(text, { env: {} });
    const ext = metricsExtension({ snapshot, router: createRouter(createLogger('silent'), {}) });
    const g = injectable({ configText: text, extensions: [ext, fakeTenantAndCache()] });
    try {
      const port = await ext.port!.listening;
      await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: asUser({ 'x-team': 'blue' }), payload: chat });
      const base = `http://127.0.0.1:${port}`;
      const denied = await fetch(`${base}/metrics`);
      assert.equal(denied.status, 401);
      assert.equal(((await denied.json()) as { error: { code: string } }).error.code, 'unauthorized');
      const ok = await fetch(`${base}/metrics`, { headers: { authorization: 'Bearer sk-admin' } });
      assert.equal(ok.status, 200);
      const s = parseProm(await ok.text());
      assert.equal(sum(s, 'modelplane_requests_total', { team: 'blue', code: '200' }), 1);
      assert.equal(sum(s, 'modelplane_breaker_state', { level: 'deployment', id: 'd', state: 'closed' }), 1);
      assert.equal((await fetch(`${base}/v1/chat/completions`, { method: 'POST' })).status, 404);
    } finally {
      await g.close();
    }
    await assert.rejects(fetch(`http://127.0.0.1:${await ext.port!.listening}/metrics`), 'closed with the gateway');
  });
});
