// Routing and resilience end to end: a real gateway on loopback, the simulated providers behind
// it, the official SDKs (or fetch) in front. Every case checks what a client or an operator can
// observe: status, x-modelplane-* headers, the upstream calls the simulator saw, /admin/health
// and the request log line.
// Breaker cooldowns are shortened through the config's `health:` section so the recovery cases
// run in about a second; thresholds keep their defaults (5 consecutive failures).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { KEY, post } from './harness.js';
import { LogSink } from '../testkit/log-sink.js';
import { EventLog } from '../testkit/wait.js';
import { startSimulator, type Simulator } from '../testkit/simulator.js';
import { startGateway, type Gateway } from '../src/server/app.js';
import { closedPort } from '../bench/chaos.js';
import { ADMIN, BASE_COOLDOWN_MS, CONFIG } from './e2e-routing-config.js';

let sim: Simulator;
let gw: Gateway;
let url: string;
let deadPort: number;
const simLines = new EventLog<string>();
const log = new LogSink();
let openai: OpenAI;

const gatewayConfig = () => `auth: { master_key: ${KEY}, admin_key: ${ADMIN} }\n${CONFIG.replaceAll('SIM', sim.url).replaceAll('DEAD', `http://127.0.0.1:${deadPort}`)}`;

before(async () => {
  sim = await startSimulator({ port: 0, logger: (l) => simLines.push(l) });
  deadPort = await closedPort();
  gw = await startGateway({ configText: gatewayConfig(), port: 0, logger: log.logger, env: {} });
  url = gw.url;
  openai = new OpenAI({ baseURL: `${url}/v1`, apiKey: KEY, maxRetries: 0 });
});
after(async () => {
  await gw.close();
  await sim.close();
});

