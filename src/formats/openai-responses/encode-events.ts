// Ingress streaming: canonical events -> Responses API typed SSE events, in the order the
// official SDK's accumulator (openai `responses.stream()`) and @ai-sdk/openai expect:
//   response.created, response.in_progress,
//   per output item: output_item.added, (content_part.added, output_text.delta..., output_text.done,
//     content_part.done | reasoning_summary_part.added, reasoning_summary_text.delta..., *.done |
//     function_call_arguments.delta..., function_call_arguments.done), output_item.done
//   response.completed | response.incomplete (the full response, usage included).
// A mid-stream error becomes `error` then `response.failed`, as the real API sends them.
// Canonical events carry no item boundaries: an item opens when the kind of content changes.
// Function calls may interleave (parallel calls), so they stay open until other content starts.
import type { CanonicalEvent, FinishReason, Usage } from '../../spec/canonical.js';
import { GatewayError, isGatewayError } from '../../spec/errors.js';
import type { EncodeContext } from '../../spec/wire.js';
import { sseFrame } from '../shared/sse.js';
import { mergeUsage } from '../shared/merge-usage.js';
import { REDACTED_PREFIX } from './convert-input.js';
import { responsesErrorObject } from './encode-error.js';
import { itemId, responseId } from './ids.js';
import {
  DEFAULT_ECHO,
  responseObject,
  statusFor,
  type FunctionCallOutputItem,
  type MessageOutputItem,
  type OutputItem,
  type ReasoningOutputItem,
  type ResponseEcho,
  type ResponseObject,
  type ResponseStatus,
} from './response-object.js';

export interface StreamEncodeOptions {
  echo?: ResponseEcho;
  /** Called once with the final response when the stream completes (not when it fails). */
  onResponse?: (response: ResponseObject) => void;
}

type OpenItem =
  | { kind: 'text'; index: number; item: MessageOutputItem }
  | { kind: 'reasoning'; index: number; item: ReasoningOutputItem; text: string; summaryOpen: boolean };

interface OpenTool {
  index: number;
  item: FunctionCallOutputItem;
  open: boolean;
}

