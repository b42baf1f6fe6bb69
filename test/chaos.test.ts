// Chaos: 2,000 mixed streaming and non-streaming requests (OpenAI and Anthropic clients, 32 in
// flight) through routes whose first targets are broken in every way the simulator can break a
// provider, each route ending in a healthy deployment. The engine lives in bench/chaos.ts (also
// runnable as `node dist/bench/chaos.js`); this test asserts on its report and prints it.
//
// Latency is reported, never asserted: the figures are from a shared 2-core machine and only
// the ratio to the fault-free run in the same process means anything. The one timing bound
// below is a correctness bound: no request waited for the slow provider's 5 s first byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChaos } from '../bench/chaos.js';

const CONCURRENCY = 32;

test('chaos: zero client-visible failures where a healthy fallback exists; breakers open and recover', { timeout: 90_000 }, async () => {
  const r = await runChaos({ requests: 2000, concurrency: CONCURRENCY, seed: 7 });
  console.log(JSON.stringify({ ...r, failures: r.failures.length }, null, 2));

  assert.equal(r.baseline.failures, 0, 'the fault-free run is clean');
  assert.equal(r.chaos.count, 2000);
  assert.deepEqual(r.failures, [], 'every request answered 200 and, for streams, ended with a finish reason');
  assert.equal(r.chaos.malformed, 0);

  // Cuts after content reached the client cannot be hidden: they must be well-formed error
  // events, only on the route built for them, and few (the cutting deployment's breaker opens).
  assert.ok(r.chaos.visibleErrorEvents >= 1, 'the mid-content cut was exercised');
  assert.ok(r.chaos.visibleErrorEvents <= 40, `${r.chaos.visibleErrorEvents} visible cuts: the breaker should stop them`);
  for (const v of r.visibleErrors) {
    assert.equal(v.route, 'r-midcut');
    assert.match(v.detail ?? '', /^api_error: .*stream/);
  }

  // The refused provider: opened by its 5th consecutive failure, i.e. within the first wave.
  assert.ok(r.breaker.openedAfterMs !== undefined, 'the dead provider breaker opened');
  assert.match(r.breaker.openReason ?? '', /consecutive failures .*upstream_connection/);
  assert.ok(r.breaker.requestsStartedBeforeOpen! <= 2 * CONCURRENCY, `opened after ${r.breaker.requestsStartedBeforeOpen} requests had started`);
  assert.ok(['open', 'half-open'].includes(r.breaker.adminStateMidRun ?? ''), `admin health mid-run: ${r.breaker.adminStateMidRun}`);
  // Back on its port, it is closed again within one (capped, 2 s) cooldown plus a trial.
  assert.ok(r.breaker.recoveredAfterMs !== undefined && r.breaker.recoveredAfterMs <= 3_000, `recovered after ${r.breaker.recoveredAfterMs} ms`);

  assert.ok(r.chaos.max < 5_000, `slowest request ${r.chaos.max} ms: nobody waited for the 5 s first byte`);
  assert.ok(r.wallMs < 60_000, `whole run ${r.wallMs} ms`);
});
