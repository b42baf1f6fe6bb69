// One error class, one table of codes. Every ingress format renders a GatewayError in its own
// wire shape; every egress format maps provider errors into one. Retry and fallback rules read
// `retryable` and `scope`, never provider-specific status codes.

/**
 * Which level of fallback an error calls for:
 * - `request`: the request itself is wrong; no other deployment will do better.
 * - `credential`: this API key is spent or refused; another key of the same deployment may work.
 * - `deployment`: this model/deployment failed; try the next one.
 * - `provider`: the whole provider looks down.
 */
export type ErrorScope = 'request' | 'credential' | 'deployment' | 'provider';

interface CodeInfo {
  status: number;
  retryable: boolean;
  scope: ErrorScope;
  /** OpenAI `error.type`. */
  openaiType: string;
  /** Anthropic `error.type`. */
  anthropicType: string;
}

export const ERROR_CODES = {
  invalid_json: { status: 400, retryable: false, scope: 'request', openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error' },
  invalid_request: { status: 400, retryable: false, scope: 'request', openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error' },
  context_length_exceeded: { status: 400, retryable: false, scope: 'deployment', openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error' },
  content_filter: { status: 400, retryable: false, scope: 'request', openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error' },
  unsupported_capability: { status: 400, retryable: false, scope: 'request', openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error' },
  unauthorized: { status: 401, retryable: false, scope: 'request', openaiType: 'authentication_error', anthropicType: 'authentication_error' },
  forbidden: { status: 403, retryable: false, scope: 'request', openaiType: 'permission_error', anthropicType: 'permission_error' },
  policy_denied: { status: 403, retryable: false, scope: 'request', openaiType: 'permission_error', anthropicType: 'permission_error' },
  not_found: { status: 404, retryable: false, scope: 'request', openaiType: 'invalid_request_error', anthropicType: 'not_found_error' },
  model_not_found: { status: 404, retryable: false, scope: 'request', openaiType: 'invalid_request_error', anthropicType: 'not_found_error' },
  method_not_allowed: { status: 405, retryable: false, scope: 'request', openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error' },
  payload_too_large: { status: 413, retryable: false, scope: 'request', openaiType: 'invalid_request_error', anthropicType: 'request_too_large' },
  unsupported_media_type: { status: 415, retryable: false, scope: 'request', openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error' },
  rate_limited: { status: 429, retryable: true, scope: 'credential', openaiType: 'rate_limit_error', anthropicType: 'rate_limit_error' },
  insufficient_quota: { status: 429, retryable: false, scope: 'credential', openaiType: 'insufficient_quota', anthropicType: 'rate_limit_error' },
  budget_exceeded: { status: 429, retryable: false, scope: 'request', openaiType: 'insufficient_quota', anthropicType: 'rate_limit_error' },
  upstream_auth: { status: 502, retryable: false, scope: 'credential', openaiType: 'api_error', anthropicType: 'api_error' },
  upstream_bad_request: { status: 400, retryable: false, scope: 'request', openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error' },
  upstream_not_found: { status: 502, retryable: false, scope: 'deployment', openaiType: 'api_error', anthropicType: 'api_error' },
  upstream_error: { status: 502, retryable: true, scope: 'deployment', openaiType: 'api_error', anthropicType: 'api_error' },
  upstream_unavailable: { status: 503, retryable: true, scope: 'provider', openaiType: 'api_error', anthropicType: 'api_error' },
  upstream_overloaded: { status: 503, retryable: true, scope: 'deployment', openaiType: 'api_error', anthropicType: 'overloaded_error' },
  upstream_timeout: { status: 504, retryable: true, scope: 'deployment', openaiType: 'api_error', anthropicType: 'api_error' },
  upstream_connection: { status: 502, retryable: true, scope: 'provider', openaiType: 'api_error', anthropicType: 'api_error' },
  upstream_protocol: { status: 502, retryable: true, scope: 'deployment', openaiType: 'api_error', anthropicType: 'api_error' },
  no_healthy_deployment: { status: 503, retryable: true, scope: 'request', openaiType: 'api_error', anthropicType: 'overloaded_error' },
  stream_interrupted: { status: 502, retryable: false, scope: 'deployment', openaiType: 'api_error', anthropicType: 'api_error' },
  internal_error: { status: 500, retryable: false, scope: 'request', openaiType: 'api_error', anthropicType: 'api_error' },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface UpstreamErrorInfo {
  status: number;
  /** The provider's error body, parsed when it was JSON. */
  body?: unknown;
  /** The provider's own error type/code string, when it has one. */
  type?: string;
}

export interface GatewayErrorOptions {
  status?: number;
  retryable?: boolean;
  scope?: ErrorScope;
  /** The request field at fault (OpenAI `param`), as a dotted path. */
  param?: string;
  upstream?: UpstreamErrorInfo;
  /** From `retry-after` / `retry-after-ms`, in milliseconds. */
  retryAfterMs?: number;
  cause?: unknown;
}

export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly scope: ErrorScope;
  readonly param?: string;
  readonly upstream?: UpstreamErrorInfo;
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const info: CodeInfo = ERROR_CODES[code];
    this.name = 'GatewayError';
    this.code = code;
    this.status = options.status ?? info.status;
    this.retryable = options.retryable ?? info.retryable;
    this.scope = options.scope ?? info.scope;
    if (options.param !== undefined) this.param = options.param;
    if (options.upstream !== undefined) this.upstream = options.upstream;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }

  get openaiType(): string {
    return ERROR_CODES[this.code].openaiType;
  }

  get anthropicType(): string {
    return ERROR_CODES[this.code].anthropicType;
  }
}

export function isGatewayError(e: unknown): e is GatewayError {
  return e instanceof GatewayError;
}

/**
 * Canonical mapping from an upstream HTTP status to an error code, used by every egress format
 * after it has looked at the body for something more specific (quota vs rate limit, context
 * length, content policy).
 */
export function codeForUpstreamStatus(status: number): ErrorCode {
  if (status === 400 || status === 422) return 'upstream_bad_request';
  if (status === 401 || status === 403) return 'upstream_auth';
  if (status === 404) return 'upstream_not_found';
  if (status === 408) return 'upstream_timeout';
  if (status === 413) return 'context_length_exceeded';
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'upstream_unavailable';
  if (status === 504) return 'upstream_timeout';
  if (status === 529) return 'upstream_overloaded';
  return 'upstream_error';
}

/** Parses `retry-after-ms` and `retry-after` (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(headers: Record<string, string | string[] | undefined>, now = Date.now()): number | undefined {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const ms = first(headers['retry-after-ms']);
  if (ms !== undefined && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const ra = first(headers['retry-after']);
  if (ra === undefined || ra.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(ra.trim())) return Math.max(0, Number(ra) * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
