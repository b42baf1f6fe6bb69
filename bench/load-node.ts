// Fallback load generator for machines without wrk: N workers over an undici Pool of N
// connections, each sending its next request as soon as the previous response body has ended
// (closed loop, like wrk). Bounded by time and by a request count. JavaScript on the same core as
// the mock costs more CPU than wrk, so its figures are less precise; the runner says so.
//
// Run: BENCH_BODY=... BENCH_HEADERS='{"k":"v"}' node dist/bench/load-node.js --url U --conns N --duration S

import { pathToFileURL } from 'node:url';
import { Pool } from 'undici';
import { startRequestChild } from './child.js';
import { summariseLatencies } from './stats.js';

export interface NodeLoadOptions {
  url: string;
  headers: Record<string, string>;
  body: string;
  conns: number;
  durationS: number;
  maxRequests: number;
}

export async function runNodeLoad(o: NodeLoadOptions): Promise<string> {
  const u = new URL(o.url);
  const pool = new Pool(u.origin, { connections: o.conns, pipelining: 1 });
  const headers = { 'content-type': 'application/json', ...o.headers };
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(Math.round(o.durationS * 1e9));
  const worker = async () => {
    while (sent < o.maxRequests && process.hrtime.bigint() < deadline) {
      sent++;
      const t0 = process.hrtime.bigint();
      try {
        const r = await pool.request({ path: u.pathname + u.search, method: 'POST', headers, body: o.body, headersTimeout: 10_000, bodyTimeout: 10_000 });
        for await (const _ of r.body) {
          // drain: the request ends with the last byte, as in wrk
        }
        if (r.statusCode >= 400) errors++;
        else latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: o.conns }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await pool.close();
  const s = summariseLatencies(latencies);
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : 'nan');
  return `BENCH_RESULT ${latencies.length} ${seconds.toFixed(6)} ${f(s.p50)} ${f(s.p99)} ${f(s.max)} ${errors}`;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { args: a, url, headers, body } = startRequestChild('load-node');
  const line = await runNodeLoad({
    url,
    headers,
    body,
    conns: Number(a.get('conns') ?? 1),
    durationS: Number(a.get('duration') ?? 5),
    maxRequests: Number(a.get('max-requests') ?? 5_000_000),
  });
  process.stdout.write(line + '\n');
  process.exit(0);
}