const chat = (model: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  post(`${url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'hello routing' }], ...extra }, headers);

const upstreamCalls = (scope: string) => sim.requests.filter((r) => r.scope === scope);

interface HealthRow { id: string; state: string; reason?: string; since?: string; until?: string; requests: number }
interface HealthDoc { providers: Array<HealthRow & { credentials: HealthRow[] }>; deployments: Array<HealthRow & { provider: string; credentials: HealthRow[] }> }

async function health(): Promise<HealthDoc> {
  const r = await fetch(`${url}/admin/health`, { headers: { authorization: `Bearer ${ADMIN}` } });
  assert.equal(r.status, 200);
  return (await r.json()) as HealthDoc;
}

/** The request's log line, once written, and every line for that id (to check there is one). */
const requestLine = async (requestId: string | null) => {
  await log.requestLine(requestId);
  return log.requestLines().filter((l) => l.request_id === requestId);
};

/**
 * Waits until just past a deadline the gateway announced (a breaker's `until`): what is being
 * waited for is that instant, so on a slow machine this only ever waits longer, never too little.
 */
const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now()) + 20));

describe('fallback levels', () => {
  test('key level: an exhausted key rotates to the next key in the same request, then cools down', async () => {
    const first = await chat('keys');
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-modelplane-attempts'), '2');
    assert.match(first.headers.get('x-modelplane-fallback-reason') ?? '', /insufficient_quota/);
    assert.deepEqual(upstreamCalls('/keys').map((r) => r.headers.authorization), ['Bearer sk-quota-exhausted-1', 'Bearer sk-good-2']);
    for (let i = 0; i < 3; i++) {
      const again = await chat('keys');
      assert.equal(again.status, 200);
      assert.equal(again.headers.get('x-modelplane-attempts'), '1', 'the spent key is locked out: straight to the good one');
    }
    assert.deepEqual(upstreamCalls('/keys').slice(2).map((r) => r.headers.authorization), Array(3).fill('Bearer sk-good-2'));
    const spent = (await health()).providers.find((p) => p.id === 'keys')!.credentials.find((c) => c.id === 'keys#0')!;
    assert.equal(spent.state, 'open');
    assert.match(spent.reason ?? '', /insufficient_quota/);
  });

  test('provider level: a refused connection opens the provider breaker for every route, a half-open trial closes it', async () => {
    // This gateway's clock stands still unless the test moves it: "before the cooldown ends" and
    // "after it" are then facts, not races against a busy machine.
    let now = Date.now();
    const own = await startGateway({ configText: gatewayConfig(), port: 0, logger: new LogSink().logger, env: {}, clock: () => now });
    const chat = (model: string) => post(`${own.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'hello routing' }] });
    const health = async (): Promise<HealthDoc> => {
      const r = await fetch(`${own.url}/admin/health`, { headers: { authorization: `Bearer ${ADMIN}` } });
      return (await r.json()) as HealthDoc;
    };
    const sleepUntil = (at: number) => { now = Math.max(now, at) + 1; };
    try {
    const routes = ['via-dead-a', 'via-dead-b'];
    // Default policy: 5 consecutive failures open a breaker. Alternating routes means neither
    // deployment reaches 5 on its own: only the provider-level breaker can open.
    for (let i = 0; i < 5; i++) {
      const r = await chat(routes[i % 2]!);
      assert.equal(r.status, 200, 'the healthy fallback answers');
      assert.equal(r.headers.get('x-modelplane-attempts'), '2');
      assert.equal(r.headers.get('x-modelplane-fallback-reason'), 'upstream_connection');
    }
    let doc = await health();
    const dead = doc.providers.find((p) => p.id === 'dead')!;
    assert.equal(dead.state, 'open');
    assert.match(dead.reason ?? '', /5 consecutive failures.*upstream_connection/);
    const since = Date.parse(dead.since!);
    const until = Date.parse(dead.until!);
    assert.ok(until - since >= BASE_COOLDOWN_MS - 5 && until - since <= BASE_COOLDOWN_MS + 50, `cooldown ${until - since} ms`);
    for (const id of ['dead-a', 'dead-b']) assert.equal(doc.deployments.find((d) => d.id === id)!.state, 'closed', `${id} itself never tripped`);
    for (const route of routes) {
      const r = await chat(route);
      assert.equal(r.headers.get('x-modelplane-attempts'), '1', `${route} skips the open provider`);
      assert.match(r.headers.get('x-modelplane-deployment') ?? '', /^good-/);
    }

    // Cooldown over, still down: the one trial fails and the cooldown doubles.
    sleepUntil(until);
    const trial = await chat('via-dead-a');
    assert.equal(trial.status, 200);
    assert.equal(trial.headers.get('x-modelplane-attempts'), '2', 'the half-open trial went to the dead provider and fell back');
    doc = await health();
    const reopened = doc.providers.find((p) => p.id === 'dead')!;
    assert.equal(reopened.state, 'open');
    assert.match(reopened.reason ?? '', /trial failed/);
    const cooldown2 = Date.parse(reopened.until!) - Date.parse(reopened.since!);
    assert.ok(cooldown2 >= 2 * BASE_COOLDOWN_MS - 5, `doubled cooldown, got ${cooldown2} ms`);

    // The provider comes back on the same port: the next trial succeeds and closes the breaker.
    const revived = await startSimulator({ port: deadPort });
    try {
      sleepUntil(Date.parse(reopened.until!));
      const back = await chat('via-dead-b');
      assert.equal(back.status, 200);
      assert.equal(back.headers.get('x-modelplane-attempts'), '1');
      assert.equal(back.headers.get('x-modelplane-deployment'), 'dead-b');
      const closed = (await health()).providers.find((p) => p.id === 'dead')!;
      assert.equal(closed.state, 'closed');
      assert.equal(closed.reason, 'trial succeeded');
      assert.equal(closed.until, undefined);
      assert.equal(revived.requests.length, 1, 'exactly one trial request reached the revived provider');
    } finally {
      await revived.close();
    }
    } finally {
      await own.close();
    }
  });

  test('retry-after is honoured before the same-target retry; a deadline shorter than it fails fast', async () => {
    sim.setFault('/ra', { status: 429, retryAfter: 1 });
    const t0 = Date.now();
    const pending = chat('retry-after');
    await sim.waitForRequest((r) => r.scope === '/ra');
    sim.setFault('/ra', null);
    const r = await pending;
    const elapsed = Date.now() - t0;
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-modelplane-attempts'), '2');
    assert.equal(r.headers.get('x-modelplane-fallback-reason'), 'rate_limited');
    assert.ok(elapsed >= 900, `waited ${elapsed} ms for retry-after: 1`);
    const calls = upstreamCalls('/ra');
    assert.equal(calls.length, 2);
    assert.ok(calls[1]!.at - calls[0]!.at >= 900, 'the retry was sent after the retry-after');

    sim.setFault('/ra', { status: 429, retryAfter: 1 });
    const fast = await chat('retry-after-deadline');
    assert.equal(fast.status, 429);
    assert.equal(fast.json.error.type, 'rate_limit_error');
    assert.equal(fast.headers.get('retry-after'), '1', 'the client learns when to come back');
    // Failing fast is an outcome, not a time: one attempt, no retry that could not fit.
    assert.equal(fast.headers.get('x-modelplane-attempts'), '1');
    assert.equal(upstreamCalls('/ra').length, 3, 'no retry that could not fit the deadline');
    const line = (await requestLine(fast.headers.get('x-request-id')))[0]!;
    assert.equal(line.attempts, 1);
    sim.setFault('/ra', null);
  });

  test('a non-retryable upstream 400 is passed through after one attempt, with no fallback', async () => {
    sim.setFault('/bad', { status: 400 });
    const before = sim.requests.length;
    const r = await chat('bad-first');
    assert.equal(r.status, 400);
    assert.equal(r.json.error.type, 'invalid_request_error');
    assert.equal(r.headers.get('x-modelplane-attempts'), '1');
    assert.equal(r.headers.get('x-should-retry'), 'false');
    assert.deepEqual(sim.requests.slice(before).map((x) => x.scope), ['/bad'], 'the healthy fallback was not called');
    sim.setFault('/bad', null);
  });

  test('hedging: the fast deployment answers, the slow attempt is aborted, one request log line', async () => {
    // The slow target would take far longer than any test: if the client got its answer, it did
    // not wait for it (asserting an elapsed time below it would only measure the machine).
    sim.setFault('/slow', { firstByteMs: 60_000 });
    const t0 = Date.now();
    const r = await chat('hedged');
    const elapsed = Date.now() - t0;
    assert.equal(r.status, 200);
    assert.ok(elapsed >= 100, 'the hedge waited hedge_after');
    assert.equal(r.headers.get('x-modelplane-deployment'), 'fast-h');
    assert.equal(r.headers.get('x-modelplane-attempts'), '2');
    assert.equal(r.headers.get('x-modelplane-fallback-reason'), 'hedged');
    assert.equal(upstreamCalls('/slow').length, 1, 'the simulator saw the slow request');
    // The simulator logs the slow request's end when its connection closes: it was aborted.
    const ended = await simLines.waitFor((l) => l.includes('/slow/v1/chat/completions'), 'the slow request to end');
    assert.match(ended, /aborted/, `slow request aborted: ${ended}`);
    const lines = await requestLine(r.headers.get('x-request-id'));
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.deployment, 'fast-h');
    assert.equal((await health()).deployments.find((d) => d.id === 'slow-h')!.state, 'closed', 'a lost hedge is not a failure');
    sim.setFault('/slow', null);
  });
});

