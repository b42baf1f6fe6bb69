// The substitution capabilities as the gateway ships them (defaultExtensions): stores under
// storage.data_dir, the admin endpoints, refusals in the caller's shape, and the pin's trust rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../src/server/app.js';
import type { Extension } from '../src/gateway/extension.js';
import { targetPin } from '../src/evals/target-pin.js';
import { injectable } from '../testkit/inject.js';
import { startKnowledgeServer } from '../testkit/knowledge.js';
import { captureLogger } from './harness.js';
import { FACTS, substitutionConfig } from './substitution-kit.js';

const KEY = 'sk-wiring';

test('default wiring: substitution.db under data_dir, admin views, steering errors in OpenAI shape', async () => {
  const ks = await startKnowledgeServer(FACTS, { good: {}, cheap: {} });
  const dir = mkdtempSync(join(tmpdir(), 'mp-wiring-'));
  const configFile = join(dir, 'gateway.yaml');
  writeFileSync(
    configFile,
    `auth: { master_key: ${KEY}, admin_key: ${KEY} }\nstorage: { data_dir: ./state }\n${substitutionConfig(ks.url, `  qa:
    targets: [incumbent]
    shadow: { targets: [candidate], sample: 1 }
    promotion: { candidate: candidate, steps: [50, 100], interval: 1h }
  plain: { targets: [incumbent] }`)}`,
  );
  const gw = await startGateway({ configFile, port: 0, logger: captureLogger([]), env: {} });
  const h = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
  try {
    assert.ok(existsSync(join(dir, 'state', 'substitution.db')));
    const chat = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: h, body: JSON.stringify({ model: 'plain', messages: [{ role: 'user', content: 'What is the capital of Peru?' }] }) });
    assert.equal(chat.status, 200);
    const shadow = await fetch(`${gw.url}/admin/shadow`, { headers: h });
    assert.equal(shadow.status, 200);
    const promos = (await (await fetch(`${gw.url}/admin/promotions`, { headers: h })).json()) as { promotions: Array<{ route: string; status: string; share: number }> };
    assert.deepEqual(promos.promotions.map((p) => [p.route, p.status, p.share]), [['qa', 'running', 50]]);
    const noKey = await fetch(`${gw.url}/admin/promotions`);
    assert.equal(noKey.status, 401);
    const bad = await fetch(`${gw.url}/admin/promotions/pause`, { method: 'POST', headers: h, body: JSON.stringify({ route: 'plain' }) });
    assert.equal(bad.status, 400);
    const err = ((await bad.json()) as { error: { code: string; message: string } }).error;
    assert.equal(err.code, 'invalid_request');
    assert.match(err.message, /route plain has no promotion/);
    const notObject = await fetch(`${gw.url}/admin/promotions/eval`, { method: 'POST', headers: h, body: '[1]' });
    assert.equal(notObject.status, 400);
    const badRate = await fetch(`${gw.url}/admin/promotions/eval`, { method: 'POST', headers: h, body: JSON.stringify({ route: 'qa', pass_rate: 2 }) });
    assert.equal(((await badRate.json()) as { error: { param: string } }).error.param, 'pass_rate');
    const paused = await fetch(`${gw.url}/admin/promotions/pause`, { method: 'POST', headers: h, body: JSON.stringify({ route: 'qa' }) });
    assert.equal(((await paused.json()) as { promotions: Array<{ status: string }> }).promotions[0]!.status, 'paused');
  } finally {
    await gw.close();
    await ks.close();
  }
});

test('only a trusted caller may pin a deployment', async () => {
  // A stand-in for the tenants' virtual keys (issue 9): any caller of kind `key`.
  const virtualKeys: Extension = { name: 'vk', authenticate: (presented) => (presented === 'vk-1' ? { kind: 'key', keyId: 'vk-1' } : undefined) };
  const g = injectable({
    configText: `auth: { master_key: ${KEY}, admin_key: ${KEY} }
providers: { p: { format: openai-chat, base_url: http://127.0.0.1:9/v1, auth: none } }
deployments: { a: { provider: p, model: m1 }, b: { provider: p, model: m2 } }
routes: { r: { targets: [a], retry: { max_attempts: 1 } } }
`,
    extensions: [virtualKeys, targetPin()],
  });
  try {
    const body = { model: 'r', messages: [{ role: 'user', content: 'hi' }] };
    const asKey = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: 'Bearer vk-1', 'x-modelplane-target': 'b' }, payload: body });
    assert.equal(asKey.statusCode, 403);
    assert.equal(asKey.json().error.code, 'forbidden');
    // The master key may: nothing listens on port 9, so the pinned attempt fails upstream, on b.
    const asMaster = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: `Bearer ${KEY}`, 'x-modelplane-target': 'b' }, payload: body });
    assert.equal(asMaster.statusCode, 502);
    await g.flushLogs();
    const line = g.logs.filter((l) => l.msg === 'request').at(-1)!;
    assert.equal(line.error, 'upstream_connection');
    // Anthropic's ingress gets its own error shape.
    const anth = await g.inject({ method: 'POST', url: '/v1/messages', headers: { 'x-api-key': KEY, 'x-modelplane-target': 'nope' }, payload: { model: 'r', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] } });
    assert.equal(anth.statusCode, 400);
    assert.equal(anth.json().type, 'error');
    assert.equal(anth.json().error.type, 'invalid_request_error');
  } finally {
    await g.close();
  }
});
