// E2E: known traffic through a real gateway (simulated providers on loopback, the official
// OpenAI SDK as the client), then /metrics is read and checked against it: requests, fallbacks
// and their reasons, attempts, TTFT, tokens, breaker state (against /admin/health), in-flight,
// config version and reload outcomes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { startSimulator, type Simulator } from '../testkit/simulator.js';
import { startGateway, type Gateway } from '../src/server/app.js';
import { parseProm, sum, type Sample } from '../testkit/prom-text.js';
import { captureLogger } from './harness.js';

const KEY = 'sk-metrics-master';
const ADMIN = 'sk-metrics-admin';

const config = (sim: string, extraRoute = '') => `
auth: { master_key: ${KEY}, admin_key: ${ADMIN} }
health: { breaker: { consecutive_failures: 2, cooldown: 10m } }
providers:
  good: { format: openai-chat, base_url: ${sim}/good/v1, api_key: sk-good }
  bad:  { format: openai-chat, base_url: ${sim}/bad/v1, api_key: sk-bad }
  slow: { format: openai-chat, base_url: ${sim}/slow/v1, api_key: sk-slow }
deployments:
  good-a: { provider: good, model: m-a }
  bad-1:  { provider: bad, model: m-x }
  embed:  { provider: good, model: e-1, capabilities: { embeddings: true } }
  slow-1: { provider: slow, model: m-s }
routes:
  bad-first: { targets: [bad-1, good-a] }
  ok:        { targets: [good-a] }
  vectors:   { targets: [embed] }
  hedged:    { targets: [slow-1, good-a], hedge_after: 100ms }
${extraRoute}
`;

let sim: Simulator;
let gw: Gateway;
let file: string;
let client: OpenAI;
const logs: Array<Record<string, unknown>> = [];

async function scrape(): Promise<Sample[]> {
  const res = await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(res.status, 200);
  return parseProm(await res.text());
}

before(async () => {
  sim = await startSimulator({ port: 0 });
  file = join(mkdtempSync(join(tmpdir(), 'mp-metrics-')), 'gateway.yaml');
  writeFileSync(file, config(sim.url));
  gw = await startGateway({ configFile: file, port: 0, logger: captureLogger(logs), env: {} });
  client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: KEY, maxRetries: 0 });
});

after(async () => {
  await gw.close();
  await sim.close();
});

