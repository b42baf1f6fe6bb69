// The chaos run's checks (bench/chaos-verdict.ts) on synthetic reports: a clean one passes, and
// each kind of regression is named (so `npm run chaos` can fail).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chaosProblems } from './chaos-verdict.js';
import type { ChaosReport } from './chaos.js';

const latency = { count: 100, p50: 40, p99: 200, max: 900, mean: 50 };

function clean(): ChaosReport {
  return {
    requests: 100,
    concurrency: 32,
    baseline: { ...latency, failures: 0 },
    chaos: { ...latency, failures: 0, visibleErrorEvents: 2, malformed: 0 },
    ratio: { p50: 1, p99: 1 },
    breaker: { openedAfterMs: 50, requestsStartedBeforeOpen: 40, openReason: '5 consecutive failures (last: upstream_connection)', adminStateMidRun: 'open', recoveredAfterMs: 1300, transitions: 10 },
    byRoute: {},
    failures: [],
    visibleErrors: [{ route: 'r-midcut', client: 'openai', detail: 'api_error: upstream stream failed: other side closed' }],
    wallMs: 12_000,
  };
}

test('a clean report has no problems', () => {
  assert.deepEqual(chaosProblems(clean()), []);
});

test('each regression is reported', () => {
  const cases: Array<[string, (r: ChaosReport) => void, RegExp]> = [
    ['a client-visible failure', (r) => r.failures.push({ i: 1, route: 'r-down', stream: false, client: 'openai', startedAt: 0, ms: 1, status: 502, outcome: 'failure' }), /client-visible failures/],
    ['a visible error elsewhere', (r) => r.visibleErrors.push({ route: 'r-flaky', client: 'openai', detail: 'api_error: stream' }), /visible error on r-flaky/],
    ['no mid-content cut', (r) => (r.chaos.visibleErrorEvents = 0), /never exercised/],
    ['a breaker that never opened', (r) => (r.breaker.openedAfterMs = undefined), /never opened/],
    ['no recovery', (r) => (r.breaker.recoveredAfterMs = undefined), /recovered after/],
    ['someone waited for the slow first byte', (r) => (r.chaos.max = 5_200), /slowest request/],
  ];
  for (const [what, spoil, expected] of cases) {
    const r = clean();
    spoil(r);
    const problems = chaosProblems(r);
    assert.ok(problems.some((p) => expected.test(p)), `${what}: ${JSON.stringify(problems)}`);
  }
});
