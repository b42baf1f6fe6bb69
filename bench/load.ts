// Drives one closed-loop load run (N connections, each sending its next request when the last
// response ended) with wrk, or with the Node generator (load-node.ts) when wrk is missing.
// Both print the same one-line result, parsed by parseResultLine.

import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProcessSet } from './procs.js';

export interface LoadSpec {
  url: string;
  headers: Record<string, string>;
  body: string;
  conns: number;
  durationS: number;
}

export interface LoadResult {
  requests: number;
  durationS: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
}

// wrk's Lua hooks: a fixed POST, headers from the environment, and at the end one line of numbers
// (latencies in wrk are microseconds). Errors: connect, read, write, HTTP status >= 400, timeouts.
const WRK_LUA = `-- written by bench/load.ts
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
for name, value in string.gmatch(os.getenv("BENCH_HEADERS") or "", "([^:\\n]+):%s*([^\\n]*)") do
  wrk.headers[name] = value
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH_RESULT %d %.6f %.4f %.4f %.4f %d\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.status + e.timeout))
end
`;

/** `BENCH_RESULT requests seconds p50ms p99ms maxms errors` -> LoadResult (undefined if absent). */
export function parseResultLine(text: string): LoadResult | undefined {
  const m = /^BENCH_RESULT (\d+) ([\d.]+) ([\d.]+|nan) ([\d.]+|nan) ([\d.]+|nan) (\d+)\s*$/m.exec(text);
  if (!m) return undefined;
  const requests = Number(m[1]);
  const durationS = Number(m[2]);
  return {
    requests,
    durationS,
    rps: durationS > 0 ? requests / durationS : NaN,
    p50Ms: Number(m[3]),
    p99Ms: Number(m[4]),
    maxMs: Number(m[5]),
    errors: Number(m[6]),
  };
}

export function headerLines(h: Record<string, string>): string {
  return Object.entries(h)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\n');
}

export interface LoadRunner {
  name: string;
  precise: boolean;
  run(spec: LoadSpec, logFile: string): Promise<LoadResult>;
}

/** Runs a child to completion (killed after `limitS`), returning its stdout. */
function runChild(procs: ProcessSet, name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, limitS: number, cpu: number): Promise<string> {
  const s = procs.start(name, cmd, args, { logFile, env, pipeStdout: true, cpu });
  let out = '';
  s.child.stdout?.setEncoding('utf8');
  s.child.stdout?.on('data', (d: string) => {
    out += d;
  });
  const t = setTimeout(() => void procs.stop(s, 1000), limitS * 1000);
  return new Promise((resolve) => {
    s.child.once('exit', () => {
      clearTimeout(t);
      appendFileSync(logFile, out);
      resolve(out);
    });
  });
}

export function wrkRunner(procs: ProcessSet, workDir: string, cpu: number): LoadRunner {
  const lua = join(workDir, 'bench-chat.lua');
  writeFileSync(lua, WRK_LUA);
  return {
    name: 'wrk (1 thread, closed loop)',
    precise: true,
    async run(spec, logFile) {
      const env = { ...process.env, BENCH_BODY: spec.body, BENCH_HEADERS: headerLines(spec.headers) };
      const args = ['-t1', `-c${spec.conns}`, `-d${spec.durationS}s`, '--timeout', '10s', '-s', lua, spec.url];
      const out = await runChild(procs, 'wrk', 'wrk', args, env, logFile, spec.durationS + 20, cpu);
      const r = parseResultLine(out);
      if (!r) throw new Error(`wrk printed no result (see ${logFile}): ${out.slice(0, 300)}`);
      return r;
    },
  };
}

export function nodeRunner(procs: ProcessSet, cpu: number): LoadRunner {
  const script = fileURLToPath(new URL('./load-node.js', import.meta.url));
  return {
    name: 'Node + undici closed loop (wrk not available: figures are LESS PRECISE, the generator itself costs more CPU on the shared core)',
    precise: false,
    async run(spec, logFile) {
      const env = { ...process.env, BENCH_BODY: spec.body, BENCH_HEADERS: JSON.stringify(spec.headers) };
      const args = [script, '--url', spec.url, '--conns', String(spec.conns), '--duration', String(spec.durationS)];
      const out = await runChild(procs, 'load-node', process.execPath, args, env, logFile, spec.durationS + 20, cpu);
      const r = parseResultLine(out);
      if (!r) throw new Error(`the Node load generator printed no result (see ${logFile})`);
      return r;
    },
  };
}