describe('timeouts', () => {
  // Headers arrive at once, the body only after 3 s: the first_byte timeout (300 ms) fires while
  // the body is read. That is a timeout (retryable), not a protocol error or a stream cut.
  test('a body that stalls past first_byte is an upstream_timeout, streamed or not', async () => {
    sim.setFault('/stall', { firstByteMs: 3000 });
    try {
      for (const stream of [false, true]) {
        const r = await chat('stalled', { stream });
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('x-modelplane-deployment'), 'good-a');
        assert.equal(r.headers.get('x-modelplane-fallback-reason'), 'upstream_timeout', `stream=${stream}`);
      }
    } finally {
      sim.setFault('/stall', null);
    }
  });
});

describe('request classes and constraints', () => {
  test('a header class and a has_tools class send requests to their own targets', async () => {
    const big = await chat('classy', {}, { 'x-modelplane-class': 'big' });
    assert.equal(big.headers.get('x-modelplane-deployment'), 'big-d');
    assert.equal((await requestLine(big.headers.get('x-request-id')))[0]!.class, 'big');
    const tools = await chat('classy', { tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }] });
    assert.equal(tools.headers.get('x-modelplane-deployment'), 'tool-d');
    const plain = await chat('classy', {}, { 'x-modelplane-class': 'small' });
    assert.equal(plain.headers.get('x-modelplane-deployment'), 'good-a');
  });

  test('a request larger than every context window -> 400 naming the limit, no upstream call', async () => {
    const before = sim.requests.length;
    const r = await post(`${url}/v1/chat/completions`, { model: 'tiny', messages: [{ role: 'user', content: 'word '.repeat(400) }] });
    assert.equal(r.status, 400);
    assert.equal(r.json.error.code, 'context_length_exceeded');
    assert.match(r.json.error.message, /context window .* 100\b/);
    assert.equal(sim.requests.length, before);
  });
});

