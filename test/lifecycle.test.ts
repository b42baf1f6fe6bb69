// The request lifecycle's seam (src/gateway/{call,extension,lifecycle,compose,runner}.ts), tested
// in process with inject(): stages that answer or refuse without an attempt, attempt observers and
// interceptors, stream taps, after-hooks, authenticators and the planner's exclude filter.
import { test, describe, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../src/spec/errors.js';
import type { CanonicalEvent } from '../src/spec/canonical.js';
import type { Extension } from '../src/gateway/extension.js';
import type { Call } from '../src/gateway/call.js';
import { compose } from '../src/gateway/compose.js';
import { startSimulator, type Simulator } from '../testkit/simulator.js';
import { injectable, type Injectable } from '../testkit/inject.js';

const KEY = 'sk-lifecycle';
const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
const chat = (extra: Record<string, unknown> = {}) => ({ model: 'r', messages: [{ role: 'user', content: 'hello there' }], ...extra });

function config(simUrl: string): string {
  return `
auth: { master_key: ${KEY}, admin_key: sk-admin }
providers:
  a: { format: openai-chat, base_url: ${simUrl}/a/v1, api_key: sk-a }
  b: { format: openai-chat, base_url: ${simUrl}/b/v1, api_key: sk-b }
deployments:
  da: { provider: a, model: m-a }
  db: { provider: b, model: m-b }
routes:
  r: { targets: [da, db] }
  only-a: { targets: [da] }
`;
}

/** Parses an SSE body into its data payloads (JSON where it parses). */
function sseData(body: string): unknown[] {
  return body.split('\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).map((d) => (d === '[DONE]' ? d : JSON.parse(d)));
}

let sim: Simulator;
before(async () => {
  sim = await startSimulator({ port: 0 });
});
after(async () => {
  await sim.close();
});

async function withGateway(extensions: Extension[], fn: (g: Injectable) => Promise<void>): Promise<void> {
  const g = injectable({ configText: config(sim.url), extensions });
  try {
    await fn(g);
  } finally {
    await g.close();
  }
}

const requestLines = (g: Injectable) => g.logs.filter((l) => l.msg === 'request');

describe('stages', () => {
  test('a stage answers by itself: JSON and stream, no attempt, same headers and request line', async () => {
    const cached: Extension = {
      name: 'canned',
      stage: async (call, _next) => {
        call.outcome.cache = 'hit';
        const response = { id: 'c1', model: 'canned', created: 1, content: [{ type: 'text' as const, text: 'from the stage' }], finishReason: 'stop' as const, usage: { inputTokens: 3, outputTokens: 3 } };
        if ((call.request as { stream?: boolean }).stream) {
          async function* events(): AsyncGenerator<CanonicalEvent> {
            yield { type: 'message-start', id: 'c1', model: 'canned' } as CanonicalEvent;
            yield { type: 'text-delta', text: 'from the stage' };
            yield { type: 'finish', reason: 'stop' };
          }
          return { kind: 'stream', events: events() };
        }
        return { kind: 'response', response };
      },
    };
    await withGateway([cached], async (g) => {
      sim.reset();
      const res = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: auth, payload: chat() });
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.object, 'chat.completion');
      assert.equal(body.model, 'r', 'the client sees its route name');
      assert.equal(body.choices[0].message.content, 'from the stage');
      assert.equal(res.headers['x-modelplane-route'], 'r');
      assert.equal(res.headers['x-modelplane-attempts'], '0');
      assert.equal(res.headers['x-modelplane-deployment'], undefined, 'no attempt, no deployment');

      const s = await g.inject({ method: 'POST', url: '/v1/messages', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, payload: { ...chat(), max_tokens: 10, stream: true } });
      assert.equal(s.statusCode, 200);
      assert.match(String(s.headers['content-type']), /text\/event-stream/);
      assert.match(s.body, /event: message_start/);
      assert.match(s.body, /from the stage/);
      assert.match(s.body, /event: message_stop/);
      assert.equal(sim.requests.length, 0, 'no upstream call was made');
      await g.flushLogs();
      const lines = requestLines(g);
      assert.equal(lines.length, 2);
      assert.deepEqual(lines.map((l) => [l.cache, l.attempts, l.status, l.deployment]), [['hit', 0, 200, undefined], ['hit', 0, 200, undefined]]);
    });
  });

  test('a stage refuses in the caller\'s own shape; after-hooks still see the outcome', async () => {
    const seen: Array<[number, string | undefined]> = [];
    const refuse: Extension = {
      name: 'refuse',
      stage: () => Promise.reject(new GatewayError('budget_exceeded', 'team support: budget of $5.00/day is spent')),
      after: (call) => { seen.push([call.outcome.status, call.outcome.error?.code]); },
    };
    await withGateway([refuse], async (g) => {
      const o = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: auth, payload: chat() });
      assert.equal(o.statusCode, 429);
      assert.equal(o.json().error.type, 'insufficient_quota');
      assert.equal(o.headers['x-should-retry'], 'false');
      const a = await g.inject({ method: 'POST', url: '/v1/messages', headers: { 'x-api-key': KEY, 'content-type': 'application/json' }, payload: { ...chat(), max_tokens: 5 } });
      assert.equal(a.statusCode, 429);
      assert.equal(a.json().type, 'error');
      assert.equal(a.json().error.type, 'rate_limit_error');
      assert.ok(a.headers['request-id'], 'Anthropic clients get request-id');
      assert.deepEqual(seen, [[429, 'budget_exceeded'], [429, 'budget_exceeded']]);
    });
  });

  test('bad input never reaches the stages or the after-hooks', async () => {
    let stages = 0;
    let afters = 0;
    const count: Extension = { name: 'count', stage: (c, next) => { stages++; return next(); }, after: () => { afters++; } };
    await withGateway([count], async (g) => {
      const bad = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: auth, payload: { model: 'r' } });
      assert.equal(bad.statusCode, 400);
      const unknown = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: auth, payload: chat({ model: 'nope' }) });
      assert.equal(unknown.statusCode, 404);
      await g.flushLogs();
      assert.equal(stages, 0);
      assert.equal(afters, 0);
      assert.equal(requestLines(g).length, 0);
    });
  });

  test('stages run in order, onion-style; next() twice is refused', async () => {
    const order: string[] = [];
    const produce = async (): Promise<never> => { order.push('produce'); throw new GatewayError('not_found', 'x'); };
    const run = compose([
      async (_c, next) => { order.push('a>'); try { return await next(); } finally { order.push('<a'); } },
      async (_c, next) => { order.push('b>'); try { return await next(); } finally { order.push('<b'); } },
    ]);
    await assert.rejects(run({} as Call, produce));
    assert.deepEqual(order, ['a>', 'b>', 'produce', '<b', '<a']);
    const twice = compose([async (_c, next) => { await next().catch(() => undefined); return next(); }]);
    await assert.rejects(twice({} as Call, () => Promise.resolve({ kind: 'json', status: 200, body: {} })), /more than once/);
  });
});

