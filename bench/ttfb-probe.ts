// Concurrency-1 probe: for each request, the time to the response headers, to the first body
// byte, to the first complete SSE event (`\n\n`) and to the end. wrk only sees the last byte, so
// a gateway that delays the first token (buffering, slow header path) would look fine there.
//
// Run: BENCH_BODY=... BENCH_HEADERS='{"k":"v"}' node dist/bench/ttfb-probe.js --url U --n 300
// Prints one line: PROBE_RESULT {json}. Bounded by --n and --max-seconds.

import { Agent, request } from 'node:http';
import { pathToFileURL } from 'node:url';
import { startRequestChild } from './child.js';
import { percentile } from './stats.js';

export interface ProbeSample {
  ok: boolean;
  headMs: number;
  firstByteMs: number;
  firstEventMs: number;
  endMs: number;
}

export interface ProbeResult {
  n: number;
  errors: number;
  headP50Ms: number;
  firstByteP50Ms: number;
  firstByteP99Ms: number;
  firstEventP50Ms: number;
  firstEventP99Ms: number;
  endP50Ms: number;
  endP99Ms: number;
}

export function summariseProbe(samples: readonly ProbeSample[]): ProbeResult {
  const ok = samples.filter((s) => s.ok);
  const sorted = (k: keyof Omit<ProbeSample, 'ok'>) => ok.map((s) => s[k]).sort((a, b) => a - b);
  const head = sorted('headMs');
  const first = sorted('firstByteMs');
  const event = sorted('firstEventMs');
  const end = sorted('endMs');
  return {
    n: samples.length,
    errors: samples.length - ok.length,
    headP50Ms: percentile(head, 50),
    firstByteP50Ms: percentile(first, 50),
    firstByteP99Ms: percentile(first, 99),
    firstEventP50Ms: percentile(event, 50),
    firstEventP99Ms: percentile(event, 99),
    endP50Ms: percentile(end, 50),
    endP99Ms: percentile(end, 99),
  };
}

function once(url: URL, agent: Agent, headers: Record<string, string | number>, body: Buffer): Promise<ProbeSample> {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const ms = (t: bigint) => Number(t - t0) / 1e6;
    let head = 0n;
    let first = 0n;
    let event = 0n;
    let tail = '';
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers, agent }, (res) => {
      head = process.hrtime.bigint();
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        const now = process.hrtime.bigint();
        if (!first) first = now;
        if (!event) {
          // An event is complete at its blank line; keep only enough of the text to see one across chunks.
          tail = (tail + d).slice(-4096);
          if (tail.includes('\n\n')) event = now;
        }
      });
      res.on('end', () => {
        const end = process.hrtime.bigint();
        resolve({ ok: res.statusCode === 200, headMs: ms(head), firstByteMs: ms(first || end), firstEventMs: ms(event || end), endMs: ms(end) });
      });
      res.on('error', () => resolve({ ok: false, headMs: NaN, firstByteMs: NaN, firstEventMs: NaN, endMs: NaN }));
    });
    req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve({ ok: false, headMs: NaN, firstByteMs: NaN, firstEventMs: NaN, endMs: NaN }));
    req.end(body);
  });
}

export async function probe(url: string, headers: Record<string, string>, body: string, n: number, warmup: number, maxSeconds: number): Promise<ProbeResult> {
  const u = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const buf = Buffer.from(body);
  const h = { 'content-type': 'application/json', ...headers, 'content-length': buf.length };
  const deadline = Date.now() + maxSeconds * 1000;
  for (let i = 0; i < warmup && Date.now() < deadline; i++) await once(u, agent, h, buf);
  const samples: ProbeSample[] = [];
  for (let i = 0; i < n && Date.now() < deadline; i++) samples.push(await once(u, agent, h, buf));
  agent.destroy();
  return summariseProbe(samples);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { args: a, url, headers, body } = startRequestChild('ttfb-probe');
  const r = await probe(
    url,
    headers,
    body,
    Number(a.get('n') ?? 300),
    Number(a.get('warmup') ?? 30),
    Number(a.get('max-seconds') ?? 30),
  );
  process.stdout.write(`PROBE_RESULT ${JSON.stringify(r)}\n`);
  process.exit(0);
}
