// Ingress streaming: canonical events rendered as Anthropic SSE, in the exact order the
// official SDK's strict `messages.stream()` accumulator expects:
//   message_start, ping, (content_block_start, *_delta..., content_block_stop)*, message_delta, message_stop
// Canonical events carry no block boundaries, so a block opens whenever the kind of content
// changes (reasoning -> text -> tool call n) and the open block closes before the next starts.
import type { CanonicalEvent, EncodeContext, FinishReason, Usage } from '../../spec/index.js';
import type { GatewayError } from '../../spec/index.js';
import { sseFrame } from '../shared/sse.js';
import { messageId } from './encode-response.js';
import { stopReasonFromFinish } from './stop-reason.js';
import { usageToAnthropic } from './usage.js';

type OpenBlock =
  | { kind: 'text'; index: number }
  | { kind: 'thinking'; index: number; signed: boolean }
  | { kind: 'tool'; index: number; toolIndex: number };

function frame(type: string, payload: Record<string, unknown>): string {
  return sseFrame(JSON.stringify({ type, ...payload }), type);
}

export function encodeErrorEvent(error: GatewayError): string {
  return frame('error', { error: { type: error.anthropicType, message: error.callerMessage } });
}

export async function* encodeEvents(events: AsyncIterable<CanonicalEvent>, ctx: EncodeContext): AsyncGenerator<string> {
  let started = false;
  let startId: string | undefined;
  let usage: Partial<Usage> = {};
  let finish: { reason: FinishReason; raw?: string; stopSequence?: string } | undefined;
  let open: OpenBlock | undefined;
  let nextIndex = 0;
  let hasToolCalls = false;

  // message_start waits for the first content so that the input-token count, which an upstream
  // reports right after its own start event, can be shown in it.
  function* start(): Generator<string> {
    if (started) return;
    started = true;
    const message = {
      id: messageId(startId ?? ctx.requestId),
      type: 'message',
      role: 'assistant',
      model: ctx.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usageToAnthropic({ ...usage, outputTokens: usage.outputTokens ?? 0 }),
    };
    yield frame('message_start', { message });
    yield sseFrame('{"type": "ping"}', 'ping');
  }

  function* close(): Generator<string> {
    if (open === undefined) return;
    yield frame('content_block_stop', { index: open.index });
    open = undefined;
  }

  function* openBlock(block: OpenBlock, contentBlock: Record<string, unknown>): Generator<string> {
    yield* close();
    open = block;
    yield frame('content_block_start', { index: block.index, content_block: contentBlock });
  }

  for await (const ev of events) {
    switch (ev.type) {
      case 'message-start':
        if (!started) startId = ev.id;
        break;
      case 'usage':
        // Later values win field by field (the canonical contract).
        usage = { ...usage, ...ev.usage };
        break;
      case 'finish':
        // Held back: usage may still arrive after finish (OpenAI-style sources).
        finish = {
          reason: ev.reason,
          ...(ev.raw === undefined ? {} : { raw: ev.raw }),
          ...(ev.stopSequence === undefined ? {} : { stopSequence: ev.stopSequence }),
        };
        break;
      case 'text-delta':
        if (ev.text === '') break;
        yield* start();
        if (open?.kind !== 'text') yield* openBlock({ kind: 'text', index: nextIndex++ }, { type: 'text', text: '' });
        yield frame('content_block_delta', { index: open!.index, delta: { type: 'text_delta', text: ev.text } });
        break;
      case 'reasoning-delta': {
        if (ev.redacted !== undefined) {
          yield* start();
          yield* openBlock({ kind: 'thinking', index: nextIndex++, signed: true }, { type: 'redacted_thinking', data: ev.redacted });
          yield* close();
          break;
        }
        if (ev.text === '' && ev.signature === undefined) break;
        yield* start();
        // A signature seals a thinking block; reasoning after it belongs to a new block.
        if (open?.kind !== 'thinking' || open.signed) {
          yield* openBlock({ kind: 'thinking', index: nextIndex++, signed: false }, { type: 'thinking', thinking: '', signature: '' });
        }
        const block = open as Extract<OpenBlock, { kind: 'thinking' }>;
        if (ev.text !== '') yield frame('content_block_delta', { index: block.index, delta: { type: 'thinking_delta', thinking: ev.text } });
        if (ev.signature !== undefined && ev.signature !== '') {
          yield frame('content_block_delta', { index: block.index, delta: { type: 'signature_delta', signature: ev.signature } });
          block.signed = true;
        }
        break;
      }
      case 'tool-call-start':
        yield* start();
        hasToolCalls = true;
        yield* openBlock({ kind: 'tool', index: nextIndex++, toolIndex: ev.index }, { type: 'tool_use', id: ev.id, name: ev.name, input: {} });
        break;
      case 'tool-call-delta':
        if (ev.argumentsDelta === '') break;
        // Deltas for a call whose block is already closed cannot be expressed in this protocol.
        // Upstreams stream parallel calls one after another, so this does not happen in practice.
        if (open?.kind === 'tool' && open.toolIndex === ev.index) {
          yield frame('content_block_delta', { index: open.index, delta: { type: 'input_json_delta', partial_json: ev.argumentsDelta } });
        }
        break;
      case 'error':
        // The SDK turns `event: error` into an APIError; nothing may follow it.
        yield encodeErrorEvent(ev.error);
        return;
    }
  }

  yield* start();
  yield* close();
  const stopReason = stopReasonFromFinish(finish?.reason, {
    ...(finish?.raw === undefined ? {} : { raw: finish.raw }),
    ...(finish?.stopSequence === undefined ? {} : { stopSequence: finish.stopSequence }),
    hasToolCalls,
  });
  yield frame('message_delta', {
    delta: { stop_reason: stopReason, stop_sequence: stopReason === 'stop_sequence' ? (finish?.stopSequence ?? null) : null },
    usage: usageToAnthropic(usage),
  });
  yield frame('message_stop', {});
}
