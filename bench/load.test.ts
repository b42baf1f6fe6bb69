import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headerLines, parseResultLine } from './load.js';
import { summariseProbe } from './ttfb-probe.js';

test('the one-line result from wrk or the Node generator parses into figures', () => {
  const out = 'Running 5s test @ http://127.0.0.1:1/v1/chat/completions\nBENCH_RESULT 25000 5.001000 1.2500 9.8000 30.0000 3\n';
  const r = parseResultLine(out)!;
  assert.equal(r.requests, 25000);
  assert.equal(r.p50Ms, 1.25);
  assert.equal(r.p99Ms, 9.8);
  assert.equal(r.errors, 3);
  assert.ok(Math.abs(r.rps - 25000 / 5.001) < 1e-9);
  assert.equal(parseResultLine('wrk: connection refused'), undefined);
});

test('headers reach the wrk script as Name: value lines', () => {
  assert.equal(headerLines({ authorization: 'Bearer k', 'x-a': 'b: c' }), 'authorization: Bearer k\nx-a: b: c');
});

test('the probe summary leaves failed requests out of the timings and counts them', () => {
  const ok = (ms: number) => ({ ok: true, headMs: ms, firstByteMs: ms + 0.1, firstEventMs: ms + 0.2, endMs: ms + 1 });
  const r = summariseProbe([ok(1), ok(2), ok(3), { ok: false, headMs: NaN, firstByteMs: NaN, firstEventMs: NaN, endMs: NaN }]);
  assert.equal(r.n, 4);
  assert.equal(r.errors, 1);
  assert.equal(r.headP50Ms, 2);
  assert.ok(Math.abs(r.firstEventP50Ms - 2.2) < 1e-12);
  assert.equal(r.endP99Ms, 4);
});