export async function* encodeEvents(events: AsyncIterable<CanonicalEvent>, ctx: EncodeContext, opts: StreamEncodeOptions = {}): AsyncGenerator<string> {
  const id = responseId(ctx.requestId);
  const echo = opts.echo ?? DEFAULT_ECHO;
  const output: OutputItem[] = [];
  let seq = 0;
  let open: OpenItem | undefined;
  const tools = new Map<number, OpenTool>();
  let usage: Usage | undefined;
  let finish: FinishReason | undefined;

  const frame = (type: string, payload: Record<string, unknown>) => sseFrame(JSON.stringify({ type, sequence_number: seq++, ...payload }), type);
  const snapshot = (status: ResponseStatus, extra: { incomplete?: { reason: string } | null; error?: { code: string; message: string } } = {}) => {
    const fields: Parameters<typeof responseObject>[0] = { id, createdAt: ctx.created, model: ctx.model, status, output: status === 'in_progress' ? [] : output, echo };
    if (extra.incomplete !== undefined) fields.incompleteDetails = extra.incomplete;
    if (extra.error !== undefined) fields.error = extra.error;
    if (usage !== undefined && status !== 'in_progress') fields.usage = usage;
    return responseObject(fields);
  };
  const ids = (index: number, item: OutputItem) => ({ item_id: item.id, output_index: index });

  function* closeOpen(): Generator<string> {
    const o = open;
    if (o === undefined) return;
    open = undefined;
    if (o.kind === 'text') {
      const part = o.item.content[0]!;
      yield frame('response.output_text.done', { ...ids(o.index, o.item), content_index: 0, text: part.text, logprobs: [] });
      yield frame('response.content_part.done', { ...ids(o.index, o.item), content_index: 0, part });
      o.item.status = 'completed';
    } else if (o.summaryOpen) {
      const part = { type: 'summary_text' as const, text: o.text };
      yield frame('response.reasoning_summary_text.done', { ...ids(o.index, o.item), summary_index: 0, text: o.text });
      yield frame('response.reasoning_summary_part.done', { ...ids(o.index, o.item), summary_index: 0, part });
      o.item.summary = [part];
    }
    yield frame('response.output_item.done', { output_index: o.index, item: o.item });
  }

  function* closeTools(): Generator<string> {
    for (const t of tools.values()) {
      if (!t.open) continue;
      t.open = false;
      yield frame('response.function_call_arguments.done', { ...ids(t.index, t.item), name: t.item.name, arguments: t.item.arguments });
      t.item.status = 'completed';
      yield frame('response.output_item.done', { output_index: t.index, item: t.item });
    }
  }

  function* addItem(item: OutputItem): Generator<string> {
    output.push(item);
    yield frame('response.output_item.added', { output_index: output.length - 1, item });
  }

  function* failed(error: GatewayError): Generator<string> {
    const obj = responsesErrorObject(error);
    yield frame('error', { error: obj });
    yield frame('response.failed', { response: snapshot('failed', { error: { code: obj.code, message: obj.message } }) });
  }

  yield frame('response.created', { response: snapshot('in_progress') });
  yield frame('response.in_progress', { response: snapshot('in_progress') });

  try {
    for await (const e of events) {
      switch (e.type) {
        case 'message-start':
          break;
        case 'usage':
          usage = mergeUsage(usage, e.usage);
          break;
        case 'finish':
          finish = e.reason;
          break;
        case 'text-delta': {
          if (e.text === '') break;
          if (open?.kind !== 'text') {
            yield* closeOpen();
            yield* closeTools();
            const index = output.length;
            const item: MessageOutputItem = { type: 'message', id: itemId(id, 'msg', index), role: 'assistant', status: 'in_progress', content: [] };
            yield* addItem(item);
            const part = { type: 'output_text' as const, text: '', annotations: [], logprobs: [] };
            yield frame('response.content_part.added', { ...ids(index, item), content_index: 0, part });
            item.content.push(part);
            open = { kind: 'text', index, item };
          }
          open.item.content[0]!.text += e.text;
          yield frame('response.output_text.delta', { ...ids(open.index, open.item), content_index: 0, delta: e.text, logprobs: [] });
          break;
        }
        case 'reasoning-delta': {
          if (e.redacted !== undefined) {
            yield* closeOpen();
            yield* closeTools();
            const index = output.length;
            const item: ReasoningOutputItem = { type: 'reasoning', id: itemId(id, 'rs', index), summary: [], encrypted_content: REDACTED_PREFIX + e.redacted };
            yield* addItem(item);
            yield frame('response.output_item.done', { output_index: index, item });
            break;
          }
          if (e.text === '' && (e.signature === undefined || e.signature === '')) break;
          // A signature seals a reasoning block; reasoning after it is a new item.
          if (open?.kind !== 'reasoning' || open.item.encrypted_content !== undefined) {
            yield* closeOpen();
            yield* closeTools();
            const index = output.length;
            const item: ReasoningOutputItem = { type: 'reasoning', id: itemId(id, 'rs', index), summary: [] };
            yield* addItem(item);
            open = { kind: 'reasoning', index, item, text: '', summaryOpen: false };
          }
          const r = open;
          if (e.text !== '') {
            if (!r.summaryOpen) {
              r.summaryOpen = true;
              yield frame('response.reasoning_summary_part.added', { ...ids(r.index, r.item), summary_index: 0, part: { type: 'summary_text', text: '' } });
            }
            r.text += e.text;
            yield frame('response.reasoning_summary_text.delta', { ...ids(r.index, r.item), summary_index: 0, delta: e.text });
          }
          if (e.signature !== undefined && e.signature !== '') r.item.encrypted_content = e.signature;
          break;
        }
        case 'tool-call-start': {
          if (tools.has(e.index)) break;
          yield* closeOpen();
          const index = output.length;
          const item: FunctionCallOutputItem = { type: 'function_call', id: itemId(id, 'fc', index), call_id: e.id, name: e.name, arguments: '', status: 'in_progress' };
          tools.set(e.index, { index, item, open: true });
          yield* addItem(item);
          break;
        }
        case 'tool-call-delta': {
          const t = tools.get(e.index);
          // Arguments for a call that never started, or was closed, cannot be expressed.
          if (t === undefined || !t.open || e.argumentsDelta === '') break;
          t.item.arguments += e.argumentsDelta;
          yield frame('response.function_call_arguments.delta', { ...ids(t.index, t.item), delta: e.argumentsDelta });
          break;
        }
        case 'error':
          yield* failed(e.error);
          return;
      }
    }
  } catch (err) {
    yield* failed(isGatewayError(err) ? err : new GatewayError('internal_error', 'stream failed', { cause: err }));
    return;
  }

  yield* closeOpen();
  yield* closeTools();
  const { status, incomplete_details } = statusFor(finish);
  if (status === 'incomplete') for (const item of output) if (item.type !== 'reasoning') item.status = 'incomplete';
  const final = snapshot(status, { incomplete: incomplete_details });
  yield frame(status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response: final });
  opts.onResponse?.(final);
}
