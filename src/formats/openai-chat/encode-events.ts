// Ingress: canonical events -> `chat.completion.chunk` SSE lines.
//
// Hot path: each chunk is one template string around a JSON.stringify of the only part that
// varies (the delta); the envelope (id, created, model) is serialised once per stream.
import type { CanonicalEvent, FinishReason, Usage } from '../../spec/canonical.js';
import { GatewayError, isGatewayError } from '../../spec/errors.js';
import type { EncodeContext } from '../../spec/wire.js';
import { completionId } from './completion-id.js';
import { errorObject } from './encode-error.js';
import { finishToOpenAi } from './finish-reason.js';
import { encodeUsage, mergeUsage } from './usage.js';

const DONE = 'data: [DONE]\n\n';
const OPEN_CHOICE = ',"logprobs":null,"finish_reason":null}]}\n\n';

export async function* encodeEvents(events: AsyncIterable<CanonicalEvent>, ctx: EncodeContext): AsyncGenerator<string> {
  const envelope = `{"id":${JSON.stringify(completionId(ctx.requestId))},"object":"chat.completion.chunk","created":${ctx.created},"model":${JSON.stringify(ctx.model)}`;
  const deltaHead = `data: ${envelope},"choices":[{"index":0,"delta":`;
  const delta = (json: string) => deltaHead + json + OPEN_CHOICE;

  let started = false;
  let finished = false;
  let usage: Usage | undefined;
  // Canonical index -> the index the client sees, assigned in order of first appearance so the
  // client always gets 0..n even if a producer skipped one.
  let toolIndex: Map<number, number> | undefined; // created on the first tool call

  const finishChunk = (reason: FinishReason, raw?: string) =>
    `${deltaHead}{},"logprobs":null,"finish_reason":"${finishToOpenAi(reason, raw)}"}]}\n\n`;

  try {
    for await (const e of events) {
      if (e.type === 'usage') {
        usage = mergeUsage(usage, e.usage);
        continue;
      }
      if (e.type === 'error') {
        yield errorFrame(e.error);
        return;
      }
      if (finished) continue;
      let out: string | undefined;
      switch (e.type) {
        case 'message-start':
          break;
        case 'text-delta':
          if (e.text !== '') out = delta(`{"content":${JSON.stringify(e.text)}}`);
          break;
        case 'reasoning-delta':
          if (e.text !== '') out = delta(`{"reasoning_content":${JSON.stringify(e.text)}}`);
          break;
        case 'tool-call-start': {
          if (toolIndex?.has(e.index)) break;
          const index = toolIndex?.size ?? 0;
          (toolIndex ??= new Map()).set(e.index, index);
          out = delta(`{"tool_calls":[{"index":${index},"id":${JSON.stringify(e.id)},"type":"function","function":{"name":${JSON.stringify(e.name)},"arguments":""}}]}`);
          break;
        }
        case 'tool-call-delta': {
          const index = toolIndex?.get(e.index);
          // Arguments for a call that never started cannot be expressed: the client needs its id.
          if (index !== undefined && e.argumentsDelta !== '') {
            out = delta(`{"tool_calls":[{"index":${index},"function":{"arguments":${JSON.stringify(e.argumentsDelta)}}}]}`);
          }
          break;
        }
        case 'finish':
          finished = true;
          if (!started) {
            started = true;
            yield delta('{"role":"assistant","content":""}');
          }
          yield finishChunk(e.reason, e.raw);
          continue;
      }
      if (!started) {
        started = true;
        yield delta('{"role":"assistant","content":""}');
      }
      if (out !== undefined) yield out;
    }
  } catch (err) {
    yield errorFrame(isGatewayError(err) ? err : new GatewayError('internal_error', 'stream failed', { cause: err }));
    return;
  }

  if (!finished) {
    // The producer ended without a finish event; close the choice so clients see a full stream.
    if (!started) yield delta('{"role":"assistant","content":""}');
    yield finishChunk(toolIndex !== undefined && toolIndex.size > 0 ? 'tool-calls' : 'stop');
  }
  if (ctx.includeUsage && usage !== undefined) {
    yield `data: ${envelope},"choices":[],"usage":${JSON.stringify(encodeUsage(usage))}}\n\n`;
  }
  yield DONE;
}

/** The openai SDK throws an APIError when a data payload has an `error` member. */
function errorFrame(error: GatewayError): string {
  return `data: ${JSON.stringify({ error: errorObject(error) })}\n\n`;
}
