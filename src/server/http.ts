// The data-plane HTTP server (node:http, no framework). What it does per request, in order:
//   1. match `METHOD path` to an endpoint spec, which fixes the client's wire format (errors,
//      id headers); unknown paths get a 404/405 in the closest shape
//   2. create the Call and authenticate the caller (before reading the body: a wrong key costs nothing)
//   3. read the body under the size limit, parse JSON
//   4. hand the call to the runner (gateway/runner.ts): decode, stages, produce, render, after-hooks
// Nothing here touches a database or the disk. `createRequestHandler` is the whole server without
// a socket, for in-process tests (testkit/inject.ts).

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { GatewayError } from '../spec/errors.js';
import type { SnapshotHolder } from '../config/holder.js';
import { newCall, type Exchange } from '../gateway/call.js';
import type { GatewayDeps } from '../gateway/deps.js';
import type { EndpointSpec } from '../gateway/endpoint.js';
import { idHeaders } from '../gateway/endpoint.js';
import { Cancellation } from '../gateway/cancel.js';
import { renderError } from '../gateway/render.js';
import { runCall } from '../gateway/runner.js';
import { authenticate } from './auth.js';
import { parseJson, readBody } from './body.js';
import { errorsForUnknownPath } from './endpoints.js';
import { installClientErrorHandler, noteEarlyAnswer } from './client-error.js';

export interface ServerOptions {
  holder: SnapshotHolder;
  deps: GatewayDeps;
  endpoints: ReadonlyMap<string, EndpointSpec>;
  port?: number;
  host?: string;
}

export interface RunningServer {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

const idPrefix = randomBytes(4).toString('hex');
let idCounter = 0;
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  if (typeof given === 'string' && SAFE_ID.test(given)) return given;
  return `req_${idPrefix}${(++idCounter).toString(36)}`;
}

function normalisePath(url: string): string {
  const q = url.indexOf('?');
  let p = q === -1 ? url : url.slice(0, q);
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

interface EndpointIndex {
  byMethod: Map<string, Map<string, EndpointSpec>>;
  prefixes: Array<{ method: string; prefix: string; spec: EndpointSpec }>;
  paths: Set<string>;
}

/** Endpoints by method, then exact path: no key string built per request. */
function indexEndpoints(endpoints: ReadonlyMap<string, EndpointSpec>): EndpointIndex {
  const idx: EndpointIndex = { byMethod: new Map(), prefixes: [], paths: new Set() };
  for (const [k, spec] of endpoints) {
    const sp = k.indexOf(' ');
    const method = k.slice(0, sp);
    const path = k.slice(sp + 1);
    if (path.endsWith('/*')) idx.prefixes.push({ method, prefix: path.slice(0, -1), spec });
    else {
      let m = idx.byMethod.get(method);
      if (!m) idx.byMethod.set(method, (m = new Map()));
      m.set(path, spec);
      idx.paths.add(path);
    }
  }
  return idx;
}

function match(idx: EndpointIndex, method: string, path: string): EndpointSpec | undefined {
  const exact = idx.byMethod.get(method)?.get(path);
  if (exact) return exact;
  for (const p of idx.prefixes) if (p.method === method && path.length > p.prefix.length && path.startsWith(p.prefix)) return p.spec;
  return undefined;
}

function newExchange(req: IncomingMessage, res: ServerResponse, holder: SnapshotHolder, ids: (id: string) => string[], clock: () => number): Exchange {
  const id = requestId(req);
  const cancel = new Cancellation();
  res.on('close', () => {
    if (!res.writableFinished) cancel.cancel(new Error('client closed the connection'));
  });
  return { req, res, requestId: id, idHeaders: ids(id), startedAt: clock(), snapshot: holder.current, cancel, clock };
}

/** Answers a path no endpoint serves: 405 when another method would do, else 404. */
function unknownPath(idx: EndpointIndex, deps: GatewayDeps, holder: SnapshotHolder, req: IncomingMessage, res: ServerResponse, method: string, path: string): void {
  const { errors, anthropic } = errorsForUnknownPath(path);
  const call = newCall(newExchange(req, res, holder, anthropic ? idHeaders.anthropic : idHeaders.plain, deps.clock), 'probe', 'openai-chat');
  const other = idx.paths.has(path) || idx.prefixes.some((p) => path.startsWith(p.prefix) && path.length > p.prefix.length);
  renderError(call, errors, other
    ? new GatewayError('method_not_allowed', `${method} is not allowed on ${path}.`)
    : new GatewayError('not_found', `Unknown path ${path}. The gateway serves /v1/chat/completions, /v1/messages, /v1/responses, /v1/embeddings and /v1/models.`), deps.log);
  noteEarlyAnswer(req);
  req.resume();
}

/** The runner renders its own errors; a throw past that is a bug, logged and answered with a 500. */
function run(deps: GatewayDeps, spec: EndpointSpec, call: ReturnType<typeof newCall>, body: unknown): void {
  runCall(deps, spec, call, body).catch((e: unknown) => {
    deps.log.error({ request_id: call.ex.requestId, err: e instanceof Error ? e.stack : String(e) }, 'internal error');
    const res = call.ex.res;
    if (!res.headersSent) {
      res.writeHead(500, ['content-type', 'application/json', ...call.ex.idHeaders]);
      res.end('{"error":{"message":"internal error","type":"api_error","code":"internal_error"}}');
    } else if (!res.destroyed) res.end();
  });
}

export function createRequestHandler(opts: Pick<ServerOptions, 'holder' | 'deps' | 'endpoints'>): (req: IncomingMessage, res: ServerResponse) => void {
  const { holder, deps } = opts;
  const idx = indexEndpoints(opts.endpoints);
  return (req, res) => {
    const path = normalisePath(req.url ?? '/');
    const method = req.method ?? 'GET';
    const spec = match(idx, method, path);
    if (!spec) return unknownPath(idx, deps, holder, req, res, method, path);
    const call = newCall(newExchange(req, res, holder, spec.idHeaders, deps.clock), spec.kind, spec.format);
    try {
      authenticate(call, spec.auth, deps.lifecycles.for(call.ex.snapshot));
    } catch (e) {
      renderError(call, spec.errors, e, deps.log);
      noteEarlyAnswer(req);
      req.resume();
      return;
    }
    if (spec.method === 'GET') {
      run(deps, spec, call, undefined);
      return;
    }
    readBody(req, call.ex.snapshot.server.bodyLimitBytes, (err, buf) => {
      if (err) {
        renderError(call, spec.errors, err, deps.log);
        if (err.code === 'payload_too_large') {
          noteEarlyAnswer(req);
          req.resume();
        }
        return;
      }
      let body: unknown;
      try {
        body = parseJson(buf!);
      } catch (e) {
        renderError(call, spec.errors, e, deps.log);
        return;
      }
      run(deps, spec, call, body);
    });
  };
}

/** Listens with the data plane's socket settings; `close` drains idle keep-alives at once and cuts the rest after 2 s. */
export function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, holder: SnapshotHolder, port?: number, hostOpt?: string): Promise<RunningServer> {
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, handler);
  installClientErrorHandler(server);
  const host = hostOpt ?? holder.current.server.host;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port ?? holder.current.server.port, host, () => {
      server.off('error', reject);
      const bound = (server.address() as AddressInfo).port;
      resolve({
        server,
        port: bound,
        url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeIdleConnections();
            setTimeout(() => server.closeAllConnections(), 2_000).unref();
          }),
      });
    });
  });
}

export function startServer(opts: ServerOptions): Promise<RunningServer> {
  return listen(createRequestHandler(opts), opts.holder, opts.port, opts.host);
}
