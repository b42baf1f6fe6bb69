// The auto router's loop: every decision is recorded, `POST /v1/feedback` labels it (only the key
// that asked may), errors come in the caller's format, and the live strong share is a metric.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../testkit/simulator.js';
import { injectable } from '../testkit/inject.js';

const MASTER = 'sk-auto-master';
const ALICE = `mp-${'a'.repeat(32)}`;
const BOB = `mp-${'b'.repeat(32)}`;
let sim: Simulator;
before(async () => { sim = await startSimulator({ port: 0 }); });
after(async () => { await sim.close(); });

const config = (url: string, auto = 'auto: { threshold: 0.55 }') => `
auth: { master_key: ${MASTER}, admin_key: sk-admin }
storage: { data_dir: ":memory:" }
providers:
  cheap: { format: openai-chat, base_url: ${url}/cheap/v1, api_key: k1 }
  big:   { format: openai-chat, base_url: ${url}/big/v1, api_key: k2 }
deployments:
  small-a: { provider: cheap, model: m-small, tier: small }
  big-a:   { provider: big, model: m-big, tier: frontier }
routes:
  assistant: { strategy: auto, tiers: [small, frontier], ${auto} }
  plain: { targets: [big-a] }
teams:
  support: {}
  sales: {}
keys:
  alice: { key: ${ALICE}, team: support }
  bob: { key: ${BOB}, team: sales }
telemetry: { metrics: { enabled: true, auth: none } }
`;

const EASY = 'Translate into French: "The meeting is moved to Thursday."';
const HARD = 'Design a distributed job queue that handles 50 thousand requests per second across three regions. Cover the data model, consistency trade-offs, failure modes and how you would test it.';

type G = ReturnType<typeof injectable>;
const ask = (g: G, key: string, text: string, model = 'assistant') =>
  g.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${key}` }, payload: { model, messages: [{ role: 'user', content: text }] } });
const feedback = (g: G, headers: Record<string, string>, payload: unknown) => g.inject({ method: 'POST', url: '/v1/feedback', headers: { 'content-type': 'application/json', ...headers }, payload: JSON.stringify(payload) });

test('feedback labels a recorded decision; the label keeps the feature vector; only the asking key may label it', async () => {
  const g = injectable({ configText: config(sim.url) });
  try {
    const r = await ask(g, ALICE, EASY);
    assert.equal(r.statusCode, 200);
    assert.equal(r.headers['x-modelplane-tier'], 'small');
    const id = String(r.headers['x-request-id']);
    const ok = await feedback(g, { authorization: `Bearer ${ALICE}` }, { request_id: id, score: 0.25 });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json(), { object: 'feedback', request_id: id, score: 0.25, route: 'assistant', tier: 'small', training_example: true });
    // Another tenant's key cannot label (nor learn that the id exists).
    const other = await feedback(g, { authorization: `Bearer ${BOB}` }, { request_id: id, score: 1 });
    assert.equal(other.statusCode, 404);
    assert.equal(other.json().error.param, 'request_id');
  } finally {
    await g.close();
  }
});

test('feedback errors name the field, in the OpenAI shape or, for an Anthropic caller, in Anthropic\'s', async () => {
  const g = injectable({ configText: config(sim.url) });
  try {
    const r = await ask(g, MASTER, HARD);
    const id = String(r.headers['x-request-id']);
    const bad = await feedback(g, { authorization: `Bearer ${MASTER}` }, { request_id: id, score: 7 });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.param, 'score');
    assert.match(bad.json().error.message, /score: expected a number from 0/);
    const anth = await feedback(g, { 'x-api-key': MASTER, 'anthropic-version': '2023-06-01' }, { score: 1 });
    assert.equal(anth.statusCode, 400);
    assert.equal(anth.json().type, 'error');
    assert.equal(anth.json().error.type, 'invalid_request_error');
    assert.match(anth.json().error.message, /request_id: expected the x-request-id/);
    const notObject = await feedback(g, { authorization: `Bearer ${MASTER}` }, [1, 2]);
    assert.equal(notObject.statusCode, 400);
    assert.match(notObject.json().error.message, /JSON object/);
    const unknown = await feedback(g, { authorization: `Bearer ${MASTER}` }, { request_id: 'nope', score: 1 });
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.json().error.message, /no answer of an auto route with request id "nope"/);
    const plain = await ask(g, MASTER, EASY, 'plain');
    const notAuto = await feedback(g, { authorization: `Bearer ${MASTER}` }, { request_id: String(plain.headers['x-request-id']), score: 1 });
    assert.equal(notAuto.statusCode, 404, 'a request of a non-auto route has no decision to label');
    const noKey = await feedback(g, {}, { request_id: id, score: 1 });
    assert.equal(noKey.statusCode, 401);
  } finally {
    await g.close();
  }
});

test('the live strong share is exported next to its calibrated target', async () => {
  const g = injectable({ configText: config(sim.url, 'auto: { strong_share: 0.3 }') });
  try {
    for (const t of [EASY, HARD, HARD, HARD]) assert.equal((await ask(g, MASTER, t)).statusCode, 200);
    const m = await g.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${MASTER}` } });
    assert.equal(m.statusCode, 200);
    const live = /modelplane_router_strong_share\{route="assistant"\} ([\d.]+)/.exec(m.body);
    const target = /modelplane_router_strong_share_target\{route="assistant"\} ([\d.]+)/.exec(m.body);
    assert.ok(live && target, m.body.slice(0, 400));
    assert.equal(Number(live[1]), 0.75, 'three of four requests went up');
    assert.equal(Number(target[1]), 0.3);
    const view = await g.inject({ method: 'GET', url: '/admin/router', headers: { authorization: 'Bearer sk-admin' } });
    assert.equal(view.statusCode, 200, view.body);
    assert.deepEqual(view.json().routes.map((r: Record<string, unknown>) => [r.route, r.router, r.tiers, r.strong_share, r.target_strong_share, r.samples, r.drifting]), [['assistant', 'default', ['small', 'frontier'], 0.75, 0.3, 4, false]]);
    assert.equal((await g.inject({ method: 'GET', url: '/admin/router', headers: { authorization: `Bearer ${MASTER}` } })).statusCode, 401, 'the master key is not an admin key');
  } finally {
    await g.close();
  }
});

test('the trace carries the tier and the router score', async () => {
  const { InMemorySpanExporter } = await import('@opentelemetry/sdk-trace-base');
  const { SpanKind } = await import('@opentelemetry/api');
  const { tracingExtension } = await import('../src/telemetry/tracing-extension.js');
  const { createAutoRouting } = await import('../src/routing/auto/install.js');
  const { loadSnapshotFromText } = await import('../src/config/load.js');
  const { createLogger } = await import('../src/telemetry/log.js');
  const text = config(sim.url);
  const snapshot = loadSnapshotFromText(text, { env: {} });
  const exporter = new InMemorySpanExporter();
  const tracing = tracingExtension({ snapshot, exporter, otlp: {} });
  const g = injectable({ configText: text, extensions: [createAutoRouting({ snapshot, log: createLogger('silent') }).extension, tracing] });
  try {
    const r = await ask(g, MASTER, EASY);
    while (!exporter.getFinishedSpans().some((s) => s.kind === SpanKind.SERVER)) await new Promise((res) => setImmediate(res));
    const server = exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER)!;
    assert.equal(server.attributes['modelplane.tier'], 'small');
    assert.equal(server.attributes['modelplane.router_score'], Number(r.headers['x-modelplane-router-score']));
  } finally {
    await g.close();
  }
});
