// The live tail's ring: sequence numbers, `after` paging, the bound, and what it leaves out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Call } from '../gateway/call.js';
import { RequestTail } from './request-tail.js';

function call(i: number): Call {
  return {
    ex: { requestId: `req-${i}`, startedAt: 1000 },
    endpoint: 'chat',
    caller: { kind: 'key', keyId: 'k1', team: 'blue', agent: 'bot' },
    route: { name: 'r' },
    request: { messages: [{ role: 'user', content: 'a secret prompt' }] },
    trace: { attempts: 2, failures: ['upstream_5xx'], warnings: [] },
    outcome: { status: 200, usage: { inputTokens: 3, outputTokens: 4 }, costUsd: 0.5, cache: 'miss', completion: 'a secret answer' },
    headers: [],
  } as unknown as Call;
}

test('keeps the last N in order, pages by seq, and shows no prompt or answer', () => {
  const t = new RequestTail(3);
  for (let i = 1; i <= 5; i++) t.add(call(i), 1000 + i * 10);
  const all = t.since(0);
  assert.equal(all.seq, 5);
  assert.deepEqual(all.requests.map((r) => r.request_id), ['req-3', 'req-4', 'req-5'], 'the ring holds three');
  assert.deepEqual(t.since(4).requests.map((r) => r.seq), [5]);
  assert.deepEqual(t.since(5).requests, []);
  assert.deepEqual(t.since(0, 2).requests.map((r) => r.seq), [4, 5], 'limit keeps the newest');
  const r = all.requests[2]!;
  assert.equal(r.latency_ms, 50);
  assert.deepEqual(r.fallback_reasons, ['upstream_5xx']);
  assert.equal(r.key, 'k1');
  assert.equal(r.cost_usd, 0.5);
  assert.doesNotMatch(JSON.stringify(all), /secret/);
});
