// Endpoints that answer with something other than JSON (Prometheus text, the dashboard's HTML,
// scripts and styles), on the same runner as every other endpoint: errors come out in the
// OpenAI shape and the request id header is set. Their answer is a `json` answer whose body is a
// `PlainBody`; nothing else renders them.
import { jsonEndpoint } from '../gateway/endpoints/json.js';
import { GatewayError } from '../spec/errors.js';
import type { Answer, Call, EndpointKind } from '../gateway/call.js';
import type { GatewayDeps } from '../gateway/deps.js';
import type { AuthScheme, EndpointSpec } from '../gateway/endpoint.js';
import { callHeaders } from '../gateway/headers.js';
import { keyMatches, presentedKey } from '../server/auth.js';

export interface PlainBody {
  contentType: string;
  body: string | Buffer;
  cacheControl?: string;
}

function renderPlain(call: Call, answer: Answer): void {
  const b = answer.kind === 'json' ? (answer.body as PlainBody | undefined) : undefined;
  if (b === undefined || typeof b !== 'object' || !('contentType' in b)) throw new GatewayError('internal_error', 'a plain endpoint got an answer it cannot render');
  const headers = ['content-type', b.contentType, 'content-length', String(Buffer.byteLength(b.body)), 'x-content-type-options', 'nosniff'];
  if (b.cacheControl) headers.push('cache-control', b.cacheControl);
  call.outcome.status = 200;
  call.ex.res.writeHead(200, callHeaders(headers, call, undefined));
  call.ex.res.end(b.body);
}

export function plainEndpoint(kind: EndpointKind, auth: AuthScheme, answer: (deps: GatewayDeps, call: Call) => PlainBody | Promise<PlainBody>): EndpointSpec {
  return jsonEndpoint(kind, auth, answer, false, renderPlain);
}

/**
 * The admin-key check for an endpoint whose protection is a config choice (`/metrics` with
 * `telemetry.metrics.auth`): the endpoint table is fixed at start-up, the config reloads.
 */
export function requireAdminKey(call: Call): void {
  const auth = call.ex.snapshot.auth;
  const expected = auth.adminKey;
  if (expected === undefined) throw new GatewayError('forbidden', 'this endpoint wants the admin key, and none is configured: set auth.admin_key, or telemetry.metrics.auth: none');
  const key = presentedKey(call.ex.req.headers);
  if (key === undefined) throw new GatewayError('unauthorized', 'Missing API key: send `Authorization: Bearer <admin key>`.');
  if (!keyMatches(key, expected)) throw new GatewayError('unauthorized', 'Invalid API key.');
}