describe('attempts', () => {
  test('observers see every verdict from the one place; the answer names the deployment that served', async () => {
    const events: string[] = [];
    const watch: Extension = {
      name: 'watch',
      observer: {
        started: (_c, a) => events.push(`start ${a.deployment.id}`),
        failed: (_c, a, e) => events.push(`fail ${a.deployment.id} ${e.code}`),
        succeeded: (_c, a) => events.push(`ok ${a.deployment.id}`),
      },
    };
    await withGateway([watch], async (g) => {
      sim.reset();
      sim.setFault('/a', { status: 500 });
      const res = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: auth, payload: chat() });
      sim.setFault('/a', null);
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['x-modelplane-deployment'], 'db');
      assert.deepEqual(events.filter((e) => !e.startsWith('start da') || true).slice(-2), ['start db', 'ok db']);
      assert.ok(events.some((e) => /^fail da upstream_error/.test(e)), events.join(' | '));
    });
  });

  test('an exception in our own code is an internal_error: no breaker charge, no fallback, no stack for the caller', async () => {
    let calls = 0;
    const buggy: Extension = {
      name: 'buggy',
      interceptor: (_c, _a, next) => {
        calls++;
        if (calls === 1) return Promise.reject(new TypeError('cannot read properties of undefined'));
        if (calls === 2) throw new RangeError('Maximum call stack size exceeded');
        return next();
      },
    };
    await withGateway([buggy], async (g) => {
      sim.reset();
      const res = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: auth, payload: chat() });
      assert.equal(res.statusCode, 500);
      assert.equal(res.json().error.message, 'internal error');
      assert.doesNotMatch(res.body, /TypeError|at /);
      assert.equal(calls, 1, 'no fallback to the next deployment');
      assert.equal(sim.requests.length, 0);
      const sync = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: auth, payload: chat() });
      assert.equal(sync.statusCode, 500, 'a synchronous throw is the same internal error');
      assert.equal(calls, 2);
      const health = await g.inject({ method: 'GET', url: '/admin/health', headers: { authorization: 'Bearer sk-admin' } });
      assert.doesNotMatch(health.body, /"consecutive_failures":[1-9]/);
      assert.doesNotMatch(health.body, /"in_flight":[1-9]/, 'every started attempt got a verdict');
      await g.flushLogs();
      const err = g.logs.find((l) => l.msg === 'internal error');
      assert.ok(err && String(err.err).includes('TypeError'), 'the stack is logged for us');
      // The next request is served normally.
      const ok = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: auth, payload: chat() });
      assert.equal(ok.statusCode, 200);
    });
  });
});

