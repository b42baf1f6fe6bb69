// Fault injection: statuses with the provider's error shape, resets, cuts, delays, hangs, seeded
// rates, scopes, the HTTP control endpoint and credential faults. Runs without the captures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { parseSse } from '../src/formats/shared/sse.js';
import { startSimulator, type Simulator } from './simulator.js';

let sim: Simulator;
before(async () => {
  sim = await startSimulator({ seed: 11 });
});
after(() => sim.close());

const chat = (stream = false, content = 'hello there friend') => ({ model: 'm', stream, messages: [{ role: 'user', content }] });
const post = (path: string, body: unknown, headers: Record<string, string> = {}, base = sim.url) =>
  fetch(base + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
const OPENAI = '/openai/v1/chat/completions';
const ANTHROPIC = '/anthropic/v1/messages';
const antBody = { model: 'm', max_tokens: 50, messages: [{ role: 'user' as const, content: 'hi' }] };

test('status fault: provider error shape plus retry-after', async () => {
  const res = await post(OPENAI, chat(), { 'x-sim-fault': 'status=503, retryAfter=2' });
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('retry-after'), '2');
  const body = (await res.json()) as { error: { message: string; type: string; code: unknown } };
  assert.equal(typeof body.error.message, 'string');
  assert.equal(body.error.type, 'server_error');

  const a = await post(ANTHROPIC, antBody, { 'x-sim-fault': 'status=529' });
  assert.equal(a.status, 529);
  const ab = (await a.json()) as { type: string; error: { type: string } };
  assert.equal(ab.type, 'error');
  assert.equal(ab.error.type, 'overloaded_error');

  const g = await post('/gemini/v1beta/models/m:generateContent', { contents: [{ parts: [{ text: 'x' }] }] }, { 'x-sim-fault': 'status=429' });
  assert.equal(((await g.json()) as { error: { status: string; code: number } }).error.status, 'RESOURCE_EXHAUSTED');
});

test('reset destroys the socket before any response', async () => {
  await assert.rejects(post(OPENAI, chat(), { 'x-sim-fault': 'reset' }), TypeError);
});

test('cut=3 ends the stream abruptly after three events', async () => {
  const res = await post(OPENAI, chat(true), { 'x-sim-fault': 'cut=3' });
  assert.equal(res.status, 200);
  const seen: string[] = [];
  await assert.rejects(async () => {
    for await (const ev of parseSse(res.body!)) seen.push(ev.data);
  });
  assert.equal(seen.length, 3);
  assert.ok(!seen.includes('[DONE]'));
});

test('a cut Anthropic stream makes the SDK throw instead of finishing', async () => {
  sim.setFault('/anthropic', { cutAfterChunks: 2 });
  try {
    const client = new Anthropic({ apiKey: 'k', baseURL: `${sim.url}/anthropic`, maxRetries: 0 });
    await assert.rejects(client.messages.stream(antBody).finalMessage());
  } finally {
    sim.setFault('/anthropic', null);
  }
});

test('cut on a JSON body sends half of it, then drops the connection', async () => {
  const res = await post(OPENAI, chat(), { 'x-sim-fault': 'cut=0' });
  assert.equal(res.status, 200);
  await assert.rejects(res.text());
});

test('latency delays the headers; tokenDelay spaces the chunks', async () => {
  let t = Date.now();
  const res = await post(OPENAI, chat(), { 'x-sim-fault': 'latency=120' });
  assert.ok(Date.now() - t >= 110, 'headers after the latency');
  await res.text();

  t = Date.now();
  const s = await post(OPENAI, chat(true), { 'x-sim-fault': 'firstByte=40,tokenDelay=15' });
  const headersAt = Date.now() - t;
  await s.text();
  const total = Date.now() - t;
  // "Simulated reply to: hello there friend": role + 6 words + finish + [DONE] = 9 events, 8 gaps.
  assert.ok(total >= 40 + 15 * 8, `body took ${total}ms`);
  assert.ok(total - headersAt >= 100, `headers (${headersAt}ms) came well before the body ended (${total}ms)`);
});

test('the simulator-wide latency option applies to every request', async () => {
  const slow = await startSimulator({ latencyMs: 80 });
  try {
    const t = Date.now();
    await (await post(OPENAI, chat(), {}, slow.url)).text();
    assert.ok(Date.now() - t >= 75);
  } finally {
    await slow.close();
  }
});

test('hang never answers; the client times out and close() still returns', async () => {
  const hung = await startSimulator();
  const t = Date.now();
  await assert.rejects(
    fetch(hung.url + OPENAI, { method: 'POST', headers: { 'x-sim-fault': 'hang' }, body: JSON.stringify(chat()), signal: AbortSignal.timeout(150) }),
    (e: Error) => e.name === 'TimeoutError',
  );
  assert.ok(Date.now() - t >= 140);
  const pending = fetch(hung.url + OPENAI, { method: 'POST', headers: { 'x-sim-fault': 'hang' }, body: JSON.stringify(chat()) });
  await hung.waitForRequest(() => true, 1); // the second hung request has reached the server
  await hung.close();
  await assert.rejects(pending);
});