describe('strategies', () => {
  test('weighted 95/5 over 400 requests lands within tolerance', async () => {
    const counts: Record<string, number> = {};
    for (let batch = 0; batch < 40; batch++) {
      const rs = await Promise.all(Array.from({ length: 10 }, () => chat('canary')));
      for (const r of rs) counts[r.headers.get('x-modelplane-deployment')!] = (counts[r.headers.get('x-modelplane-deployment')!] ?? 0) + 1;
    }
    const a = counts.wa ?? 0;
    assert.equal(a + (counts.wb ?? 0), 400);
    assert.ok(a >= 340 && a <= 396, `wa got ${a}/400`);
  });

  test('least-latency prefers the faster deployment after warm-up', async () => {
    sim.setFault('/llslow', { latencyMs: 120 });
    for (let i = 0; i < 6; i++) await chat('fastest');
    const picked = [];
    for (let i = 0; i < 20; i++) picked.push((await chat('fastest')).headers.get('x-modelplane-deployment'));
    assert.ok(picked.filter((d) => d === 'll-fast').length >= 19, picked.join(','));
    sim.setFault('/llslow', null);
  });

  test('cost picks the cheaper deployment', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await chat('cheapest')).headers.get('x-modelplane-deployment'), 'cheapo');
  });
});

describe('streaming guarantees', () => {
  test('a failure before the first byte falls back invisibly (503, then a reset)', async () => {
    for (const fault of [{ status: 503 }, { reset: true }]) {
      sim.setFault('/broken', fault);
      const { data: stream, response } = await openai.chat.completions.create({ model: 'stream-fallback', stream: true, messages: [{ role: 'user', content: 'stream please' }] }).withResponse();
      let text = '';
      let finish;
      for await (const c of stream) {
        text += c.choices[0]?.delta?.content ?? '';
        finish = c.choices[0]?.finish_reason ?? finish;
      }
      assert.ok(text.length > 0);
      assert.equal(finish, 'stop');
      assert.equal(response.headers.get('x-modelplane-deployment'), 'good-a');
      assert.equal(response.headers.get('x-modelplane-attempts'), '2');
    }
    sim.setFault('/broken', null);
  });

  test('a failure after content: OpenAI gets an error event (APIError), Anthropic an error event; the log records it', async () => {
    sim.setFault('/cutter', { cutAfterChunks: 4 });
    const { data: stream, response } = await openai.chat.completions.create({ model: 'stream-cut', stream: true, messages: [{ role: 'user', content: 'a prompt long enough for a reply of several chunks' }] }).withResponse();
    let text = '';
    await assert.rejects(async () => {
      for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    }, (e: unknown) => e instanceof OpenAI.APIError && /stream/i.test(e.message));
    assert.ok(text.length > 0, 'content before the cut was delivered');
    const line = (await requestLine(response.headers.get('x-request-id')))[0]!;
    assert.equal(line.error, 'stream_interrupted');
    assert.equal(line.status, 200, 'the status was already sent');

    const anthropic = new Anthropic({ baseURL: url, apiKey: KEY, maxRetries: 0 });
    const ms = anthropic.messages.stream({ model: 'stream-cut', max_tokens: 200, messages: [{ role: 'user', content: 'a prompt long enough for a reply of several chunks' }] });
    let atext = '';
    ms.on('text', (t) => { atext += t; });
    await assert.rejects(ms.finalMessage(), (e: unknown) => e instanceof Anthropic.APIError && /stream/i.test(e.message));
    assert.ok(atext.length > 0);
    sim.setFault('/cutter', null);
  });
});

