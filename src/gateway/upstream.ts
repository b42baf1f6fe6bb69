// The one place that talks to providers: undici with keep-alive connection pools, and the
// three timeouts of a deployment (connect, first byte, total). Transport failures become
// GatewayErrors with stable codes so retry rules never look at undici's error classes.

import { Agent, errors as undiciErrors, type Dispatcher } from 'undici';
import { GatewayError } from '../spec/errors.js';
import type { Headers, UpstreamRequest } from '../spec/wire.js';
import type { Timeouts } from '../config/snapshot.js';
import type { AttemptAbort } from './cancel.js';

export interface UpstreamResult {
  status: number;
  headers: Headers;
  body: Dispatcher.ResponseData['body'];
  /** Clears the total-timeout timer; call when the body is fully consumed or abandoned. */
  done(): void;
}

const agents = new Map<number, Agent>();

/** One keep-alive Agent per connect timeout (undici sets connect timeouts per dispatcher). */
function agentFor(connectMs: number): Agent {
  let a = agents.get(connectMs);
  if (!a) {
    a = new Agent({
      connect: { timeout: connectMs },
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 600_000,
      connections: 256,
      pipelining: 1,
    });
    agents.set(connectMs, a);
  }
  return a;
}

export async function closeUpstreamAgents(): Promise<void> {
  const all = [...agents.values()];
  agents.clear();
  await Promise.allSettled(all.map((a) => a.close()));
}

export function transportError(e: unknown, what: string, timeouts: Timeouts): GatewayError {
  if (e instanceof GatewayError) return e;
  const err = e as { code?: string; name?: string; message?: string };
  const code = err?.code ?? '';
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new GatewayError('upstream_timeout', `${what}: connect timeout after ${timeouts.connectMs} ms`, { scope: 'provider', cause: e });
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return new GatewayError('upstream_timeout', `${what}: no response within ${timeouts.firstByteMs} ms (first-byte timeout)`, { cause: e });
  }
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    return new GatewayError('upstream_timeout', `${what}: body stalled for ${timeouts.firstByteMs} ms`, { cause: e });
  }
  if (err?.name === 'TimeoutError' || code === 'MP_TOTAL_TIMEOUT') {
    return new GatewayError('upstream_timeout', `${what}: attempt exceeded the total timeout of ${timeouts.totalMs} ms`, { cause: e });
  }
  if (err?.name === 'AbortError' || code === 'UND_ERR_ABORTED') {
    return new GatewayError('upstream_connection', `${what}: request aborted`, { cause: e, retryable: false });
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new GatewayError('upstream_connection', `${what}: cannot connect (${code})`, { cause: e });
  }
  if (e instanceof undiciErrors.UndiciError || code.startsWith('E') || code.startsWith('UND_')) {
    return new GatewayError('upstream_connection', `${what}: connection failed (${code || err?.message || 'unknown'})`, { cause: e });
  }
  return new GatewayError('upstream_connection', `${what}: ${err?.message ?? String(e)}`, { cause: e });
}

/**
 * Sends one attempt under `controller` (the caller aborts it when the client goes away or a
 * hedge is lost; the timeouts here abort it too). Resolves when the response headers arrive;
 * the body is read by the caller.
 */
