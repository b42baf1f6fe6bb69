// Egress: Anthropic error bodies `{type:'error', error:{type, message}, request_id}` (HTTP errors
// and mid-stream `error` events) to GatewayError. The body's error type is more precise than the
// status, so it decides; the status table is the fallback for bodies that are not Anthropic's
// (proxies, load balancers).
import type { ErrorCode, UpstreamResponseMeta } from '../../spec/index.js';
import { GatewayError, codeForUpstreamStatus, parseRetryAfter } from '../../spec/index.js';
import { isObject, str, tryParseJson } from '../shared/json.js';

const CONTEXT_OVERFLOW = /prompt is too long|too many (input )?tokens|context (window|length)|exceeds? the (model's )?context/i;
const NO_CREDIT = /credit balance is too low/i;

export function codeForAnthropicType(type: string | undefined, message: string, status: number): ErrorCode {
  switch (type) {
    case 'invalid_request_error':
      if (CONTEXT_OVERFLOW.test(message)) return 'context_length_exceeded';
      // Out of credit is this key's problem, not the request's: another key may work.
      if (NO_CREDIT.test(message)) return 'insufficient_quota';
      return 'upstream_bad_request';
    case 'authentication_error':
    case 'permission_error':
      return 'upstream_auth';
    case 'billing_error':
      return 'insufficient_quota';
    case 'not_found_error':
      return 'upstream_not_found';
    case 'request_too_large':
      return 'context_length_exceeded';
    case 'rate_limit_error':
      return 'rate_limited';
    case 'api_error':
      return 'upstream_error';
    case 'overloaded_error':
      return 'upstream_overloaded';
    case 'timeout_error':
      return 'upstream_timeout';
    default:
      return codeForUpstreamStatus(status);
  }
}

interface ErrorFields {
  type?: string;
  message?: string;
}

export function errorFields(body: unknown): ErrorFields {
  if (!isObject(body) || !isObject(body.error)) return {};
  const out: ErrorFields = {};
  const type = str(body.error.type);
  const message = str(body.error.message);
  if (type !== undefined) out.type = type;
  if (message !== undefined) out.message = message;
  return out;
}

export function parseError(text: string, meta: UpstreamResponseMeta): GatewayError {
  const body = tryParseJson(text);
  const { type, message } = errorFields(body);
  const msg = message ?? (text.trim() === '' ? `Anthropic returned HTTP ${meta.status}` : text.slice(0, 500));
  const retryAfterMs = parseRetryAfter(meta.headers);
  return new GatewayError(codeForAnthropicType(type, msg, meta.status), msg, {
    upstream: { status: meta.status, body: body ?? text, ...(type === undefined ? {} : { type }) },
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  });
}

/** A mid-stream `error` event's payload (HTTP status already 200). */
export function streamError(payload: unknown): GatewayError {
  const { type, message } = errorFields(payload);
  const msg = message ?? 'Anthropic stream error';
  // The stream itself said 200; pretend the status the same error would have had as a response.
  const status = type === 'overloaded_error' ? 529 : type === 'rate_limit_error' ? 429 : 500;
  return new GatewayError(codeForAnthropicType(type, msg, status), msg, {
    upstream: { status, body: payload, ...(type === undefined ? {} : { type }) },
  });
}
