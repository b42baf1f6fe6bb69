// Egress: an Anthropic (non-streaming) message body to a CanonicalResponse.
import type { CanonicalResponse, UpstreamResponseMeta } from '../../spec/index.js';
import { GatewayError } from '../../spec/index.js';
import { arr, isObject, str } from '../shared/json.js';
import { finishFromStopReason } from './stop-reason.js';
import { completeUsage, usageFromAnthropic } from './usage.js';

/** Anthropic has no `created`; the HTTP Date header is the closest server-side time. */
export function createdFrom(meta: UpstreamResponseMeta | undefined): number {
  const d = meta?.headers.date;
  const parsed = Date.parse(Array.isArray(d) ? (d[0] ?? '') : (d ?? ''));
  return Math.floor((Number.isNaN(parsed) ? Date.now() : parsed) / 1000);
}

export function parseResponse(json: unknown, meta: UpstreamResponseMeta): CanonicalResponse {
  if (!isObject(json) || !Array.isArray(json.content)) {
    throw new GatewayError('upstream_protocol', 'Anthropic response is not a message (no content array)', {
      upstream: { status: meta.status, body: json },
    });
  }
  const content: CanonicalResponse['content'] = [];
  // Server-tool blocks (web search results etc.) have no canonical form; kept, not dropped.
  const other: unknown[] = [];
  for (const b of arr(json.content)) {
    if (!isObject(b)) continue;
    switch (b.type) {
      case 'text':
        content.push({ type: 'text', text: str(b.text) ?? '' });
        break;
      case 'thinking': {
        const signature = str(b.signature);
        content.push({ type: 'reasoning', text: str(b.thinking) ?? '', ...(signature ? { signature } : {}) });
        break;
      }
      case 'redacted_thinking':
        content.push({ type: 'reasoning', text: '', redacted: str(b.data) ?? '' });
        break;
      case 'tool_use':
        content.push({ type: 'tool-call', id: str(b.id) ?? '', name: str(b.name) ?? '', arguments: JSON.stringify(b.input ?? {}) });
        break;
      default:
        other.push(b);
    }
  }
  const raw = str(json.stop_reason);
  const stopSequence = str(json.stop_sequence);
  const out: CanonicalResponse = {
    id: str(json.id) ?? '',
    model: str(json.model) ?? '',
    created: createdFrom(meta),
    content,
    finishReason: finishFromStopReason(raw),
  };
  if (raw !== undefined) out.rawFinishReason = raw;
  if (stopSequence !== undefined) out.stopSequence = stopSequence;
  if (json.usage !== undefined) out.usage = completeUsage(usageFromAnthropic(json.usage));
  if (other.length > 0) out.providerMetadata = { 'anthropic-messages': { otherContent: other } };
  return out;
}