describe('admin health and SDK retries', () => {
  test('/admin/health needs the admin key and lists every provider, deployment and credential', async () => {
    assert.equal((await fetch(`${url}/admin/health`)).status, 401);
    assert.equal((await fetch(`${url}/admin/health`, { headers: { authorization: `Bearer ${KEY}` } })).status, 401, 'the caller key is not the admin key');
    const doc = await health();
    assert.deepEqual(doc.providers.map((p) => p.id).sort(), ['bad', 'broken', 'cool', 'cutter', 'dead', 'good', 'keys', 'llslow', 'ra', 'slow', 'stall', 'u1', 'u2']);
    assert.equal(doc.deployments.length, 26);
    assert.deepEqual(doc.providers.find((p) => p.id === 'keys')!.credentials.map((c) => c.id), ['keys#0', 'keys#1']);
    for (const row of [...doc.providers, ...doc.deployments]) assert.ok(['closed', 'open', 'half-open'].includes(row.state));
  });

  test('x-should-retry: false once the gateway made attempts (the SDK does not multiply them), true when the provider gave a retry-after', async () => {
    sim.setFault('/u1', { status: 503 });
    sim.setFault('/u2', { status: 503 });
    const before = sim.requests.length;
    const sdk = new OpenAI({ baseURL: `${url}/v1`, apiKey: KEY, maxRetries: 2 });
    await assert.rejects(sdk.chat.completions.create({ model: 'all-503', messages: [{ role: 'user', content: 'x' }] }), (e: unknown) => {
      assert.ok(e instanceof OpenAI.APIError && e.status === 503, String(e));
      assert.equal(e.headers?.get('x-should-retry'), 'false');
      return true;
    });
    assert.deepEqual(sim.requests.slice(before).map((r) => r.scope), ['/u1', '/u2'], 'one SDK try, two gateway attempts: no multiplication');
    // Four more requests: the 5th consecutive failure opens both providers. With every target
    // open the planner still sends ONE early probe per request (no_healthy_deployment only
    // while a probe is in flight), so a request costs one upstream call, not two.
    for (let i = 0; i < 4; i++) assert.equal((await chat('all-503')).status, 503);
    const doc = await health();
    for (const id of ['u1', 'u2']) assert.equal(doc.providers.find((p) => p.id === id)!.state, 'open');
    assert.equal(sim.requests.length - before, 10);
    const probed = await chat('all-503');
    assert.equal(probed.status, 503);
    assert.equal(probed.headers.get('x-modelplane-attempts'), '1');
    assert.equal(sim.requests.length - before, 11);
    sim.setFault('/u1', null);
    sim.setFault('/u2', null);

    // A 429 with retry-after cools the only key (a hard cooldown: never probed). The next request
    // makes no attempt at all: 503 no_healthy_deployment, x-should-retry: true, retry-after: 1,
    // and the SDK waits that second and succeeds.
    sim.setFault('/cool', { status: 429, retryAfter: 1 });
    const limited = await chat('cooling');
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('x-should-retry'), 'true', 'the provider said when to come back: an SDK retry after retry-after is welcome');
    assert.equal(limited.headers.get('retry-after'), '1');
    sim.setFault('/cool', null);
    const t0 = Date.now();
    const { data, response } = await sdk.chat.completions.create({ model: 'cooling', messages: [{ role: 'user', content: 'x' }] }).withResponse();
    assert.ok(data.choices[0]!.message.content);
    assert.equal(response.headers.get('x-modelplane-attempts'), '1');
    assert.ok(Date.now() - t0 >= 900, `the SDK honoured retry-after (${Date.now() - t0} ms)`);
    assert.equal(upstreamCalls('/cool').length, 2, 'the 429 and the success; the cooled-down try cost nothing upstream');
  });
});
