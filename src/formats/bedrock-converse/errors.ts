// Bedrock errors: `{message}` (or `{Message}`) bodies with the type in `x-amzn-errortype`
// ("ValidationException:http://internal.amazon.com/coral/…"), and the same type names as
// `:exception-type` in ConverseStream exception events (there in camelCase).
import { GatewayError, codeForUpstreamStatus, parseRetryAfter } from '../../spec/index.js';
import type { ErrorCode, UpstreamResponseMeta } from '../../spec/index.js';
import { isObject, str, tryParseJson } from '../shared/json.js';

const BY_TYPE: Record<string, ErrorCode> = {
  ValidationException: 'upstream_bad_request',
  AccessDeniedException: 'upstream_auth',
  UnrecognizedClientException: 'upstream_auth',
  ExpiredTokenException: 'upstream_auth',
  InvalidSignatureException: 'upstream_auth',
  ResourceNotFoundException: 'upstream_not_found',
  ThrottlingException: 'rate_limited',
  ServiceQuotaExceededException: 'rate_limited',
  ModelNotReadyException: 'upstream_unavailable',
  ServiceUnavailableException: 'upstream_unavailable',
  ModelTimeoutException: 'upstream_timeout',
  InternalServerException: 'upstream_error',
  ModelErrorException: 'upstream_error',
  ModelStreamErrorException: 'upstream_error',
};

const CONTEXT_LENGTH = /input is too long|prompt is too long|too many input tokens|context (window|length)|exceeds? .*context/i;

/** "validationException" / "ValidationException:http://…" -> "ValidationException". */
export function normalizeErrorType(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const name = raw.split(':')[0]?.trim() ?? '';
  return name === '' ? undefined : name.charAt(0).toUpperCase() + name.slice(1);
}

export function bedrockError(type: string | undefined, message: string, status: number, headers: UpstreamResponseMeta['headers'], body: unknown): GatewayError {
  let code: ErrorCode = (type !== undefined ? BY_TYPE[type] : undefined) ?? codeForUpstreamStatus(status);
  if (code === 'upstream_bad_request' && CONTEXT_LENGTH.test(message)) code = 'context_length_exceeded';
  const upstream: { status: number; body: unknown; type?: string } = { status, body };
  if (type !== undefined) upstream.type = type;
  const retryAfterMs = parseRetryAfter(headers);
  return new GatewayError(code, message, retryAfterMs === undefined ? { upstream } : { upstream, retryAfterMs });
}

export function parseBedrockError(text: string, meta: UpstreamResponseMeta): GatewayError {
  const body = tryParseJson(text);
  const header = meta.headers['x-amzn-errortype'];
  const fromBody = isObject(body) ? (str(body.__type) ?? str(body.code)) : undefined;
  // `__type` may be "com.amazon.coral.service#ValidationException".
  const type = normalizeErrorType(Array.isArray(header) ? header[0] : header) ?? normalizeErrorType(fromBody?.split('#').pop());
  const message =
    (isObject(body) ? (str(body.message) ?? str(body.Message)) : undefined) ??
    (text.trim() !== '' && body === undefined ? text.slice(0, 500) : `Bedrock returned HTTP ${meta.status}`);
  return bedrockError(type, message, meta.status, meta.headers, body ?? text);
}
