// The data-plane HTTP server (node:http, no framework). Request lifecycle:
//   1. match the path -> an endpoint, which fixes the client's wire format (for error shapes)
//   2. authenticate (before reading the body: a wrong key costs nothing)
//   3. read the body under the size limit, parse JSON
//   4. hand off to the pipeline (gateway/chat.ts, gateway/embeddings.ts)
//   5. any GatewayError thrown before the response was committed is rendered in the client's format
// Nothing here touches a database or the disk.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { GatewayError } from '../spec/errors.js';
import type { IngressFormat } from '../spec/wire.js';
import type { SnapshotHolder } from '../config/holder.js';
import type { Snapshot } from '../config/snapshot.js';
import type { Exchange, GatewayDeps } from '../gateway/chat.js';
import { Cancellation } from '../gateway/cancel.js';
import { applyCors } from './cors.js';

export interface Endpoint {
  /** Renders errors for this endpoint's clients. */
  errors: Pick<IngressFormat, 'encodeError'>;
  /** `anthropic` also accepts `x-api-key`. */
  auth: 'bearer' | 'anthropic' | 'admin' | 'none';
  handle(deps: GatewayDeps, ex: Exchange, body: unknown): Promise<void> | void;
  /** GET and DELETE endpoints read no body. */
  method: 'GET' | 'POST' | 'DELETE';
}

export interface ServerOptions {
  holder: SnapshotHolder;
  deps: GatewayDeps;
  endpoints: ReadonlyMap<string, Endpoint>;
  /** Used for unknown paths. */
  defaultErrors: Pick<IngressFormat, 'encodeError'>;
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

/**
 * Constant-time comparison of the presented key with the configured one: every character is
 * compared whatever the earlier ones were, so the time taken says nothing about how much of a
 * guess was right (only about its length, which is not secret). No Buffer per request.
 */
function keyMatches(given: string, expected: string): boolean {
  if (given.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < given.length; i++) diff |= given.charCodeAt(i) ^ expected.charCodeAt(i);
  return diff === 0;
}

function presentedKey(req: IncomingMessage, kind: Endpoint['auth']): string | undefined {
  const h = req.headers.authorization;
  if (typeof h === 'string' && h.length > 7 && (h.startsWith('Bearer ') || /^Bearer\s/i.test(h))) {
    const key = h.slice(7).trim();
    if (key !== '') return key;
  }
  if (kind === 'anthropic' || kind === 'admin') {
    const x = req.headers['x-api-key'];
    if (typeof x === 'string' && x !== '') return x;
  }
  return undefined;
}

function authenticate(req: IncomingMessage, kind: Endpoint['auth'], snapshot: Snapshot): void {
  if (kind === 'none') return;
  const expected = kind === 'admin' ? snapshot.auth.adminKey ?? snapshot.auth.masterKey : snapshot.auth.masterKey;
  if (expected === undefined) {
    if (kind === 'admin') throw new GatewayError('forbidden', 'the admin API is disabled: set auth.admin_key (or auth.master_key) in the config');
    return; // no key configured: open gateway (the CLI warns at start-up)
  }
  const key = presentedKey(req, kind);
  if (key === undefined) {
    const how = kind === 'anthropic' ? 'an `x-api-key` header or `Authorization: Bearer <key>`' : '`Authorization: Bearer <key>`';
    throw new GatewayError('unauthorized', `Missing API key: send ${how}.`);
  }
  if (!keyMatches(key, expected)) throw new GatewayError('unauthorized', 'Invalid API key.');
}

/** Reads the body under the size limit; calls back once (no promise: this is every request). */
function readBody(req: IncomingMessage, limit: number, done: (err: GatewayError | undefined, body?: Buffer) => void): void {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    done(new GatewayError('payload_too_large', `Request body is ${declared} bytes; the limit is ${limit} bytes.`));
    return;
  }
  let first: Buffer | undefined;
  let parts: Buffer[] | undefined;
  let size = 0;
  let over = false;
  req.on('data', (d: Buffer) => {
    if (over) return;
    size += d.length;
    if (size > limit) {
      over = true;
      done(new GatewayError('payload_too_large', `Request body exceeds the limit of ${limit} bytes.`));
      return;
    }
    if (first === undefined) first = d;
    else (parts ??= [first]).push(d);
  });
  req.on('end', () => {
    if (!over) done(undefined, parts ? Buffer.concat(parts) : first ?? Buffer.alloc(0));
  });
  req.on('error', (e) => {
    if (over) return;
    over = true;
    done(new GatewayError('invalid_request', `error reading the request body: ${e.message}`));
  });
}

function parseJson(buf: Buffer): unknown {
  if (buf.length === 0) throw new GatewayError('invalid_json', 'Request body is empty; expected a JSON object.');
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (e) {
    throw new GatewayError('invalid_json', `Request body is not valid JSON: ${(e as Error).message}`);
  }
}

