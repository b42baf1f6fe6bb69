// Issue 15 §4 inside `npm test`: a short seeded fuzz round over every ingress (the full run is
// `npm run fuzz`), plus the fuzzer's findings kept as named regressions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { fuzzOnce, fuzzConfig, FUZZ_KEY, summary } from '../bench/fuzz.js';
import { send, wellFormedError } from '../testkit/fuzz-run.js';
import { startSimulator } from '../testkit/simulator.js';
import { startGateway } from '../src/server/app.js';
import { createLogger } from '../src/telemetry/log.js';

test('a seeded fuzz round: every bad input gets a 4xx with a well-formed body, nothing gets a 5xx', async () => {
  const r = await fuzzOnce(500, 15);
  assert.equal(r.tried, 500);
  assert.equal(r.serverErrors.length + r.malformedErrors.length + r.noAnswer.length, 0, summary(r));
  assert.ok((r.byStatus['400'] ?? 0) > 100, 'the round really sent bad input');
  assert.ok((r.byStatus['200'] ?? 0) > 10, 'and some good input');
});

test('regressions: malformed percent-encoding, a chunked body cut midway, ambiguous framing', async (t) => {
  const sim = await startSimulator({ port: 0 });
  const gw = await startGateway({ configText: fuzzConfig(sim.url), port: 0, logger: createLogger('silent', new Writable({ write: (_c, _e, cb) => cb() })), env: {} });
  t.after(async () => {
    await gw.close();
    await sim.close();
  });
  const base = new URL(gw.url);
  const auth = { authorization: `Bearer ${FUZZ_KEY}` };
  for (const path of ['/v1/models/%E0%A4%A', '/v1/models/%', '/v1/models/%zz']) {
    const a = await send(base, { name: path, method: 'GET', path, dialect: 'openai', headers: auth, transport: 'http' });
    assert.equal(a?.status, 400, path);
    assert.ok(wellFormedError('openai', a.body), a.body);
    assert.match(a.body, /percent-encoding/);
  }
  const body = Buffer.from(JSON.stringify({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'hello there' }] }));
  for (const dialect of ['openai', 'anthropic'] as const) {
    const cut = await send(base, { name: 'cut', method: 'POST', path: dialect === 'openai' ? '/v1/chat/completions' : '/v1/messages', dialect, headers: { ...auth, 'content-type': 'application/json' }, body, transport: 'cut' });
    assert.equal(cut?.status, 400);
    assert.ok(wellFormedError(dialect, cut.body), `${dialect}: ${cut.body}`);
  }
  const framing = Buffer.concat([Buffer.from(`POST /v1/messages HTTP/1.1\r\nhost: x\r\nconnection: close\r\nauthorization: Bearer ${FUZZ_KEY}\r\ncontent-length: ${body.length}\r\ntransfer-encoding: chunked\r\n\r\n`), body]);
  const smuggle = await send(base, { name: 'cl+te', method: 'POST', path: '/v1/messages', dialect: 'anthropic', headers: {}, body: framing, transport: 'raw' });
  assert.equal(smuggle?.status, 400);
  assert.ok(wellFormedError('anthropic', smuggle.body), smuggle.body);
  assert.equal(sim.requests.length, 0, 'nothing of it reached an upstream');
});
