// The data-plane HTTP server (node:http, no framework). Request lifecycle:
//   1. match the path -> an endpoint, which fixes the client's wire format (for error shapes)
//   2. authenticate (before reading the body: a wrong key costs nothing)
//   3. read the body under the size limit, parse JSON
//   4. hand off to the pipeline (gateway/chat.ts, gateway/embeddings.ts)
//   5. any GatewayError thrown before the response was committed is rendered in the client's format
// Nothing here touches a database or the disk.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { GatewayError } from '../spec/errors.js';
import type { IngressFormat } from '../spec/wire.js';
import type { SnapshotHolder } from '../config/holder.js';
import type { Snapshot } from '../config/snapshot.js';
import type { Exchange, GatewayDeps } from '../gateway/chat.js';
import { Cancellation } from '../gateway/cancel.js';

export interface Endpoint {
  /** Renders errors for this endpoint's clients. */
  errors: Pick<IngressFormat, 'encodeError'>;
  /** `anthropic` also accepts `x-api-key`. */
  auth: 'bearer' | 'anthropic' | 'admin' | 'none';
  handle(deps: GatewayDeps, ex: Exchange, body: unknown): Promise<void> | void;
  /** GET endpoints read no body. */
  method: 'GET' | 'POST';
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

function keyMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function presentedKey(req: IncomingMessage, kind: Endpoint['auth']): string | undefined {
  const h = req.headers.authorization;
  if (typeof h === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(h);
    if (m) return m[1]!.trim();
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

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new GatewayError('payload_too_large', `Request body is ${declared} bytes; the limit is ${limit} bytes.`));
      return;
    }
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (d: Buffer) => {
      size += d.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new GatewayError('payload_too_large', `Request body exceeds the limit of ${limit} bytes.`));
        return;
      }
      parts.push(d);
    });
    req.on('end', () => resolve(parts.length === 1 ? parts[0]! : Buffer.concat(parts)));
    req.on('error', (e) => reject(new GatewayError('invalid_request', `error reading the request body: ${e.message}`)));
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

export function sendError(res: ServerResponse, errors: Pick<IngressFormat, 'encodeError'>, err: GatewayError, requestId?: string): void {
  if (res.headersSent) {
    if (!res.destroyed) res.end();
    return;
  }
  const rendered = errors.encodeError(err);
  const payload = JSON.stringify(rendered.body);
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...(rendered.headers ?? {}) };
  if (err.retryAfterMs !== undefined && (err.status === 429 || err.status === 503)) headers['retry-after'] = String(Math.ceil(err.retryAfterMs / 1000));
  if (requestId) headers['x-request-id'] = requestId;
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

export function startServer(opts: ServerOptions): Promise<RunningServer> {
  const { holder, deps, endpoints } = opts;
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, (req, res) => {
    const snapshot = holder.current;
    const startedAt = Date.now();
    const path = normalisePath(req.url ?? '/');
    const id = requestId(req);
    res.setHeader('x-request-id', id);
    // The Anthropic SDK reads `request-id` (exposed as `_request_id`).
    if (path.startsWith('/v1/messages')) res.setHeader('request-id', id);
    const endpoint = endpoints.get(`${req.method} ${path}`) ?? prefixEndpoint(endpoints, `${req.method} ${path}`);
    const errors = endpoint?.errors ?? (path.startsWith('/v1/messages') ? endpoints.get('POST /v1/messages')?.errors : undefined) ?? opts.defaultErrors;
    const cancel = new Cancellation();
    res.on('close', () => {
      if (!res.writableFinished) cancel.cancel(new Error('client closed the connection'));
    });
    const fail = (e: unknown) => {
      const err = e instanceof GatewayError ? e : new GatewayError('internal_error', 'internal error', { cause: e });
      if (err.code === 'internal_error') deps.log.error({ request_id: id, err: e instanceof Error ? e.stack : String(e) }, 'internal error');
      sendError(res, errors, err, id);
      if (err.code === 'payload_too_large') req.resume();
    };
    if (!endpoint) {
      const other = [...endpoints.keys()].some((k) => k.endsWith(` ${path}`));
      fail(other
        ? new GatewayError('method_not_allowed', `${req.method} is not allowed on ${path}.`)
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
    const ex: Exchange = { req, res, requestId: id, startedAt, snapshot, cancel };
    if (endpoint.method === 'GET') {
      Promise.resolve()
        .then(() => endpoint!.handle(deps, ex, undefined))
        .catch(fail);
      return;
    }
    readBody(req, snapshot.server.bodyLimitBytes)
      .then((buf) => endpoint!.handle(deps, ex, parseJson(buf)))
      .catch(fail);
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