export function sendError(res: ServerResponse, errors: Pick<IngressFormat, 'encodeError'>, err: GatewayError, requestId?: string, anthropicIds = false): void {
  if (res.headersSent) {
    if (!res.destroyed) res.end();
    return;
  }
  const rendered = errors.encodeError(err);
  const payload = JSON.stringify(rendered.body);
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(rendered.headers ?? {}) };
  if (err.retryAfterMs !== undefined && (err.status === 429 || err.status === 503)) headers['retry-after'] = String(Math.ceil(err.retryAfterMs / 1000));
  if (requestId) {
    headers['x-request-id'] = requestId;
    if (anthropicIds) headers['request-id'] = requestId;
  }
  // The official SDKs obey x-should-retry. When the gateway already ran its own attempts (the
  // pipeline set the header to false), an SDK retry would multiply them; otherwise a retryable
  // error (e.g. every key cooling down, with retry-after) may be retried by the client.
  headers['x-should-retry'] = String(res.getHeader('x-should-retry') ?? (err.retryable ? 'true' : 'false'));
  res.writeHead(rendered.status, headers);
  res.end(payload);
}

/** Endpoints registered as `GET /v1/models/*` match any deeper path. */
function prefixEndpoint(endpoints: ReadonlyMap<string, Endpoint>, key: string): Endpoint | undefined {
  for (const [k, e] of endpoints) {
    if (k.endsWith('/*') && key.startsWith(k.slice(0, -1)) && key.length > k.length - 1) return e;
  }
  return undefined;
}

function normalisePath(url: string): string {
  const q = url.indexOf('?');
  let p = q === -1 ? url : url.slice(0, q);
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  return p;
}

/** Endpoints by method, then exact path: no key string built per request. */
function indexEndpoints(endpoints: ReadonlyMap<string, Endpoint>): Map<string, Map<string, Endpoint>> {
  const byMethod = new Map<string, Map<string, Endpoint>>();
  for (const [k, e] of endpoints) {
    const sp = k.indexOf(' ');
    const method = k.slice(0, sp);
    let m = byMethod.get(method);
    if (!m) byMethod.set(method, (m = new Map()));
    m.set(k.slice(sp + 1), e);
  }
  return byMethod;
}

export function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { holder, deps, endpoints } = opts;
  const byMethod = indexEndpoints(endpoints);
  const anthropicErrors = endpoints.get('POST /v1/messages')?.errors;
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
    const snapshot = holder.current;
    if (snapshot.server.cors !== undefined && applyCors(snapshot.server.cors, req, res)) return;
    const startedAt = Date.now();
    const path = normalisePath(req.url ?? '/');
    const id = requestId(req);
    // The Anthropic SDK reads `request-id` (exposed as `_request_id`); everyone gets x-request-id.
    // Handlers write these with their status line (res.writeHead with a header list is Node's
    // fast path; a setHeader here would push every response onto the slow merging path).
    const anthropic = path.startsWith('/v1/messages');
    const idHeaders = anthropic ? ['x-request-id', id, 'request-id', id] : ['x-request-id', id];
    const method = req.method ?? 'GET';
    const endpoint = byMethod.get(method)?.get(path) ?? prefixEndpoint(endpoints, `${method} ${path}`);
    const errors = endpoint?.errors ?? (anthropic ? anthropicErrors : undefined) ?? opts.defaultErrors;
    const cancel = new Cancellation();
    res.on('close', () => {
      if (!res.writableFinished) cancel.cancel(new Error('client closed the connection'));
    });
    const fail = (e: unknown) => {
      const err = e instanceof GatewayError ? e : new GatewayError('internal_error', 'internal error', { cause: e });
      if (err.code === 'internal_error') deps.log.error({ request_id: id, err: e instanceof Error ? e.stack : String(e) }, 'internal error');
      sendError(res, errors, err, id, anthropic);
      if (err.code === 'payload_too_large') req.resume();
    };
    if (!endpoint) {
      const other = [...endpoints.keys()].some((k) => k.endsWith(` ${path}`));
      fail(other
        ? new GatewayError('method_not_allowed', `${method} is not allowed on ${path}.`)
        : new GatewayError('not_found', `Unknown path ${path}. The gateway serves /v1/chat/completions, /v1/messages, /v1/responses, /v1/embeddings and /v1/models.`));
      req.resume();
      return;
    }
    try {
      authenticate(req, endpoint.auth, snapshot);
    } catch (e) {
      fail(e);
      req.resume();
      return;
    }
    const ex: Exchange = { req, res, requestId: id, idHeaders, startedAt, snapshot, cancel };
    const run = (body: unknown) => {
      try {
        const p = endpoint.handle(deps, ex, body);
        if (p) p.catch(fail);
      } catch (e) {
        fail(e);
      }
    };
    if (endpoint.method !== 'POST') {
      run(undefined);
      return;
    }
    readBody(req, snapshot.server.bodyLimitBytes, (err, buf) => {
      if (err) return fail(err);
      let body: unknown;
      try {
        body = parseJson(buf!);
      } catch (e) {
        return fail(e);
      }
      run(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? holder.current.server.port, opts.host ?? holder.current.server.host, () => {
      server.off('error', reject);
      const port = (server.address() as AddressInfo).port;
      const host = opts.host ?? holder.current.server.host;
      resolve({
        server,
        port,
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
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
