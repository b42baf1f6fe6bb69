// Egress streaming: Anthropic SSE to canonical events. Dispatches on the JSON `type` (the
// `event:` line is optional in recorded streams), tolerates padded JSON and `{"type": "ping"}`,
// and never emits an empty delta. `finish` is emitted at message_stop, so a stream cut off
// after message_delta ends in `stream_interrupted`, not in a finish that looks complete.
import type { CanonicalEvent, FinishReason, ParseStreamContext } from '../../spec/index.js';
import { GatewayError } from '../../spec/index.js';
import { isObject, num, str, tryParseJson } from '../shared/json.js';
import { parseSse } from '../shared/sse.js';
import { streamError } from './parse-error.js';
import { createdFrom } from './parse-response.js';
import { finishFromStopReason } from './stop-reason.js';
import { completeUsage, usageFromAnthropic } from './usage.js';

function numbers(u: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (!isObject(u)) return out;
  for (const [k, v] of Object.entries(u)) {
    const n = num(v);
    if (n !== undefined) out[k] = n;
  }
  return out;
}

function protocolError(message: string, body?: unknown): CanonicalEvent {
  return { type: 'error', error: new GatewayError('upstream_protocol', message, { upstream: { status: 200, body } }) };
}

export async function* parseStream(body: AsyncIterable<Uint8Array>, ctx: ParseStreamContext): AsyncGenerator<CanonicalEvent> {
  // Raw Anthropic counters, merged before conversion: message_delta may repeat input_tokens
  // without the cache fields, and the canonical sum must still include them.
  let rawUsage: Record<string, number> = {};
  let finish: { reason: FinishReason; raw?: string; stopSequence?: string } | undefined;
  // Anthropic block index -> canonical tool-call ordinal.
  const toolIndex = new Map<number, number>();
  let tools = 0;
  let started = false;
  let produced = false; // a text or thinking block or delta

  for await (const sse of parseSse(body)) {
    const data = tryParseJson(sse.data);
    if (!isObject(data)) {
      yield protocolError(`Anthropic stream: unparseable event data: ${sse.data.slice(0, 200)}`, sse.data);
      return;
    }
    const type = str(data.type) ?? sse.event;
    const index = num(data.index) ?? -1;
    switch (type) {
      case 'message_start': {
        const m = isObject(data.message) ? data.message : {};
        started = true;
        yield { type: 'message-start', id: str(m.id) ?? '', model: str(m.model) ?? ctx.model, created: createdFrom(undefined) };
        rawUsage = numbers(m.usage);
        if (rawUsage.input_tokens !== undefined) yield { type: 'usage', usage: completeUsage(usageFromAnthropic(rawUsage)) };
        break;
      }
      case 'content_block_start': {
        const b = isObject(data.content_block) ? data.content_block : {};
        if (b.type === 'text' || b.type === 'thinking' || b.type === 'redacted_thinking') produced = true;
        if (b.type === 'text') {
          const text = str(b.text) ?? '';
          if (text !== '') yield { type: 'text-delta', text };
        } else if (b.type === 'thinking') {
          const text = str(b.thinking) ?? '';
          const signature = str(b.signature) ?? '';
          if (text !== '' || signature !== '') yield { type: 'reasoning-delta', text, ...(signature === '' ? {} : { signature }) };
        } else if (b.type === 'redacted_thinking') {
          yield { type: 'reasoning-delta', text: '', redacted: str(b.data) ?? '' };
        } else if (b.type === 'tool_use') {
          const n = tools++;
          toolIndex.set(index, n);
          yield { type: 'tool-call-start', index: n, id: str(b.id) ?? '', name: str(b.name) ?? '' };
          // Streams send `input: {}` and the arguments as deltas; a non-empty input is the whole of them.
          if (isObject(b.input) && Object.keys(b.input).length > 0) {
            yield { type: 'tool-call-delta', index: n, argumentsDelta: JSON.stringify(b.input) };
          }
        }
        // Other block types (server tools) have no canonical form and are skipped.
        break;
      }
      case 'content_block_delta': {
        const d = isObject(data.delta) ? data.delta : {};
        if (d.type === 'text_delta' || d.type === 'thinking_delta' || d.type === 'signature_delta' || d.type === 'input_json_delta') produced = true;
        if (d.type === 'text_delta') {
          const text = str(d.text) ?? '';
          if (text !== '') yield { type: 'text-delta', text };
        } else if (d.type === 'thinking_delta') {
          const text = str(d.thinking) ?? '';
          if (text !== '') yield { type: 'reasoning-delta', text };
        } else if (d.type === 'signature_delta') {
          const signature = str(d.signature) ?? '';
          if (signature !== '') yield { type: 'reasoning-delta', text: '', signature };
        } else if (d.type === 'input_json_delta') {
          const part = str(d.partial_json) ?? '';
          const n = toolIndex.get(index);
          if (part !== '' && n !== undefined) yield { type: 'tool-call-delta', index: n, argumentsDelta: part };
        }
        break;
      }
      case 'message_delta': {
        const d = isObject(data.delta) ? data.delta : {};
        const raw = str(d.stop_reason);
        const stopSequence = str(d.stop_sequence);
        if (raw !== undefined) {
          finish = { reason: finishFromStopReason(raw), raw, ...(stopSequence === undefined ? {} : { stopSequence }) };
        }
        // message_delta counts are cumulative totals: they replace, field by field.
        rawUsage = { ...rawUsage, ...numbers(data.usage) };
        yield { type: 'usage', usage: completeUsage(usageFromAnthropic(rawUsage)) };
        break;
      }
      case 'message_stop':
        if (!started) {
          yield protocolError('Anthropic stream: message_stop before message_start');
          return;
        }
        if (finish === undefined && tools === 0 && !produced) {
          // Framed like a message, but nothing in it was Anthropic's: not an empty success.
          yield protocolError('Anthropic stream: message_stop without any content block or stop_reason');
          return;
        }
        yield { type: 'finish', ...(finish ?? { reason: 'other' }) };
        return;
      case 'error':
        yield { type: 'error', error: streamError(data) };
        return;
      default:
        // ping, content_block_stop and event types added later carry nothing we need.
        break;
    }
  }
  if (!started) {
    yield protocolError('Anthropic stream ended without a message_start (events of another shape, or none)');
    return;
  }
  yield {
    type: 'error',
    error: new GatewayError('stream_interrupted', 'Anthropic stream ended before message_stop', { upstream: { status: 200 } }),
  };
}
