// Converse (non-streaming) response -> CanonicalResponse.
import { randomUUID } from 'node:crypto';
import { GatewayError } from '../../spec/index.js';
import type { CanonicalResponse, ReasoningPart, UpstreamResponseMeta } from '../../spec/index.js';
import { arr, isObject, str } from '../shared/json.js';
import { mapStopReason, mapUsage, stopSequenceOf } from './map-response.js';

export function parseBedrockResponse(json: unknown, meta: UpstreamResponseMeta): CanonicalResponse {
  const message = isObject(json) && isObject(json.output) && isObject(json.output.message) ? json.output.message : undefined;
  if (!isObject(json) || message === undefined) {
    throw new GatewayError('upstream_protocol', 'Bedrock Converse response has no output.message', { upstream: { status: meta.status, body: json } });
  }
  const content: CanonicalResponse['content'] = [];
  for (const block of arr(message.content)) {
    if (!isObject(block)) continue;
    const text = str(block.text);
    if (text !== undefined) {
      if (text !== '') content.push({ type: 'text', text });
    } else if (isObject(block.toolUse)) {
      const tu = block.toolUse;
      content.push({ type: 'tool-call', id: str(tu.toolUseId) ?? '', name: str(tu.name) ?? '', arguments: JSON.stringify(tu.input ?? {}) });
    } else if (isObject(block.reasoningContent)) {
      const rc = block.reasoningContent;
      const part: ReasoningPart = { type: 'reasoning', text: '' };
      if (isObject(rc.reasoningText)) {
        part.text = str(rc.reasoningText.text) ?? '';
        const sig = str(rc.reasoningText.signature);
        if (sig !== undefined) part.signature = sig;
      }
      const redacted = str(rc.redactedContent);
      if (redacted !== undefined) part.redacted = redacted;
      content.push(part);
    }
  }
  const requestId = meta.headers['x-amzn-requestid'];
  const raw = str(json.stopReason) ?? '';
  const out: CanonicalResponse = {
    id: (Array.isArray(requestId) ? requestId[0] : requestId) ?? `bedrock-${randomUUID()}`,
    // Converse does not echo the model; the gateway knows which deployment it called.
    model: '',
    created: Math.floor(Date.now() / 1000),
    content,
    finishReason: mapStopReason(raw),
    rawFinishReason: raw,
  };
  const stopSequence = stopSequenceOf(json.additionalModelResponseFields);
  if (stopSequence !== undefined) out.stopSequence = stopSequence;
  const usage = mapUsage(json.usage);
  if (usage) out.usage = usage;
  const metadata: Record<string, unknown> = {};
  if (json.metrics !== undefined) metadata.metrics = json.metrics;
  if (json.trace !== undefined) metadata.trace = json.trace;
  if (Object.keys(metadata).length > 0) out.providerMetadata = { 'bedrock-converse': metadata };
  return out;
}
