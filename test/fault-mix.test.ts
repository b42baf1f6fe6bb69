// The chaos run in small (bench/chaos.ts has the long one, `npm run chaos`): the same routes and
// the same broken providers (one refusing connections, two failing 30% of calls, one far too
// slow, one cutting streams before content, one cutting after it, one key out of quota), a short
// seeded mix of streaming and non-streaming requests from both client formats, 4 in flight.
// Assertions are on outcomes only (statuses, stream endings, which deployment answered, health
// transitions from the log), never on how long anything took: waits are on log lines and on the
// deadlines the gateway itself announces.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFaults, closedPort, config, KEY, providerState, ROUTES, runLoad, type RequestRecord } from '../bench/chaos.js';
import { startGateway, type Gateway } from '../src/server/app.js';
import { LogSink } from '../testkit/log-sink.js';
import { startSimulator, type Simulator } from '../testkit/simulator.js';

const PER_ROUTE = 6;
const CONCURRENCY = 4;

let sim: Simulator;
let gw: Gateway;
let downPort: number;
const log = new LogSink('info');
let records: RequestRecord[];

before(async () => {
  sim = await startSimulator({ port: 0, seed: 7 });
  downPort = await closedPort();
  applyFaults(sim);
  // Slower than any request may take: a client that got its answer did not wait for this one.
  sim.setFault('/slow', { firstByteMs: 600_000 });
  gw = await startGateway({ configText: config(sim.url, `http://127.0.0.1:${downPort}`, 'sk-quota-exhausted-1'), port: 0, logger: log.logger, env: {} });
  records = await runLoad(gw.url, PER_ROUTE * ROUTES.length, CONCURRENCY, 7);
});
after(async () => {
  await gw.close();
  await sim.close();
});

const byRoute = (route: string) => records.filter((r) => r.route === route);
const lineOf = (r: RequestRecord) => log.requestLine(r.requestId);

test('every request is answered: 200 and a complete body or stream, or (only where content was already out) a well-formed error event', () => {
  assert.equal(records.length, PER_ROUTE * ROUTES.length);
  assert.deepEqual(records.filter((r) => r.outcome === 'failure'), []);
  const visible = records.filter((r) => r.outcome === 'visible-error');
  for (const v of visible) {
    assert.equal(v.route, 'r-midcut', JSON.stringify(v));
    assert.match(v.detail ?? '', /^api_error: .*stream/);
  }
  // The mix has streams on r-midcut, and its cutting deployment is first: the cut was exercised.
  assert.ok(byRoute('r-midcut').some((r) => r.stream), 'the seeded mix streams on r-midcut');
  assert.ok(visible.length >= 1, 'a cut after content reached a client as an error event');
});

test('each broken first target is replaced by the route’s healthy one, as the log lines say', async () => {
  const answeredBy: Record<string, string[]> = {
    'r-down': ['healthy-a'],
    'r-flaky': ['flaky-a', 'healthy-b'],
    'r-flaky2': ['flaky-b', 'claude-a'],
    'r-slow': ['healthy-a'],
    'r-hedge': ['healthy-b'],
    'r-cut': ['claude-a'],
    'r-quota': ['quota-a', 'healthy-a'],
  };
  for (const [route, deployments] of Object.entries(answeredBy)) {
    for (const r of byRoute(route)) {
      const line = await lineOf(r);
      assert.equal(line.status, 200, JSON.stringify(line));
      assert.ok(deployments.includes(line.deployment as string), `${route} answered by ${String(line.deployment)}`);
    }
  }
  // The quota route's spent key is rotated away from within the request, on the same deployment.
  const quota = await Promise.all(byRoute('r-quota').map(lineOf));
  assert.ok(quota.some((l) => (l.fallback_reasons as string[] | undefined)?.includes('insufficient_quota')), JSON.stringify(quota));
  // The slow deployment's first byte never came: its attempts ended as timeouts or lost hedges.
  for (const l of await Promise.all(byRoute('r-slow').map(lineOf))) {
    for (const reason of (l.fallback_reasons as string[] | undefined) ?? []) assert.equal(reason, 'upstream_timeout');
  }
  for (const l of await Promise.all(byRoute('r-hedge').map(lineOf))) {
    for (const reason of (l.fallback_reasons as string[] | undefined) ?? []) assert.equal(reason, 'hedged');
  }
});

test('the refused provider’s breaker opens on consecutive connection failures, then a trial after its cooldown closes it', async () => {
  const opened = await log.healthChange('down', 'open');
  assert.match((opened.health as { reason: string }).reason, /consecutive failures .*upstream_connection/);
  const state = await providerState(gw, 'down');
  assert.ok(['open', 'half-open'].includes(state?.state ?? ''), JSON.stringify(state));

  // Back on its port. No traffic until every breaker on its path has reached the end of the
  // cooldown the gateway announced; then one request is the half-open trial, and it succeeds.
  const revived = await startSimulator({ port: downPort, seed: 7 });
  try {
    const doc = (await (await fetch(`${gw.url}/admin/health`, { headers: { authorization: `Bearer ${KEY}` } })).json()) as {
      providers: Array<{ id: string; until?: string }>;
      deployments: Array<{ id: string; until?: string }>;
    };
    const untils = [...doc.providers.filter((p) => p.id === 'down'), ...doc.deployments.filter((d) => d.id === 'down-a')].map((x) => (x.until ? Date.parse(x.until) : 0));
    const until = Math.max(0, ...untils);
    await new Promise((r) => setTimeout(r, Math.max(0, until - Date.now()) + 20));
    const from = log.items.length;
    const res = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: 'r-down', messages: [{ role: 'user', content: 'are you back?' }] }),
    });
    assert.equal(res.status, 200);
    await res.arrayBuffer();
    assert.equal(res.headers.get('x-modelplane-deployment'), 'down-a', 'the trial went to the revived provider');
    const closed = await log.healthChange('down', 'closed', from);
    assert.equal((closed.health as { reason: string }).reason, 'trial succeeded');
    assert.equal((await providerState(gw, 'down'))?.state, 'closed');
    assert.equal(revived.requests.length, 1, 'exactly one trial reached it');
  } finally {
    await revived.close();
  }
});
