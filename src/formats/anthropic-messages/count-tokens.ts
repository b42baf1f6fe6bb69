// /v1/messages/count_tokens: the same body as /v1/messages minus max_tokens and stream.
import type { CanonicalRequest, IngressLimits } from '../../spec/index.js';
import { decodeBody } from './decode-request.js';

export function decodeCountTokensRequest(body: unknown, limits?: IngressLimits): CanonicalRequest {
  return { ...decodeBody(body, false, limits), stream: false };
}

export function encodeCountTokensResponse(inputTokens: number): { input_tokens: number } {
  return { input_tokens: inputTokens };
}