async function statuses(seed: number, n: number): Promise<number[]> {
  const s = await startSimulator({ seed });
  try {
    s.setFault('*', { status: 500, rate: 0.5 });
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = await post(OPENAI, chat(), {}, s.url);
      await r.arrayBuffer();
      out.push(r.status);
    }
    return out;
  } finally {
    await s.close();
  }
}

test('rate faults are drawn from the seed: same seed, same sequence', async () => {
  const a = await statuses(42, 24);
  const b = await statuses(42, 24);
  const c = await statuses(43, 24);
  assert.deepEqual(a, b);
  assert.ok(a.includes(200) && a.includes(500), `a mix of outcomes: ${a.join(',')}`);
  assert.notDeepEqual(a, c);
});

test('scopes: longest prefix wins, * is the fallback, prefixes stop at path boundaries', async () => {
  sim.reset();
  sim.setFault('/openai', { status: 500 });
  sim.setFault('/openai/v1/embeddings', { status: 404 });
  sim.setFault('*', { status: 502 });
  try {
    assert.equal((await post(OPENAI, chat())).status, 500);
    assert.equal((await post('/v1/chat/completions', chat())).status, 500, 'unprefixed paths count as /openai');
    assert.equal((await post('/openai/v1/embeddings', { input: 'x' })).status, 404);
    assert.equal((await post('/openai-eu/v1/chat/completions', chat())).status, 502);
    assert.equal((await post(ANTHROPIC, antBody)).status, 502);
    sim.setFault('*', null);
    assert.equal((await post(ANTHROPIC, antBody)).status, 200);
    assert.deepEqual(sim.stats(), { '/openai': 3, '/openai-eu': 1, '/anthropic': 2 });
  } finally {
    sim.reset();
  }
});

test('HTTP control endpoint drives faults from another process', async () => {
  const set = await post('/__sim/fault', { scope: '/gemini', fault: { status: 500 } });
  assert.equal(set.status, 200);
  const g = await post('/gemini/v1beta/models/m:generateContent', { contents: [{ parts: [{ text: 'x' }] }] });
  assert.equal(g.status, 500);
  assert.equal(((await g.json()) as { error: { status: string } }).error.status, 'INTERNAL');

  const bad = await post('/__sim/fault', { scope: '/gemini', fault: { status: 'high' } });
  assert.equal(bad.status, 400);

  const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as Record<string, number>;
  assert.equal(stats['/gemini'], 1);
  assert.equal((await post('/__sim/reset', {})).status, 200);
  assert.equal((await post('/gemini/v1beta/models/m:generateContent', { contents: [{ parts: [{ text: 'x' }] }] })).status, 200);
  assert.equal(sim.requests.length, 1, 'reset cleared the recorded requests; control calls are not recorded');
});

test('a malformed x-sim-fault header is a 400 that says why', async () => {
  const res = await post(OPENAI, chat(), { 'x-sim-fault': 'explode=1' });
  assert.equal(res.status, 400);
  assert.match(((await res.json()) as { error: { message: string } }).error.message, /unknown x-sim-fault key "explode"/);
});

test('credential faults: quota-exhausted -> 429 quota, invalid -> auth error, per provider shape', async () => {
  const q = await post(OPENAI, chat(), { authorization: 'Bearer sk-quota-exhausted' });
  assert.equal(q.status, 429);
  assert.equal(((await q.json()) as { error: { code: string } }).error.code, 'insufficient_quota');

  const i = await post(OPENAI, chat(), { authorization: 'Bearer sk-invalid' });
  assert.equal(i.status, 401);

  const a = await post(ANTHROPIC, antBody, { 'x-api-key': 'invalid-key' });
  assert.equal(a.status, 401);
  assert.equal(((await a.json()) as { error: { type: string } }).error.type, 'authentication_error');

  const aq = await post(ANTHROPIC, antBody, { 'x-api-key': 'quota-exhausted' });
  assert.equal(aq.status, 429);

  const b = await post('/bedrock/model/m/converse', { messages: [{ role: 'user', content: [{ text: 'x' }] }] }, {
    authorization: 'AWS4-HMAC-SHA256 Credential=AKIAinvalid/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=abc',
  });
  assert.equal(b.status, 403);
  assert.match(b.headers.get('x-amzn-errortype') ?? '', /^UnrecognizedClientException/);

  const g = await post('/gemini/v1beta/models/m:generateContent?key=quota-exhausted', { contents: [{ parts: [{ text: 'x' }] }] });
  assert.equal(g.status, 429);
});

test('unknown routes are a 404 JSON', async () => {
  const res = await post('/nowhere', {});
  assert.equal(res.status, 404);
  assert.match(((await res.json()) as { error: { message: string } }).error.message, /no route/);
});
