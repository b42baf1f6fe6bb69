// /v1/messages/count_tokens: the same body as /v1/messages minus max_tokens and stream.
import type { CanonicalRequest } from '../../spec/index.js';
import { decodeBody } from './decode-request.js';

export function decodeCountTokensRequest(body: unknown): CanonicalRequest {
  return { ...decodeBody(body, false), stream: false };
}

export function encodeCountTokensResponse(inputTokens: number): { input_tokens: number } {
  return { input_tokens: inputTokens };
}
