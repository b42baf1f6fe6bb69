// Google API errors (`{error:{code,message,status,details[]}}`, sometimes wrapped in an array)
// -> GatewayError.
import { GatewayError, codeForUpstreamStatus, parseRetryAfter } from '../../spec/index.js';
import type { ErrorCode, UpstreamResponseMeta } from '../../spec/index.js';
import { arr, isObject, num, str, tryParseJson } from '../shared/json.js';

const BY_STATUS: Record<string, ErrorCode> = {
  INVALID_ARGUMENT: 'upstream_bad_request',
  FAILED_PRECONDITION: 'upstream_bad_request',
  OUT_OF_RANGE: 'upstream_bad_request',
  UNAUTHENTICATED: 'upstream_auth',
  PERMISSION_DENIED: 'upstream_auth',
  NOT_FOUND: 'upstream_not_found',
  RESOURCE_EXHAUSTED: 'rate_limited',
  INTERNAL: 'upstream_error',
  UNKNOWN: 'upstream_error',
  UNAVAILABLE: 'upstream_unavailable',
  DEADLINE_EXCEEDED: 'upstream_timeout',
};

const AUTH_REASONS = new Set(['API_KEY_INVALID', 'API_KEY_SERVICE_BLOCKED', 'API_KEY_HTTP_REFERRER_BLOCKED', 'ACCESS_TOKEN_EXPIRED']);
const CONTEXT_LENGTH = /exceeds the maximum number of tokens|input token count .* exceeds|too many tokens/i;

export function parseGeminiError(text: string, meta: UpstreamResponseMeta): GatewayError {
  let body = tryParseJson(text);
  if (Array.isArray(body)) body = body[0];
  const err = isObject(body) && isObject(body.error) ? body.error : undefined;
  return googleError(err, meta.status, meta.headers, body ?? text);
}

/** Also used for an `{error}` object that arrives inside a 200 stream. */
export function googleError(
  err: Record<string, unknown> | undefined,
  httpStatus: number,
  headers: UpstreamResponseMeta['headers'],
  body: unknown,
): GatewayError {
  const status = str(err?.status);
  const message = str(err?.message) ?? `Gemini returned HTTP ${httpStatus}`;
  const details = arr(err?.details).filter(isObject);
  const reason = details.map((d) => str(d.reason)).find((r) => r !== undefined);

  let code: ErrorCode = (status !== undefined ? BY_STATUS[status] : undefined) ?? codeForUpstreamStatus(httpStatus);
  if (reason !== undefined && AUTH_REASONS.has(reason)) code = 'upstream_auth';
  else if (code === 'upstream_bad_request' && CONTEXT_LENGTH.test(message)) code = 'context_length_exceeded';

  const retryAfterMs = retryDelayMs(details) ?? parseRetryAfter(headers);
  const upstream: { status: number; body: unknown; type?: string } = { status: num(err?.code) ?? httpStatus, body };
  if (status !== undefined) upstream.type = status;
  return new GatewayError(code, message, retryAfterMs === undefined ? { upstream } : { upstream, retryAfterMs });
}

/** google.rpc.RetryInfo `retryDelay` is a protobuf Duration in JSON: "38s", "0.5s". */
function retryDelayMs(details: Record<string, unknown>[]): number | undefined {
  for (const d of details) {
    const delay = str(d.retryDelay);
    const m = delay === undefined ? null : /^(\d+(?:\.\d+)?)s$/.exec(delay);
    if (m?.[1] !== undefined) return Math.round(Number(m[1]) * 1000);
  }
  return undefined;
}
