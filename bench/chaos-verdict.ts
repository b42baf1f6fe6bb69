// What a chaos run (bench/chaos.ts, `npm run chaos`) must show, as a list of problems (empty:
// every check passed). These used to be test/chaos.test.ts's assertions; the run takes a minute
// and some checks are about time on the machine it ran on, so it is a script with an exit code,
// not part of `npm test`. The deterministic part of it is test/fault-mix.test.ts.
import type { ChaosReport } from './chaos.js';

export function chaosProblems(r: ChaosReport): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) problems.push(what);
  };
  check(r.baseline.failures === 0, `the fault-free run had ${r.baseline.failures} failures`);
  check(r.chaos.count === r.requests, `${r.chaos.count} of ${r.requests} requests were reported`);
  check(r.failures.length === 0, `client-visible failures: ${JSON.stringify(r.failures.slice(0, 3))}`);
  check(r.chaos.malformed === 0, `${r.chaos.malformed} malformed or truncated streams`);

  // Cuts after content reached the client cannot be hidden: well-formed error events, only on
  // the route built for them, and few (the cutting deployment's breaker opens).
  check(r.chaos.visibleErrorEvents >= 1, 'the mid-content cut was never exercised');
  check(r.chaos.visibleErrorEvents <= 40, `${r.chaos.visibleErrorEvents} visible cuts: the breaker should stop them`);
  for (const v of r.visibleErrors) {
    check(v.route === 'r-midcut', `a visible error on ${v.route}`);
    check(/^api_error: .*stream/.test(v.detail ?? ''), `a visible error that is not a stream api_error: ${v.detail}`);
  }

  // The refused provider: opened by its 5th consecutive failure, i.e. within the first waves.
  const b = r.breaker;
  check(b.openedAfterMs !== undefined, 'the dead provider breaker never opened');
  check(/consecutive failures .*upstream_connection/.test(b.openReason ?? ''), `open reason: ${b.openReason}`);
  check((b.requestsStartedBeforeOpen ?? Infinity) <= 2 * r.concurrency, `opened after ${b.requestsStartedBeforeOpen} requests had started`);
  check(['open', 'half-open'].includes(b.adminStateMidRun ?? ''), `admin health mid-run: ${b.adminStateMidRun}`);
  // Machine-dependent figures, fine for a benchmark on a known machine, never for a test: back
  // on its port, closed within one (capped, 2 s) cooldown plus a trial; nobody waited for the
  // slow provider's 5 s first byte; the whole run within a minute.
  check(b.recoveredAfterMs !== undefined && b.recoveredAfterMs <= 3_000, `recovered after ${b.recoveredAfterMs} ms`);
  check(r.chaos.max < 5_000, `slowest request ${r.chaos.max} ms: someone waited for the 5 s first byte`);
  check(r.wallMs < 90_000, `whole run ${r.wallMs} ms`);
  return problems;
}
