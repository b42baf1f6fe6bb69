// Opt-in CORS: off by default (OPTIONS is refused as before); with server.cors, preflights are
// answered without a key and responses to an allowed origin carry the CORS headers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startHarness, post, type Harness } from './harness.js';

const CONFIG = `
providers:
  sim: { format: openai-chat, base_url: SIM/openai/v1, auth: none }
deployments:
  a: { provider: sim, model: m }
routes:
  chat: { targets: [a] }
`;
const APP = 'https://app.example.com';
let on: Harness;
let off: Harness;

before(async () => {
  on = await startHarness({ config: CONFIG, extra: `server: { cors: { allow_origins: [${APP}], max_age: 1h } }` });
  off = await startHarness({ config: CONFIG });
});
after(async () => {
  await on?.close();
  await off?.close();
});

const preflight = (url: string, origin: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type, x-stainless-os' },
  });

test('off by default: OPTIONS is not answered with CORS headers', async () => {
  const r = await preflight(off.url, APP);
  assert.equal(r.status, 405);
  assert.equal(r.headers.get('access-control-allow-origin'), null);
  const p = await post(`${off.url}/v1/chat/completions`, { model: 'chat', messages: [{ role: 'user', content: 'x' }] }, { origin: APP });
  assert.equal(p.headers.get('access-control-allow-origin'), null);
});

test('a preflight from an allowed origin is answered without a key, echoing the asked headers', async () => {
  const r = await preflight(on.url, APP);
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('access-control-allow-origin'), APP);
  assert.match(r.headers.get('access-control-allow-methods') ?? '', /POST/);
  assert.equal(r.headers.get('access-control-allow-headers'), 'authorization, content-type, x-stainless-os');
  assert.equal(r.headers.get('access-control-max-age'), '3600');
});

test('another origin gets no allow headers, so the browser blocks it', async () => {
  const r = await preflight(on.url, 'https://evil.example');
  assert.equal(r.status, 204);
  assert.equal(r.headers.get('access-control-allow-origin'), null);
  const p = await post(`${on.url}/v1/chat/completions`, { model: 'chat', messages: [{ role: 'user', content: 'x' }] }, { origin: 'https://evil.example' });
  assert.equal(p.status, 200, 'CORS is enforced by browsers; the gateway still authenticates by key');
  assert.equal(p.headers.get('access-control-allow-origin'), null);
});

test('responses and errors to an allowed origin carry allow-origin and expose the gateway headers', async () => {
  const ok = await post(`${on.url}/v1/chat/completions`, { model: 'chat', messages: [{ role: 'user', content: 'x' }] }, { origin: APP });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('access-control-allow-origin'), APP);
  assert.match(ok.headers.get('access-control-expose-headers') ?? '', /x-modelplane-deployment/);
  assert.equal(ok.headers.get('x-modelplane-route'), 'chat', 'the handler\'s own headers are still there');
  const bad = await fetch(`${on.url}/v1/chat/completions`, { method: 'POST', headers: { origin: APP, authorization: 'Bearer nope', 'content-type': 'application/json' }, body: '{}' });
  assert.equal(bad.status, 401);
  assert.equal(bad.headers.get('access-control-allow-origin'), APP);
});
