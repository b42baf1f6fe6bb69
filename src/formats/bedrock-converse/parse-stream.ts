// ConverseStream (binary eventstream) -> CanonicalEvent stream.
import { randomUUID } from 'node:crypto';
import { toUtf8 } from '@smithy/util-utf8';
import type { CanonicalEvent, ParseStreamContext } from '../../spec/index.js';
import { isObject, str, tryParseJson } from '../shared/json.js';
import { protocolErrorEvent, readFailedEvent } from '../shared/stream-errors.js';
import { decodeEventStream, EventStreamFramingError } from './eventstream.js';
import type { EventStreamMessage } from './eventstream.js';
import { bedrockError, normalizeErrorType } from './errors.js';
import { mapStopReason, mapUsage, stopSequenceOf } from './map-response.js';

const CONVERSE_EVENTS: ReadonlySet<string> = new Set(['messageStart', 'contentBlockStart', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata']);

export async function* parseBedrockStream(body: AsyncIterable<Uint8Array>, ctx: ParseStreamContext): AsyncGenerator<CanonicalEvent> {
  const state = new StreamState(ctx.model);
  try {
    for await (const msg of decodeEventStream(body)) {
      for (const ev of state.message(msg)) {
        yield ev;
        if (ev.type === 'error') return;
      }
    }
  } catch (e) {
    if (e instanceof EventStreamFramingError) yield protocolErrorEvent(e.message, e);
    else yield readFailedEvent('Bedrock', e);
    return;
  }
  yield* state.end();
}

class StreamState {
  private started = false;
  private finished = false;
  private calls = 0;
  /** contentBlockIndex -> tool-call ordinal. */
  private readonly toolBlocks = new Map<number, number>();

  constructor(private readonly model: string) {}

  *message(msg: EventStreamMessage): Generator<CanonicalEvent> {
    const kind = str(msg.headers[':message-type']);
    const text = toUtf8(msg.body);
    const payload = tryParseJson(text);
    if (kind === 'exception') {
      const type = normalizeErrorType(str(msg.headers[':exception-type']));
      const message = (isObject(payload) ? (str(payload.message) ?? str(payload.Message)) : undefined) ?? type ?? 'Bedrock stream exception';
      yield { type: 'error', error: bedrockError(type, message, 200, {}, payload ?? text) };
      return;
    }
    if (kind === 'error') {
      const type = normalizeErrorType(str(msg.headers[':error-code']));
      const message = str(msg.headers[':error-message']) ?? 'Bedrock stream error';
      yield { type: 'error', error: bedrockError(type, message, 200, {}, payload ?? text) };
      return;
    }
    if (kind !== 'event') return;
    if (!isObject(payload)) {
      yield protocolErrorEvent(`Bedrock event payload is not a JSON object: ${text.slice(0, 200)}`);
      return;
    }
    yield* this.event(str(msg.headers[':event-type']) ?? '', payload);
  }

  private *start(): Generator<CanonicalEvent> {
    if (this.started) return;
    this.started = true;
    // ConverseStream carries no message id; one is made up so clients get a stable one.
    yield { type: 'message-start', id: `bedrock-${randomUUID()}`, model: this.model, created: Math.floor(Date.now() / 1000) };
  }

  private *event(type: string, p: Record<string, unknown>): Generator<CanonicalEvent> {
    // An event type ConverseStream does not have is not an answer: it must not start a message.
    if (!CONVERSE_EVENTS.has(type)) return;
    yield* this.start();
    switch (type) {
      case 'contentBlockStart': {
        const tu = isObject(p.start) && isObject(p.start.toolUse) ? p.start.toolUse : undefined;
        if (!tu) return;
        const index = this.calls++;
        this.toolBlocks.set(Number(p.contentBlockIndex), index);
        yield { type: 'tool-call-start', index, id: str(tu.toolUseId) ?? '', name: str(tu.name) ?? '' };
        return;
      }
      case 'contentBlockDelta': {
        const d = isObject(p.delta) ? p.delta : {};
        const text = str(d.text);
        if (text !== undefined) {
          if (text !== '') yield { type: 'text-delta', text };
        } else if (isObject(d.toolUse)) {
          const index = this.toolBlocks.get(Number(p.contentBlockIndex));
          const input = str(d.toolUse.input);
          if (index === undefined) yield protocolErrorEvent('Bedrock toolUse delta without a contentBlockStart');
          else if (input !== undefined && input !== '') yield { type: 'tool-call-delta', index, argumentsDelta: input };
        } else if (isObject(d.reasoningContent)) {
          const rc = d.reasoningContent;
          const rText = str(rc.text);
          const signature = str(rc.signature);
          const redacted = str(rc.redactedContent);
          if (rText !== undefined && rText !== '') yield { type: 'reasoning-delta', text: rText };
          if (signature !== undefined) yield { type: 'reasoning-delta', text: '', signature };
          if (redacted !== undefined) yield { type: 'reasoning-delta', text: '', redacted };
        }
        return;
      }
      case 'messageStop': {
        if (this.finished) return;
        this.finished = true;
        const raw = str(p.stopReason) ?? '';
        const finish: CanonicalEvent = { type: 'finish', reason: mapStopReason(raw), raw };
        const stopSequence = stopSequenceOf(p.additionalModelResponseFields);
        if (stopSequence !== undefined) finish.stopSequence = stopSequence;
        yield finish;
        return;
      }
      case 'metadata': {
        // Arrives after messageStop; the canonical contract allows usage after finish.
        const usage = mapUsage(p.usage);
        if (usage) yield { type: 'usage', usage };
        return;
      }
      default:
        // messageStart, contentBlockStop and future event types carry nothing to translate.
        return;
    }
  }

  *end(): Generator<CanonicalEvent> {
    if (!this.started) yield protocolErrorEvent('Bedrock stream ended without a ConverseStream event (events of another type, or none)');
    else if (!this.finished) yield protocolErrorEvent('Bedrock stream ended without messageStop');
  }
}