export async function callUpstream(req: UpstreamRequest, timeouts: Timeouts, controller: AttemptAbort, what: string): Promise<UpstreamResult> {
  const timer = setTimeout(() => {
    const e = new Error('total timeout') as Error & { code: string };
    e.code = 'MP_TOTAL_TIMEOUT';
    controller.abort(e);
  }, timeouts.totalMs);
  // undici checks headersTimeout on a coarse (~0.5 s) clock; a sub-second first-byte timeout
  // needs its own timer to fire when configured.
  let headersTimer: NodeJS.Timeout | undefined =
    timeouts.firstByteMs < 5_000
      ? setTimeout(() => {
          const e = new Error('first-byte timeout') as Error & { code: string };
          e.code = 'UND_ERR_HEADERS_TIMEOUT';
          controller.abort(e);
        }, timeouts.firstByteMs)
      : undefined;
  const done = () => {
    clearTimeout(timer);
    if (headersTimer) clearTimeout(headersTimer);
  };
  try {
    const { origin, path } = split(req.url);
    const res = await agentFor(timeouts.connectMs).request({
      origin,
      path,
      method: req.method,
      headers: req.headers,
      body: req.body,
      headersTimeout: timeouts.firstByteMs,
      bodyTimeout: timeouts.firstByteMs,
      signal: controller,
    });
    if (headersTimer) {
      clearTimeout(headersTimer);
      headersTimer = undefined;
    }
    return { status: res.statusCode, headers: res.headers as Headers, body: res.body, done };
  } catch (e) {
    done();
    const reason = controller.aborted ? controller.reason : e;
    throw transportError(reason ?? e, what, timeouts);
  }
}

const originCache = new Map<string, { origin: string; path: string }>();

function split(url: string): { origin: string; path: string } {
  let hit = originCache.get(url);
  if (!hit) {
    const u = new URL(url);
    hit = { origin: u.origin, path: u.pathname + u.search };
    if (originCache.size > 10_000) originCache.clear();
    originCache.set(url, hit);
  }
  return hit;
}

export interface BufferedResult {
  status: number;
  headers: Headers;
  body: Buffer;
}

/**
 * One attempt whose whole response body is wanted at once (non-streaming calls, error bodies):
 * undici's handler API, with no Readable, no promise per chunk. Measured here, about 10-15% less
 * CPU per request than `request()` + `body.json()`.
 */
export function callUpstreamBuffered(req: UpstreamRequest, timeouts: Timeouts, abort: AttemptAbort, what: string): Promise<BufferedResult> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let headers: Headers = {};
    const chunks: Buffer[] = [];
    let settled = false;
    let ctl: Dispatcher.DispatchController | undefined;
    let failure: unknown;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      finish();
      failure = e;
      ctl?.abort(e instanceof Error ? e : new Error(String(e)));
      reject(transportError(abort.aborted ? abort.reason ?? e : e, what, timeouts));
    };
    const timeout = (code: string, message: string) => () => {
      const e = new Error(message) as Error & { code: string };
      e.code = code;
      fail(e);
    };
    const total = setTimeout(timeout('MP_TOTAL_TIMEOUT', 'total timeout'), timeouts.totalMs);
    let headersTimer: NodeJS.Timeout | undefined =
      timeouts.firstByteMs < 5_000 ? setTimeout(timeout('UND_ERR_HEADERS_TIMEOUT', 'first-byte timeout'), timeouts.firstByteMs) : undefined;
    const onAbort = () => fail(abort.reason);
    abort.once('abort', onAbort);
    function finish() {
      clearTimeout(total);
      if (headersTimer) clearTimeout(headersTimer);
      abort.removeListener('abort', onAbort);
    }
    const { origin, path } = split(req.url);
    agentFor(timeouts.connectMs).dispatch(
      { origin, path, method: req.method, headers: req.headers, body: req.body, headersTimeout: timeouts.firstByteMs, bodyTimeout: timeouts.firstByteMs },
      {
        onRequestStart(c) {
          ctl = c;
          if (settled) c.abort(failure instanceof Error ? failure : new Error('cancelled'));
        },
        onResponseStart(_c, statusCode, h) {
          status = statusCode;
          headers = h as Headers;
          if (headersTimer) {
            clearTimeout(headersTimer);
            headersTimer = undefined;
          }
        },
        onResponseData(_c, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          if (settled) return;
          settled = true;
          finish();
          resolve({ status, headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) });
        },
        onResponseError(_c, e) {
          fail(e);
        },
      },
    );
  });
}
