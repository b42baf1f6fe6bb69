// Chaos run: the same seeded mix of streaming and non-streaming requests (OpenAI and Anthropic
// clients) through a real gateway twice, once over healthy simulated providers and once with one
// provider refusing connections, two failing 30% of calls (529 / 503), one answering after 5 s,
// one cutting streams before their first content chunk and one key out of quota. Every route
// ends in a healthy deployment, so the chaos run must show zero client-visible failures; only
// `r-midcut` (a stream cut after content has reached the client) may end in an error event,
// which must be well formed. Reports latency of both runs (ratios from the same process and
// machine), when the dead provider's breaker opened and how long it took to close once the
// provider came back. `npm run chaos` (or `node dist/bench/chaos.js [requests] [concurrency]`)
// prints the report and checks it (bench/chaos-verdict.ts); the figures are in docs/reliability.md.
// It takes about a minute, so `npm test` runs a short, deterministic version instead
// (test/fault-mix.test.ts, same config and faults, assertions on outcomes only).

import { createServer, type AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { startSimulator, type Simulator } from '../testkit/simulator.js';
import { mulberry32 } from '../testkit/prng.js';
import { startGateway, type Gateway } from '../src/server/app.js';
import { LogSink, type LogLine } from '../testkit/log-sink.js';
import { chaosProblems } from './chaos-verdict.js';
import { parseSse } from '../src/formats/shared/sse.js';

export const KEY = 'sk-chaos-master';
export const ROUTES = ['r-down', 'r-flaky', 'r-flaky2', 'r-slow', 'r-hedge', 'r-cut', 'r-quota', 'r-mixed', 'r-midcut'] as const;
/** Breaker cooldowns short enough that "open, then recover" fits in a test. */
export const COOLDOWN_MS = 1000;
export const MAX_COOLDOWN_MS = 2000;

export function config(sim: string, down: string, quotaKey: string): string {
  return `
auth: { master_key: ${KEY}, admin_key: ${KEY} }
logging: { level: info }
health: { breaker: { cooldown: ${COOLDOWN_MS}ms, max_cooldown: ${MAX_COOLDOWN_MS}ms } }
providers:
  healthy: { format: openai-chat, base_url: ${sim}/healthy/v1, api_key: sk-healthy }
  claude:  { format: anthropic-messages, base_url: ${sim}/anthropic/v1, api_key: sk-claude }
  down:    { format: openai-chat, base_url: ${down}/down/v1, api_key: sk-down }
  flaky:   { format: openai-chat, base_url: ${sim}/flaky/v1, api_key: sk-flaky }
  flaky2:  { format: openai-chat, base_url: ${sim}/flaky2/v1, api_key: sk-flaky2 }
  slow:    { format: openai-chat, base_url: ${sim}/slow/v1, api_key: sk-slow }
  cutter:  { format: openai-chat, base_url: ${sim}/cutter/v1, api_key: sk-cutter }
  cutmid:  { format: openai-chat, base_url: ${sim}/cutmid/v1, api_key: sk-cutmid }
  quota:   { format: openai-chat, base_url: ${sim}/quota/v1, api_keys: [${quotaKey}, sk-quota-good] }
deployments:
  healthy-a: { provider: healthy, model: m-h1 }
  healthy-b: { provider: healthy, model: m-h2 }
  claude-a:  { provider: claude, model: m-c1 }
  down-a:    { provider: down, model: m-d1 }
  down-b:    { provider: down, model: m-d2 }
  flaky-a:   { provider: flaky, model: m-f1 }
  flaky-b:   { provider: flaky2, model: m-f2 }
  slow-a:    { provider: slow, model: m-s1, timeouts: { first_byte: 250ms } }
  slow-h:    { provider: slow, model: m-s2 }
  cut-a:     { provider: cutter, model: m-x1 }
  cutmid-a:  { provider: cutmid, model: m-x2 }
  quota-a:   { provider: quota, model: m-q1 }
routes:
  r-down:   { targets: [down-a, healthy-a] }
  r-flaky:  { targets: [flaky-a, healthy-b] }
  r-flaky2: { targets: [flaky-b, claude-a] }
  r-slow:   { targets: [slow-a, healthy-a] }
  r-hedge:  { targets: [slow-h, healthy-b], hedge_after: 150ms }
  r-cut:    { targets: [cut-a, claude-a] }
  r-quota:  { targets: [quota-a, healthy-a] }
  # Five targets, and a key rotation counts as an attempt: max_attempts must cover both.
  r-mixed:  { targets: [down-b, flaky-b, cut-a, quota-a, healthy-b], retry: { max_attempts: 8 } }
  r-midcut: { targets: [cutmid-a, healthy-a] }
`;
}

export function applyFaults(sim: Simulator): void {
  sim.setFault('/flaky', { status: 529, rate: 0.3 });
  sim.setFault('/flaky2', { status: 503, rate: 0.3 });
  sim.setFault('/slow', { firstByteMs: 5000 });
  // The role chunk carries no content: a cut after it is still invisible to the client.
  sim.setFault('/cutter', { cutAfterChunks: 1 });
  sim.setFault('/cutmid', { cutAfterChunks: 4 });
}

export async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

type Outcome = 'ok' | 'visible-error' | 'failure';

export interface RequestRecord {
  i: number;
  route: string;
  stream: boolean;
  client: 'openai' | 'anthropic';
  startedAt: number;
  ms: number;
  status: number;
  /** The gateway's x-request-id: the key of the request's log line. */
  requestId?: string;
  outcome: Outcome;
  detail?: string;
}

/** Reads a whole response and classifies it; `visible-error` is a well-formed mid-stream error event. */
async function classify(res: Response, stream: boolean, client: 'openai' | 'anthropic'): Promise<{ outcome: Outcome; detail?: string }> {
  if (res.status !== 200) return { outcome: 'failure', detail: `${res.status} ${(await res.text()).slice(0, 200)}` };
  if (!stream) {
    const j = (await res.json()) as { choices?: Array<{ finish_reason?: string; message?: { content?: string } }>; stop_reason?: string; content?: unknown[] };
    const ok = client === 'openai' ? !!j.choices?.[0]?.finish_reason && !!j.choices[0].message?.content : !!j.stop_reason && (j.content?.length ?? 0) > 0;
    return ok ? { outcome: 'ok' } : { outcome: 'failure', detail: `incomplete body ${JSON.stringify(j).slice(0, 200)}` };
  }
  let finish: string | undefined;
  let done = false;
  let error: string | undefined;
  try {
    for await (const e of parseSse(res.body as unknown as AsyncIterable<Uint8Array>)) {
      if (client === 'openai') {
        if (e.data === '[DONE]') { done = true; continue; }
        const j = JSON.parse(e.data) as { choices?: Array<{ finish_reason?: string | null }>; error?: { message?: string; type?: string } };
        if (j.error) error = j.error.message && j.error.type ? `${j.error.type}: ${j.error.message}` : 'malformed error event';
        finish = j.choices?.[0]?.finish_reason ?? finish;
      } else {
        const j = JSON.parse(e.data) as { delta?: { stop_reason?: string }; error?: { type?: string; message?: string } };
        if (e.event === 'message_stop') done = true;
        if (e.event === 'message_delta') finish = j.delta?.stop_reason ?? finish;
        if (e.event === 'error') error = j.error?.type && j.error.message ? `${j.error.type}: ${j.error.message}` : 'malformed error event';
      }
    }
  } catch (e) {
    return { outcome: 'failure', detail: `stream broke without an error event: ${String(e)}` };
  }
  if (error !== undefined) return error.startsWith('malformed') ? { outcome: 'failure', detail: error } : { outcome: 'visible-error', detail: error };
  if (!finish || !done) return { outcome: 'failure', detail: `stream incomplete (finish ${finish}, end ${done})` };
  return { outcome: 'ok' };
}

/** The request mix, identical for every run with the same seed. */
function mix(n: number, seed: number) {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => ({
    i,
    route: ROUTES[i % ROUTES.length]!,
    stream: rng() < 0.5,
    client: (rng() < 0.25 ? 'anthropic' : 'openai') as 'openai' | 'anthropic',
  }));
}

