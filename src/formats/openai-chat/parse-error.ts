// Egress: an upstream error (HTTP body, or an `{"error":...}` payload inside a stream) -> GatewayError.
import { codeForUpstreamStatus, GatewayError, parseRetryAfter, type ErrorCode } from '../../spec/errors.js';
import type { Headers, UpstreamResponseMeta } from '../../spec/wire.js';
import { isObject, num, str, tryParseJson } from '../shared/json.js';

/** What an error body said; a field a body lacks stays undefined. */
interface ErrorFields {
  message?: string | undefined;
  type?: string | undefined;
  code?: string | undefined;
  param?: string | undefined;
  status?: number | undefined;
}

function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return undefined;
  return JSON.stringify(v);
}

/**
 * Reads the shapes compatible servers use: OpenAI `{error:{message,type,param,code}}`, Ollama
 * `{error:"..."}`, vLLM/Mistral top-level `{object:"error",message,type,code}`, FastAPI `{detail}`.
 */
function extract(body: unknown): ErrorFields {
  const f: ErrorFields = {};
  if (!isObject(body)) return f;
  const e = body.error;
  if (isObject(e)) {
    f.message = asText(e.message);
    f.type = str(e.type);
    // Some servers (OpenRouter) put the HTTP status in `code`.
    const code = e.code;
    if (typeof code === 'string') f.code = code;
    else if (num(code) !== undefined && (code as number) >= 400 && (code as number) < 600) f.status = code as number;
    f.param = str(e.param);
  } else if (typeof e === 'string') f.message = e;
  f.message ??= asText(body.message) ?? asText(body.detail);
  f.type ??= str(body.type);
  if (f.code === undefined && typeof body.code === 'string') f.code = body.code;
  return f;
}

const CONTEXT_PATTERN = /context length|context window|maximum context|too many tokens|prompt is too long|reduce the length/i;

function refine(status: number | undefined, f: ErrorFields): ErrorCode {
  const tags = [f.code, f.type];
  if (tags.includes('insufficient_quota')) return 'insufficient_quota';
  if (tags.includes('rate_limit_exceeded') || tags.includes('rate_limit_error')) return 'rate_limited';
  if (tags.includes('context_length_exceeded')) return 'context_length_exceeded';
  if (tags.includes('content_filter') || tags.includes('content_policy_violation')) return 'content_filter';
  if ((status === 400 || status === 413 || status === undefined) && f.message !== undefined && CONTEXT_PATTERN.test(f.message)) {
    return 'context_length_exceeded';
  }
  // A mid-stream error without a status: the deployment failed, another one may not.
  if (status === undefined) return 'upstream_error';
  return codeForUpstreamStatus(status);
}

/**
 * @param status the HTTP status, or undefined for an error payload inside a 200 stream.
 */
export function errorFromBody(body: unknown, rawText: string, status: number | undefined, headers: Headers): GatewayError {
  const f = extract(body);
  const effective = status ?? f.status;
  const code = refine(effective, f);
  const fallback = rawText.trim() === '' ? 'no body' : rawText.trim().slice(0, 500);
  const message = f.message ? f.message : `upstream returned HTTP ${effective ?? 'error'}: ${fallback}`;
  const upstreamType = f.code ?? f.type;
  const retryAfterMs = parseRetryAfter(headers);
  return new GatewayError(code, message, {
    upstream: {
      status: status ?? 200,
      body: body ?? rawText,
      ...(upstreamType !== undefined ? { type: upstreamType } : {}),
    },
    ...(f.param !== undefined ? { param: f.param } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

export function parseError(text: string, meta: UpstreamResponseMeta): GatewayError {
  return errorFromBody(tryParseJson(text), text, meta.status, meta.headers);
}