describe('streams and after-hooks', () => {
  test('taps see every event inline; a tap can end the stream with a well-formed error', async () => {
    let seen = 0;
    const counter: Extension = { name: 'counter', tap: () => () => { seen++; } };
    const cutoff: Extension = {
      name: 'cutoff',
      tap: (call) => {
        if (call.ex.req.headers['x-cut'] === undefined) return undefined;
        let texts = 0;
        return (e) => (e.type === 'text-delta' && ++texts === 2 ? new GatewayError('budget_exceeded', 'stream cut: reservation used up') : undefined);
      },
    };
    await withGateway([counter, cutoff], async (g) => {
      const full = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: auth, payload: chat({ stream: true }) });
      assert.equal(full.statusCode, 200);
      const data = sseData(full.body);
      assert.equal(data.at(-1), '[DONE]');
      assert.ok(seen >= 3, `the tap saw ${seen} events`);
      const cut = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: { ...auth, 'x-cut': '1' }, payload: chat({ stream: true }) });
      const last = sseData(cut.body).filter((d) => d !== '[DONE]').at(-1) as { error?: { message: string } };
      assert.match(last.error?.message ?? '', /reservation used up/);
      await g.flushLogs();
      const line = requestLines(g).at(-1)!;
      assert.equal(line.error, 'budget_exceeded');
      const health = await g.inject({ method: 'GET', url: '/admin/health', headers: { authorization: 'Bearer sk-admin' } });
      assert.doesNotMatch(health.body, /"state":"open"/, 'a cut stream is not the upstream\'s failure');
    });
  });

  test('after-hooks run once each, after the response; a throwing hook is logged and the rest still run', async () => {
    const ran: string[] = [];
    const first: Extension = { name: 'first', after: () => { ran.push('first'); throw new Error('hook bug'); } };
    const second: Extension = { name: 'second', after: (call) => { ran.push(`second ${call.ex.res.writableEnded}`); } };
    await withGateway([first, second], async (g) => {
      const res = await g.inject({ method: 'POST', url: '/v1/embeddings', headers: auth, payload: { model: 'r', input: 'x' } });
      assert.ok(res.statusCode >= 200);
      assert.deepEqual(ran, ['first', 'second true']);
      await g.flushLogs();
      assert.ok(g.logs.some((l) => l.msg === 'after-hook failed' && l.hook === 'first'));
      assert.equal(requestLines(g).length, 1, 'one request line, same shape for embeddings');
    });
  });
});

describe('callers and policy', () => {
  test('an authenticator names the caller; the request line attributes it; unknown keys fall to the master key check', async () => {
    const keys: Extension = {
      name: 'keys',
      authenticate: (key) => (key === 'mp-team-key' ? { kind: 'key', keyId: 'key_1', team: 'support', agent: 'triage-bot' } : undefined),
    };
    await withGateway([keys], async (g) => {
      const ok = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: 'Bearer mp-team-key', 'content-type': 'application/json' }, payload: chat() });
      assert.equal(ok.statusCode, 200);
      const bad = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: { authorization: 'Bearer mp-wrong', 'content-type': 'application/json' }, payload: chat() });
      assert.equal(bad.statusCode, 401);
      await g.flushLogs();
      const line = requestLines(g)[0]!;
      assert.deepEqual([line.caller, line.key, line.team, line.agent], ['key', 'key_1', 'support', 'triage-bot']);
    });
  });

  test('exclude filters deployments before routing: no fallback reaches an excluded one; all excluded -> 403 policy_denied', async () => {
    const policy: Extension = {
      name: 'policy',
      stage: (call, next) => {
        const deny = String(call.ex.req.headers['x-deny'] ?? '').split(',');
        call.exclude = (d) => (deny.includes(d.provider.id) ? `provider ${d.provider.id} is not allowed for customer data` : undefined);
        return next();
      },
    };
    await withGateway([policy], async (g) => {
      sim.reset();
      sim.setFault('/a', { status: 500 });
      const res = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: { ...auth, 'x-deny': 'b' }, payload: chat() });
      sim.setFault('/a', null);
      assert.equal(res.statusCode, 502, 'a fails and b is never tried');
      assert.ok(sim.requests.every((r) => r.path.startsWith('/a/')), sim.requests.map((r) => r.path).join(','));
      const denied = await g.inject({ method: 'POST', url: '/v1/chat/completions', headers: { ...auth, 'x-deny': 'a,b' }, payload: chat() });
      assert.equal(denied.statusCode, 403);
      assert.equal(denied.json().error.code, 'policy_denied');
      assert.match(denied.json().error.message, /provider a is not allowed/);
    });
  });
});
