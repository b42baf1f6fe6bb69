// Gemini's own prompt-token count (`models/{model}:countTokens`). Google AI takes the whole
// generate request wrapped as `generateContentRequest` (so the system instruction and tools are
// counted); Vertex takes contents, systemInstruction and tools at the top level.
import type { CanonicalRequest, EgressTarget, UpstreamRequest } from '../../spec/index.js';
import { buildGeminiRequest, buildUrl, isVertex } from './build-request.js';

const COUNTED_FIELDS = ['contents', 'systemInstruction', 'tools'] as const;

export function buildGeminiCountTokensRequest(req: CanonicalRequest, target: EgressTarget): UpstreamRequest {
  const up = buildGeminiRequest({ ...req, stream: false }, target);
  const full = JSON.parse(up.body as string) as Record<string, unknown>;
  const counted: Record<string, unknown> = {};
  for (const f of COUNTED_FIELDS) if (full[f] !== undefined) counted[f] = full[f];
  const body = isVertex(target) ? counted : { generateContentRequest: { model: `models/${target.model}`, ...counted } };
  return { ...up, url: buildUrl(target, 'countTokens', {}), body: JSON.stringify(body) };
}

export function parseGeminiCountTokensResponse(json: unknown): number | undefined {
  const n = (json as { totalTokens?: unknown } | null)?.totalTokens;
  return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : undefined;
}
