// /v1/messages/count_tokens: the same body as /v1/messages minus max_tokens and stream.
import type { CanonicalRequest, EgressTarget, IngressLimits, UpstreamRequest } from '../../spec/index.js';
import { buildRequest } from './build-request.js';
import { decodeBody } from './decode-request.js';

export function decodeCountTokensRequest(body: unknown, limits?: IngressLimits): CanonicalRequest {
  return { ...decodeBody(body, false, limits), stream: false };
}

export function encodeCountTokensResponse(inputTokens: number): { input_tokens: number } {
  return { input_tokens: inputTokens };
}

// Egress: Anthropic's own count (POST {base}/messages/count_tokens). It takes the Messages body's
// prompt fields only; sampling and output fields are rejected there, so they are left out.
const COUNTED_FIELDS = ['model', 'system', 'messages', 'tools', 'tool_choice', 'thinking'] as const;

export function buildCountTokensRequest(req: CanonicalRequest, target: EgressTarget): UpstreamRequest {
  const up = buildRequest({ ...req, stream: false }, target);
  const full = JSON.parse(up.body as string) as Record<string, unknown>;
  const body: Record<string, unknown> = {};
  for (const f of COUNTED_FIELDS) if (full[f] !== undefined) body[f] = full[f];
  const url = new URL(up.url);
  url.pathname = `${url.pathname}/count_tokens`;
  return { ...up, url: url.toString(), body: JSON.stringify(body) };
}

export function parseCountTokensResponse(json: unknown): number | undefined {
  const n = (json as { input_tokens?: unknown } | null)?.input_tokens;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}
