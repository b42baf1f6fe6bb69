// Sends fuzz cases (testkit/fuzz-cases.ts) to a gateway over loopback and classifies every
// answer: a 5xx, an error without a well-formed body in the caller's own shape, no answer at
// all. Used by `npm run fuzz` (bench/fuzz.ts) and, shortly, by test/fuzz.test.ts.

import { request } from 'node:http';
import { connect } from 'node:net';
import type { Dialect, FuzzCase } from './fuzz-cases.js';

export interface FuzzAnswer {
  status: number;
  body: string;
}

export interface FuzzFinding {
  case: string;
  path: string;
  status: number;
  body: string;
}

export interface FuzzReport {
  tried: number;
  byStatus: Record<string, number>;
  /** Answers with status >= 500. */
  serverErrors: FuzzFinding[];
  /** Errors (>= 400) whose body is empty or not the caller's error shape. */
  malformedErrors: FuzzFinding[];
  /** The connection closed without any HTTP answer. */
  noAnswer: FuzzFinding[];
}

/** The error shape each dialect's SDK parses. */
export function wellFormedError(dialect: Dialect, body: string): boolean {
  let j: unknown;
  try {
    j = JSON.parse(body);
  } catch {
    return false;
  }
  const o = j as { type?: unknown; error?: { type?: unknown; message?: unknown } } | null;
  if (typeof o !== 'object' || o === null || typeof o.error !== 'object' || o.error === null) return false;
  if (typeof o.error.message !== 'string' || o.error.message === '' || typeof o.error.type !== 'string') return false;
  return dialect === 'openai' || o.type === 'error';
}

function viaHttp(base: URL, c: FuzzCase): Promise<FuzzAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...c.headers };
    if (c.body) headers['content-length'] = c.body.length;
    const req = request({ host: base.hostname, port: base.port, method: c.method, path: c.path, headers, agent: false }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (d: Buffer) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(c.body);
  });
}

/** Reads a raw HTTP/1.1 answer off a socket that the server closes (or we half-closed). */
function parseRaw(raw: Buffer): FuzzAnswer | undefined {
  const text = raw.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return undefined;
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (!m) return undefined;
  const head = text.slice(0, end).toLowerCase();
  let body = raw.subarray(Buffer.byteLength(text.slice(0, end + 4), 'latin1'));
  if (/\r\ntransfer-encoding:\s*chunked/.test(head)) {
    const out: Buffer[] = [];
    let at = 0;
    for (;;) {
      const nl = body.indexOf('\r\n', at);
      if (nl === -1) break;
      const size = parseInt(body.subarray(at, nl).toString('latin1'), 16);
      if (!Number.isFinite(size) || size === 0) break;
      out.push(body.subarray(nl + 2, nl + 2 + size));
      at = nl + 2 + size + 2;
    }
    body = Buffer.concat(out);
  }
  return { status: Number(m[1]), body: body.toString('utf8') };
}

function viaSocket(base: URL, bytes: Buffer[]): Promise<FuzzAnswer | undefined> {
  return new Promise((resolve) => {
    const s = connect(Number(base.port), base.hostname);
    const parts: Buffer[] = [];
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('error', () => {});
    s.on('close', () => resolve(parseRaw(Buffer.concat(parts))));
    s.on('connect', () => {
      for (const b of bytes) s.write(b);
      s.end(); // half-close: the rest of the body never comes
    });
  });
}

function cutRequest(c: FuzzCase): Buffer[] {
  const body = c.body ?? Buffer.alloc(0);
  const half = body.subarray(0, Math.floor(body.length / 2));
  const head = Object.entries(c.headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  return [Buffer.from(`POST ${c.path} HTTP/1.1\r\nhost: fuzz\r\n${head}transfer-encoding: chunked\r\n\r\n`), Buffer.from(`${body.length.toString(16)}\r\n`), half];
}

export async function send(base: URL, c: FuzzCase): Promise<FuzzAnswer | undefined> {
  if (c.transport === 'http') return viaHttp(base, c).catch(() => undefined);
  return viaSocket(base, c.transport === 'cut' ? cutRequest(c) : [c.body ?? Buffer.alloc(0)]);
}

export async function runFuzz(url: string, cases: Iterable<FuzzCase>, concurrency = 4): Promise<FuzzReport> {
  const base = new URL(url);
  const report: FuzzReport = { tried: 0, byStatus: {}, serverErrors: [], malformedErrors: [], noAnswer: [] };
  const it = cases[Symbol.iterator]();
  const worker = async () => {
    for (let n = it.next(); !n.done; n = it.next()) {
      const c = n.value;
      const a = await send(base, c);
      report.tried++;
      const finding = (status: number, body: string): FuzzFinding => ({ case: c.name, path: c.path, status, body: body.slice(0, 300) });
      if (!a) {
        report.noAnswer.push(finding(0, ''));
        continue;
      }
      report.byStatus[a.status] = (report.byStatus[a.status] ?? 0) + 1;
      if (a.status >= 500) report.serverErrors.push(finding(a.status, a.body));
      else if (a.status >= 400 && !wellFormedError(c.dialect, a.body)) report.malformedErrors.push(finding(a.status, a.body));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return report;
}
