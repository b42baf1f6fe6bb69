// The simulated provider server the demo, e2e, chaos tests and benchmark run against. It speaks
// each provider's real wire format: it replays captured bytes on request (`fixture:` prompts,
// replay.ts) and otherwise generates answers in the same shapes (providers/*). Faults come from an
// `x-sim-fault` header, setFault(), or POST /__sim/fault from another process. node:http only.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FaultSyntaxError, FaultTable, parseFaultHeader, validateFault } from './faults.js';
import { readBody, sleep, writeResponse } from './http-io.js';
import { mulberry32 } from './prng.js';
import { credentialFault, errorResponse } from './provider-errors.js';
import { judge } from './quality.js';
import { directivePath, replay, ReplayError } from './replay.js';
import { route, type Route } from './routes.js';
import { HANG_GUARD_MS } from './wait.js';
import type { Fault, RecordedRequest, SimCall, SimResponse, Simulator, SimulatorOptions } from './types.js';

export type { Fault, RecordedRequest, Simulator, SimulatorOptions } from './types.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function jsonResponse(status: number, value: unknown): SimResponse {
  return { kind: 'body', status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) };
}

function parseBody(raw: Buffer): { body: unknown; invalid: boolean } {
  if (raw.length === 0) return { body: undefined, invalid: false };
  const text = raw.toString('utf8');
  try {
    return { body: JSON.parse(text) as unknown, invalid: false };
  } catch {
    return { body: text, invalid: true };
  }
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`simulator: host must be loopback (127.0.0.1, localhost or ::1), got ${host}`);
  const bindHost = host === 'localhost' ? '127.0.0.1' : host;
  const seed = opts.seed ?? 1;
  const maxRecorded = opts.maxRecorded ?? 1000;
  const baseLatency = opts.latencyMs ?? 0;
  const log = opts.logger;

  const requests: RecordedRequest[] = [];
  let counts: Record<string, number> = {};
  const faults = new FaultTable(seed);
  let random = mulberry32(seed);
  let seq = 0;

  // Requests recorded since the last reset, and tests waiting for one (see waitForRequest).
  let recorded = 0;
  let waiters: Array<{ match: (r: RecordedRequest) => boolean; from: number; resolve: (r: RecordedRequest) => void }> = [];

  function record(req: IncomingMessage, url: string, pathname: string, scope: string, body: unknown): void {
    const r: RecordedRequest = { method: req.method ?? 'GET', path: pathname, url, scope, headers: req.headers, body, at: Date.now() };
    requests.push(r);
    if (requests.length > maxRecorded) requests.splice(0, requests.length - maxRecorded);
    counts[scope] = (counts[scope] ?? 0) + 1;
    const index = recorded++;
    if (waiters.length > 0) {
      const ready = waiters.filter((w) => index >= w.from && w.match(r));
      waiters = waiters.filter((w) => !ready.includes(w));
      for (const w of ready) w.resolve(r);
    }
  }

  const sim: Simulator = {
    url: '',
    port: 0,
    requests,
    stats: () => ({ ...counts }),
    reset() {
      requests.length = 0;
      recorded = 0;
      counts = {};
      faults.clear();
      random = mulberry32(seed);
      seq = 0;
    },
    setFault: (scope, fault) => faults.set(scope, fault),
    waitForRequest(match, from = 0) {
      // `requests` holds the last maxRecorded of the `recorded` so far: skip those before `from`.
      const offset = recorded - requests.length;
      const seen = requests.find((r, i) => offset + i >= from && match(r));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const guard = setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter);
          reject(new Error(`simulator: no matching request within ${HANG_GUARD_MS} ms (hang guard)`));
        }, HANG_GUARD_MS).unref();
        const waiter = { match, from, resolve: (r: RecordedRequest) => (clearTimeout(guard), resolve(r)) };
        waiters.push(waiter);
      });
    },
    close: () => Promise.resolve(),
  };

  async function control(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    const raw = await readBody(req);
    const { body } = parseBody(raw);
    const o = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    if (req.method === 'POST' && pathname === '/__sim/fault') {
      try {
        if (typeof o.scope !== 'string') throw new FaultSyntaxError('scope must be a string');
        sim.setFault(o.scope, o.fault === null || o.fault === undefined ? null : validateFault(o.fault));
        return send(200, { ok: true });
      } catch (e) {
        return send(400, { error: { message: e instanceof Error ? e.message : String(e) } });
      }
    }
    if (req.method === 'POST' && pathname === '/__sim/reset') {
      sim.reset();
      return send(200, { ok: true });
    }
    if (req.method === 'GET' && pathname === '/__sim/requests') return send(200, { requests });
    if (req.method === 'GET' && pathname === '/__sim/stats') return send(200, counts);
    if (req.method === 'GET' && pathname === '/__sim/health') return send(200, { ok: true });
    return send(404, { error: { message: `simulator: no control endpoint ${req.method} ${pathname}` } });
  }

  /** Decides the answer after faults: a credential fault, a replayed capture or a generated one. */
  function answer(rt: Route, call: SimCall, req: IncomingMessage, query: URLSearchParams, invalid: boolean): SimResponse {
    const cred = credentialFault(rt.mod, req.headers, query);
    if (cred) return errorResponse(rt.mod, rt.family, cred.status, cred.reason);
    if (invalid) return rt.mod.synthError(rt.family, 400, 'bad-request', 'simulator: the request body is not valid JSON');
    const rel = directivePath(rt.mod.directiveText(call));
    if (rel !== undefined) {
      try {
        const replayed = replay(rel, rt.mod, call);
        if (replayed) return replayed;
        log?.(`simulator: fixtures absent, generating instead of replaying ${rel}`);
      } catch (e) {
        if (!(e instanceof ReplayError)) throw e;
        return rt.mod.synthError(rt.family, e.status, e.status === 404 ? 'not-found' : 'bad-request', e.message);
      }
    }
    const r = rt.mod.generate(call);
    r.headers['x-sim-source'] ??= 'generated';
    return r;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = req.url ?? '/';
    const qi = url.indexOf('?');
    const pathname = qi === -1 ? url : url.slice(0, qi);
    if (pathname.startsWith('/__sim/')) return control(req, res, pathname);
    const query = new URLSearchParams(qi === -1 ? '' : url.slice(qi + 1));
    const raw = await readBody(req);
    const { body, invalid } = parseBody(raw);
    const rt = route(req.method, pathname);
    if (rt === undefined) {
      record(req, url, pathname, '/' + (pathname.split('/')[1] ?? ''), body);
      const r = jsonResponse(404, { error: { message: `simulator: no route for ${req.method} ${pathname}`, type: 'not_found' } });
      await writeResponse(res, r, undefined, new AbortController().signal);
      log?.(`${req.method} ${pathname} -> 404 no route`);
      return;
    }
    record(req, url, pathname, rt.scope, body);
    const ac = new AbortController();
    res.on('close', () => ac.abort());

    let fault: Fault | undefined;
    try {
      const header = req.headers['x-sim-fault'];
      fault = faults.select(rt.canonicalPath, typeof header === 'string' ? parseFaultHeader(header) : undefined);
    } catch (e) {
      if (!(e instanceof FaultSyntaxError)) throw e;
      await writeResponse(res, rt.mod.synthError(rt.family, 400, 'bad-request', `simulator: ${e.message}`), undefined, ac.signal);
      return;
    }
    const outcome = (what: string) => log?.(`${req.method} ${pathname} -> ${what} ${Date.now() - started}ms`);
    if (fault?.hang) {
      outcome('hang');
      return;
    }
    if (!(await sleep(baseLatency + (fault?.latencyMs ?? 0), ac.signal))) return;
    if (fault?.reset) {
      req.socket.destroy();
      outcome('reset');
      return;
    }

    const call: SimCall = { family: rt.family, op: rt.op, body, query, seq: seq++, seed, random: () => random() };
    if (rt.pathModel !== undefined) call.pathModel = rt.pathModel;
    if (opts.replyWords !== undefined) call.replyWords = opts.replyWords;
    const quality = opts.quality;
    if (quality !== undefined) call.judge = (model, prompt) => judge(quality, model, prompt);

    let r: SimResponse;
    if (fault?.status !== undefined) {
      const eo: { fixture?: string; retryAfter?: number } = {};
      if (fault.fixture !== undefined) eo.fixture = fault.fixture;
      if (fault.retryAfter !== undefined) eo.retryAfter = fault.retryAfter;
      r = errorResponse(rt.mod, rt.family, fault.status, 'fault', eo);
    } else {
      r = answer(rt, call, req, query, invalid);
    }
    const ended = await writeResponse(res, r, fault, ac.signal);
    outcome(`${r.status} ${r.headers['x-sim-source'] ?? ''} ${ended}`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      log?.(`simulator: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `simulator: internal error: ${String(e)}` } }));
      } else {
        res.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, bindHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  sim.port = port;
  sim.url = `http://${bindHost === '::1' ? '[::1]' : bindHost}:${port}`;
  sim.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Hung requests and idle keep-alive sockets would otherwise hold close() open forever.
      server.closeAllConnections();
    });
  return sim;
}
