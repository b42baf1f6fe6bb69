// Non-streaming GenerateContentResponse -> CanonicalResponse.
import { mintCallId } from './call-id.js';
import { randomUUID } from 'node:crypto';
import { GatewayError } from '../../spec/index.js';
import type { CanonicalResponse, UpstreamResponseMeta } from '../../spec/index.js';
import { arr, isObject, str } from '../shared/json.js';
import { candidateItems, createdFrom, mapFinishReason, mapUsage } from './map-response.js';

export function parseGeminiResponse(json: unknown, meta: UpstreamResponseMeta): CanonicalResponse {
  if (!isObject(json)) {
    throw new GatewayError('upstream_protocol', 'Gemini response is not a JSON object', { upstream: { status: meta.status, body: json } });
  }
  const candidate = arr(json.candidates)[0];
  const content: CanonicalResponse['content'] = [];
  let calls = 0;
  for (const item of candidateItems(candidate)) {
    const last = content[content.length - 1];
    if (item.kind === 'text') {
      if (last?.type === 'text') last.text += item.text;
      else content.push({ type: 'text', text: item.text });
    } else if (item.kind === 'reasoning') {
      const part: CanonicalResponse['content'][number] = { type: 'reasoning', text: item.text };
      if (item.signature !== undefined) part.signature = item.signature;
      content.push(part);
    } else {
      const part: CanonicalResponse['content'][number] = { type: 'tool-call', id: mintCallId(item.signature), name: item.name, arguments: item.args };
      calls++;
      if (item.signature !== undefined) part.signature = item.signature;
      content.push(part);
    }
  }

  const out: CanonicalResponse = {
    id: str(json.responseId) ?? `gemini-${randomUUID()}`,
    model: str(json.modelVersion) ?? '',
    created: createdFrom(meta.headers.date),
    content,
    finishReason: 'other',
  };
  const raw = isObject(candidate) ? str(candidate.finishReason) : undefined;
  const blockReason = isObject(json.promptFeedback) ? str(json.promptFeedback.blockReason) : undefined;
  if (raw !== undefined) {
    out.finishReason = mapFinishReason(raw, calls > 0);
    out.rawFinishReason = raw;
  } else if (blockReason !== undefined) {
    // The prompt itself was blocked: no candidates at all.
    out.finishReason = 'content-filter';
    out.rawFinishReason = blockReason;
  } else if (calls > 0) out.finishReason = 'tool-calls';
  const usage = mapUsage(json.usageMetadata);
  if (usage) out.usage = usage;
  const metadata: Record<string, unknown> = {};
  if (isObject(candidate) && candidate.safetyRatings !== undefined) metadata.safetyRatings = candidate.safetyRatings;
  if (isObject(candidate) && candidate.groundingMetadata !== undefined) metadata.groundingMetadata = candidate.groundingMetadata;
  if (json.promptFeedback !== undefined) metadata.promptFeedback = json.promptFeedback;
  if (Object.keys(metadata).length > 0) out.providerMetadata = { gemini: metadata };
  return out;
}