describe('/metrics after known traffic', () => {
  test('requests, fallbacks, attempts, tokens, TTFT and breaker state match what was sent', async () => {
    sim.setFault('/bad', { status: 503 });
    const reasons: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await client.chat.completions.create({ model: 'bad-first', messages: [{ role: 'user', content: `hello ${i}` }] }).withResponse();
      assert.equal(r.response.headers.get('x-modelplane-deployment'), 'good-a');
      const reason = r.response.headers.get('x-modelplane-fallback-reason');
      if (reason) reasons.push(reason);
    }
    // Two failures open bad-1's breaker: the third request goes straight to good-a.
    assert.equal(reasons.length, 2);
    let streamedTokens = 0;
    for (let i = 0; i < 2; i++) {
      const stream = await client.chat.completions.create({ model: 'ok', messages: [{ role: 'user', content: 'stream please' }], stream: true, stream_options: { include_usage: true } });
      for await (const chunk of stream) if (chunk.usage) streamedTokens += chunk.usage.completion_tokens;
    }
    await assert.rejects(client.chat.completions.create({ model: 'no-such-route', messages: [{ role: 'user', content: 'x' }] }), OpenAI.NotFoundError);

    const s = await scrape();
    assert.equal(sum(s, 'modelplane_requests_total', { endpoint: 'chat' }), 5, 'bad input (unknown route) leaves no trace');
    assert.equal(sum(s, 'modelplane_requests_total', { route: 'bad-first', deployment: 'good-a', provider: 'good', code: '200' }), 3);
    assert.equal(sum(s, 'modelplane_requests_total', { route: 'ok', code: '200' }), 2);
    assert.equal(sum(s, 'modelplane_fallbacks_total', { route: 'bad-first', reason: reasons[0]! }), 2);
    assert.equal(sum(s, 'modelplane_fallbacks_total'), 2);
    assert.equal(sum(s, 'modelplane_attempts_total', { deployment: 'bad-1', outcome: 'failure', code: reasons[0]! }), 2);
    assert.equal(sum(s, 'modelplane_attempts_total', { deployment: 'good-a', outcome: 'success' }), 5);
    assert.equal(sum(s, 'gen_ai_client_operation_duration_seconds_count', { gen_ai_provider_name: 'bad', error_type: reasons[0]! }), 2);
    assert.equal(sum(s, 'gen_ai_server_time_to_first_token_seconds_count', { gen_ai_request_model: 'ok', gen_ai_response_model: 'm-a' }), 2);
    assert.equal(sum(s, 'gen_ai_server_time_to_first_token_seconds_count', { gen_ai_request_model: 'bad-first' }), 0, 'no TTFT for answers that did not stream');
    assert.equal(sum(s, 'modelplane_tokens_total', { route: 'ok', direction: 'output' }), streamedTokens);
    assert.ok(streamedTokens > 0);
    assert.equal(sum(s, 'modelplane_in_flight_requests'), 0);
    assert.equal(sum(s, 'modelplane_errors_total'), 0, 'the unknown route was bad input, not an error of a served request');

    // The breaker gauge says what /admin/health says.
    const health = (await (await fetch(`${gw.url}/admin/health`, { headers: { authorization: `Bearer ${ADMIN}` } })).json()) as { deployments: Array<{ id: string; state: string }> };
    for (const d of health.deployments) {
      assert.equal(sum(s, 'modelplane_breaker_state', { level: 'deployment', id: d.id, state: d.state }), 1, d.id);
    }
    assert.equal(health.deployments.find((d) => d.id === 'bad-1')?.state, 'open');
    assert.equal(sum(s, 'modelplane_breaker_state', { level: 'deployment', id: 'bad-1', state: 'closed' }), 0);
    sim.setFault('/bad', null);
  });

  test('embeddings: counted under their endpoint and the GenAI embeddings operation', async () => {
    const r = await client.embeddings.create({ model: 'vectors', input: ['one two three', 'four'] });
    assert.equal(r.data.length, 2);
    const s = await scrape();
    assert.equal(sum(s, 'modelplane_requests_total', { endpoint: 'embeddings', route: 'vectors', deployment: 'embed', code: '200' }), 1);
    assert.equal(sum(s, 'gen_ai_server_request_duration_seconds_count', { gen_ai_operation_name: 'embeddings', gen_ai_request_model: 'vectors' }), 1);
    assert.equal(sum(s, 'gen_ai_client_token_usage_sum', { gen_ai_operation_name: 'embeddings', gen_ai_token_type: 'input' }), r.usage.prompt_tokens);
    assert.equal(sum(s, 'gen_ai_client_token_usage_count', { gen_ai_operation_name: 'embeddings', gen_ai_token_type: 'output' }), 0);
    assert.equal(sum(s, 'modelplane_in_flight_requests', { endpoint: 'embeddings' }), 0);
  });

  test('a hedge: counted, the winner a success, the loser abandoned', async () => {
    sim.setFault('/slow', { latencyMs: 3000 });
    const r = await client.chat.completions.create({ model: 'hedged', messages: [{ role: 'user', content: 'race' }] }).withResponse();
    sim.setFault('/slow', null);
    assert.equal(r.response.headers.get('x-modelplane-deployment'), 'good-a');
    const s = await scrape();
    assert.equal(sum(s, 'modelplane_hedges_total', { route: 'hedged' }), 1);
    assert.equal(sum(s, 'modelplane_fallbacks_total', { route: 'hedged' }), 0, 'a hedge is not a fallback');
    assert.equal(sum(s, 'modelplane_attempts_total', { deployment: 'slow-1', outcome: 'abandoned' }), 1);
    assert.equal(sum(s, 'modelplane_requests_total', { route: 'hedged', deployment: 'good-a', code: '200' }), 1);
  });

  test('an upstream error the client sees is counted under its code', async () => {
    sim.setFault('/good', { status: 400 });
    await assert.rejects(client.chat.completions.create({ model: 'ok', messages: [{ role: 'user', content: 'x' }] }), OpenAI.APIError);
    sim.setFault('/good', null);
    const s = await scrape();
    const errors = s.filter((x) => x.name === 'modelplane_errors_total' && x.labels.route === 'ok');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.value, 1);
    assert.equal(sum(s, 'modelplane_requests_total', { route: 'ok', code: '400' }), 1);
    assert.equal(sum(s, 'modelplane_fallbacks_total', { route: 'ok' }), 0, 'the failure the request ended with is an error, not a fallback');
    assert.equal(sum(s, 'modelplane_attempts_total', { deployment: 'good-a', outcome: 'failure', code: errors[0]!.labels.code! }), 1);
  });

  test('config version and reload outcomes', async () => {
    let s = await scrape();
    assert.equal(sum(s, 'modelplane_config_version'), 1);
    writeFileSync(file, 'routes: [this is not a config');
    assert.equal(gw.holder.tryReload(), false);
    writeFileSync(file, config(sim.url, '  more: { targets: [good-a] }'));
    assert.equal(gw.holder.tryReload(), true);
    s = await scrape();
    assert.equal(sum(s, 'modelplane_config_reloads_total', { outcome: 'failure' }), 1);
    assert.equal(sum(s, 'modelplane_config_reloads_total', { outcome: 'success' }), 1);
    assert.equal(sum(s, 'modelplane_config_version'), 2);
  });
});
