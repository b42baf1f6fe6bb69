// streamGenerateContent?alt=sse -> CanonicalEvent stream. Every chunk is a full
// GenerateContentResponse carrying only the new parts and the cumulative usageMetadata.
import { mintCallId } from './call-id.js';
import { randomUUID } from 'node:crypto';
import type { CanonicalEvent, FinishReason, ParseStreamContext, Usage } from '../../spec/index.js';
import { parseSse } from '../shared/sse.js';
import { arr, isObject, str, tryParseJson } from '../shared/json.js';
import { protocolErrorEvent, readFailedEvent } from '../shared/stream-errors.js';
import { candidateItems, mapFinishReason, mapUsage } from './map-response.js';
import { googleError } from './errors.js';

export async function* parseGeminiStream(body: AsyncIterable<Uint8Array>, ctx: ParseStreamContext): AsyncGenerator<CanonicalEvent> {
  const state = new StreamState(ctx.model);
  try {
    for await (const sse of parseSse(body)) {
      const data = sse.data.trim();
      if (data === '' || data === '[DONE]') continue;
      const json = tryParseJson(data);
      if (!isObject(json)) {
        yield protocolErrorEvent(`Gemini stream chunk is not a JSON object: ${data.slice(0, 200)}`);
        return;
      }
      for (const ev of state.chunk(json)) {
        yield ev;
        if (ev.type === 'error') return;
      }
    }
  } catch (e) {
    yield readFailedEvent('Gemini', e);
    return;
  }
  yield* state.end();
}

class StreamState {
  private started = false;
  private finished = false;
  private calls = 0;
  private lastUsage = '';

  constructor(private readonly model: string) {}

  *chunk(json: Record<string, unknown>): Generator<CanonicalEvent> {
    if (isObject(json.error)) {
      yield { type: 'error', error: googleError(json.error, 200, {}, json) };
      return;
    }
    // Valid JSON of another shape is not a chunk: it must not start (and so commit) a message.
    if (!Array.isArray(json.candidates) && !isObject(json.usageMetadata) && !isObject(json.promptFeedback)) return;
    if (!this.started) {
      this.started = true;
      yield {
        type: 'message-start',
        id: str(json.responseId) ?? `gemini-${randomUUID()}`,
        model: str(json.modelVersion) ?? this.model,
        created: Math.floor(Date.now() / 1000),
      };
    }
    const candidate = arr(json.candidates)[0];
    for (const item of candidateItems(candidate)) {
      if (item.kind === 'text') yield { type: 'text-delta', text: item.text };
      else if (item.kind === 'reasoning') {
        yield item.signature === undefined
          ? { type: 'reasoning-delta', text: item.text }
          : { type: 'reasoning-delta', text: item.text, signature: item.signature };
      } else {
        const index = this.calls++;
        const start: CanonicalEvent = { type: 'tool-call-start', index, id: mintCallId(item.signature), name: item.name };
        if (item.signature !== undefined) start.signature = item.signature;
        yield start;
        yield { type: 'tool-call-delta', index, argumentsDelta: item.args };
      }
    }
    const usage = mapUsage(json.usageMetadata);
    if (usage) yield* this.usage(usage);

    const raw = isObject(candidate) ? str(candidate.finishReason) : undefined;
    const blocked = isObject(json.promptFeedback) ? str(json.promptFeedback.blockReason) : undefined;
    if (raw !== undefined) yield* this.finish(mapFinishReason(raw, this.calls > 0), raw);
    else if (blocked !== undefined && candidate === undefined) yield* this.finish('content-filter', blocked);
  }

  /** Usage repeats on every chunk: only changes are emitted (later values win downstream). */
  private *usage(usage: Usage): Generator<CanonicalEvent> {
    const key = JSON.stringify(usage);
    if (key === this.lastUsage) return;
    this.lastUsage = key;
    yield { type: 'usage', usage };
  }

  private *finish(reason: FinishReason, raw: string): Generator<CanonicalEvent> {
    if (this.finished) return;
    this.finished = true;
    yield { type: 'finish', reason, raw };
  }

  *end(): Generator<CanonicalEvent> {
    if (!this.started) yield protocolErrorEvent('Gemini stream ended without a GenerateContentResponse chunk (events of another shape, or none)');
    else if (!this.finished) yield protocolErrorEvent('Gemini stream ended without a finish reason');
  }
}