export async function runLoad(url: string, n: number, concurrency: number, seed: number): Promise<RequestRecord[]> {
  const jobs = mix(n, seed);
  const out: RequestRecord[] = [];
  let next = 0;
  const worker = async () => {
    for (;;) {
      const job = jobs[next++];
      if (job === undefined) return;
      const content = `chaos request ${job.i}: tell me something short`;
      const body = job.client === 'openai'
        ? { model: job.route, stream: job.stream, messages: [{ role: 'user', content }] }
        : { model: job.route, stream: job.stream, max_tokens: 256, messages: [{ role: 'user', content }] };
      const startedAt = Date.now();
      const t0 = performance.now();
      let rec: Omit<RequestRecord, 'ms'>;
      try {
        const res = await fetch(`${url}${job.client === 'openai' ? '/v1/chat/completions' : '/v1/messages'}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(20_000),
        });
        const requestId = res.headers.get('x-request-id');
        rec = { ...job, startedAt, status: res.status, ...(requestId ? { requestId } : {}), ...(await classify(res, job.stream, job.client)) };
      } catch (e) {
        rec = { ...job, startedAt, status: 0, outcome: 'failure', detail: String(e) };
      }
      out.push({ ...rec, ms: performance.now() - t0 });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out.sort((a, b) => a.i - b.i);
}

export interface LatencySummary { count: number; p50: number; p99: number; max: number; mean: number }

export function summarise(ms: number[]): LatencySummary {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? 0;
  const r = (x: number) => Math.round(x * 10) / 10;
  return { count: s.length, p50: r(at(0.5)), p99: r(at(0.99)), max: r(s.at(-1) ?? 0), mean: r(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)) };
}

interface HealthChange { level: string; id: string; to: string; at: number; reason: string }

export async function providerState(gw: Gateway, id: string): Promise<{ state: string; reason?: string } | undefined> {
  const r = await fetch(`${gw.url}/admin/health`, { headers: { authorization: `Bearer ${KEY}` } });
  const doc = (await r.json()) as { providers: Array<{ id: string; state: string; reason?: string }> };
  return doc.providers.find((p) => p.id === id);
}

export interface ChaosReport {
  requests: number;
  concurrency: number;
  baseline: LatencySummary & { failures: number };
  chaos: LatencySummary & { failures: number; visibleErrorEvents: number; malformed: number };
  /** chaos / baseline, from the same process and the same load. */
  ratio: { p50: number; p99: number };
  breaker: {
    /** ms from the start of the chaos load until the dead provider's breaker opened. */
    openedAfterMs: number | undefined;
    /** Requests that had started by then (concurrency bounds how many were already in flight). */
    requestsStartedBeforeOpen: number | undefined;
    openReason: string | undefined;
    /** What /admin/health said mid-run. */
    adminStateMidRun: string | undefined;
    /** ms from the provider coming back until its breaker closed (a half-open trial succeeded). */
    recoveredAfterMs: number | undefined;
    transitions: number;
  };
  /** Chaos-run p50/p99 per route: where the extra latency comes from. */
  byRoute: Record<string, { p50: number; p99: number }>;
  failures: RequestRecord[];
  visibleErrors: Array<Pick<RequestRecord, 'route' | 'client' | 'detail'>>;
  wallMs: number;
}

export async function runChaos(opts: { requests?: number; concurrency?: number; seed?: number } = {}): Promise<ChaosReport> {
  const n = opts.requests ?? 2000;
  const concurrency = opts.concurrency ?? 32;
  const seed = opts.seed ?? 7;
  const wall = Date.now();
  const sim = await startSimulator({ port: 0, seed });
  const downPort = await closedPort();
  let revived: Simulator | undefined;
  try {
    // Warm-up on a throwaway gateway (JIT, simulator), so that the two measured runs both start
    // from a fresh gateway with cold upstream connections: same conditions, same load.
    const warm = await startGateway({ configText: config(sim.url, sim.url, 'sk-quota-fine'), port: 0, logger: new LogSink('info').logger, env: {} });
    try {
      await runLoad(warm.url, Math.min(200, n), concurrency, seed + 1);
    } finally {
      await warm.close();
    }
    // Fault-free run: same routes, every provider on the simulator, every key good.
    const base = await startGateway({ configText: config(sim.url, sim.url, 'sk-quota-fine'), port: 0, logger: new LogSink('info').logger, env: {} });
    let baseline: RequestRecord[];
    try {
      baseline = await runLoad(base.url, n, concurrency, seed);
    } finally {
      await base.close();
    }

    sim.reset();
    applyFaults(sim);
    const sink = new LogSink('info');
    const logs: LogLine[] = sink.items;
    const gw = await startGateway({ configText: config(sim.url, `http://127.0.0.1:${downPort}`, 'sk-quota-exhausted-1'), port: 0, logger: sink.logger, env: {} });
    let chaos: RequestRecord[];
    let adminStateMidRun: string | undefined;
    let recoveredAfterMs: number | undefined;
    const t0 = Date.now();
    try {
      const load = runLoad(gw.url, n, concurrency, seed);
      const poll = (async () => {
        await new Promise((r) => setTimeout(r, 500));
        adminStateMidRun = (await providerState(gw, 'down'))?.state;
      })();
      [chaos] = await Promise.all([load, poll]);

      // The provider comes back on the same port; light traffic until its breaker closes.
      revived = await startSimulator({ port: downPort, seed });
      const back = Date.now();
      while (Date.now() - back < 4 * MAX_COOLDOWN_MS) {
        await fetch(`${gw.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
          body: JSON.stringify({ model: 'r-down', messages: [{ role: 'user', content: 'are you back?' }] }),
        }).then((r) => r.arrayBuffer());
        if ((await providerState(gw, 'down'))?.state === 'closed') {
          recoveredAfterMs = Date.now() - back;
          break;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await gw.close();
    }

    const health = (l: LogLine) => (l.msg === 'health state changed' ? (l.health as HealthChange) : undefined);
    const opened = logs.map(health).find((h) => h?.level === 'provider' && h.id === 'down' && h.to === 'open');
    const bs = summarise(baseline.map((r) => r.ms));
    const cs = summarise(chaos.map((r) => r.ms));
    const visible = chaos.filter((r) => r.outcome === 'visible-error');
    return {
      requests: n,
      concurrency,
      baseline: { ...bs, failures: baseline.filter((r) => r.outcome !== 'ok').length },
      chaos: {
        ...cs,
        failures: chaos.filter((r) => r.outcome === 'failure').length,
        visibleErrorEvents: visible.length,
        malformed: chaos.filter((r) => r.outcome === 'failure' && /malformed|without an error event|incomplete/.test(r.detail ?? '')).length,
      },
      ratio: { p50: Math.round((cs.p50 / bs.p50) * 100) / 100, p99: Math.round((cs.p99 / bs.p99) * 100) / 100 },
      breaker: {
        openedAfterMs: opened ? opened.at - t0 : undefined,
        requestsStartedBeforeOpen: opened ? chaos.filter((r) => r.startedAt <= opened.at).length : undefined,
        openReason: opened?.reason,
        adminStateMidRun,
        recoveredAfterMs,
        transitions: logs.filter((l) => l.msg === 'health state changed').length,
      },
      byRoute: Object.fromEntries(ROUTES.map((route) => {
        const s = summarise(chaos.filter((r) => r.route === route).map((r) => r.ms));
        return [route, { p50: s.p50, p99: s.p99 }];
      })),
      failures: chaos.filter((r) => r.outcome === 'failure').slice(0, 20),
      visibleErrors: visible.slice(0, 5).map((r) => ({ route: r.route, client: r.client, ...(r.detail !== undefined ? { detail: r.detail } : {}) })),
      wallMs: Date.now() - wall,
    };
  } finally {
    await revived?.close();
    await sim.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [requests, concurrency] = process.argv.slice(2).map(Number);
  runChaos({ ...(requests ? { requests } : {}), ...(concurrency ? { concurrency } : {}) }).then(
    (r) => {
      console.log(JSON.stringify({ ...r, failures: r.failures.length }, null, 2));
      const problems = chaosProblems(r);
      for (const p of problems) console.error(`chaos: ${p}`);
      if (problems.length > 0) process.exitCode = 1;
      else console.error('chaos: every check passed');
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
