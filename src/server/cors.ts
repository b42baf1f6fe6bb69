// Opt-in CORS for browser clients (`server.cors`; off by default, and then nothing here runs).
// Preflights (OPTIONS with Access-Control-Request-Method) are answered before authentication,
// since browsers send them without credentials; actual requests from an allowed origin get
// Access-Control-Allow-Origin and the gateway's own headers exposed to scripts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CorsSettings } from '../config/snapshot.js';

const ALLOW_METHODS = 'GET, POST, DELETE, OPTIONS';
/** What SDKs send: the OpenAI and Anthropic SDKs add their own x-stainless-* and version headers. */
const DEFAULT_ALLOW_HEADERS = 'authorization, content-type, x-api-key, anthropic-version, anthropic-beta, x-request-id, x-modelplane-class';
const EXPOSE_HEADERS = [
  'x-request-id',
  'request-id',
  'x-modelplane-route',
  'x-modelplane-deployment',
  'x-modelplane-attempts',
  'x-modelplane-fallback-reason',
  'x-modelplane-warnings',
  'x-should-retry',
  'retry-after',
].join(', ');

function allowedOrigin(cors: CorsSettings, origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  if (cors.origins === '*') return '*';
  return cors.origins.includes(origin) ? origin : undefined;
}

/**
 * Adds CORS headers to the response for an allowed origin; answers a preflight itself.
 * Returns true when the request was answered (a preflight) and needs nothing more.
 */
export function applyCors(cors: CorsSettings, req: IncomingMessage, res: ServerResponse): boolean {
  const origin = allowedOrigin(cors, req.headers.origin);
  const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
  if (preflight) {
    const headers: string[] = ['vary', 'origin, access-control-request-headers', 'content-length', '0'];
    if (origin !== undefined) {
      const asked = req.headers['access-control-request-headers'];
      headers.push(
        'access-control-allow-origin', origin,
        'access-control-allow-methods', ALLOW_METHODS,
        // Echoing what the browser asks for keeps SDKs that add their own headers working.
        'access-control-allow-headers', typeof asked === 'string' && asked !== '' ? asked : DEFAULT_ALLOW_HEADERS,
        'access-control-max-age', String(Math.round(cors.maxAgeMs / 1000)),
      );
    }
    // A disallowed origin gets a 204 without allow headers: the browser then blocks the call.
    res.writeHead(204, headers);
    res.end();
    req.resume();
    return true;
  }
  if (origin !== undefined) {
    // setHeader (not writeHead's list) because the handler writes its own head later; Node merges
    // the two. Only requests that carry an allowed Origin pay for the merge.
    res.setHeader('access-control-allow-origin', origin);
    res.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
    if (cors.origins !== '*') res.setHeader('vary', 'origin');
  }
  return false;
}
