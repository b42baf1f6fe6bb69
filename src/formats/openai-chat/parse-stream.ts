// Egress: a Chat Completions SSE body -> canonical events, normalising the compatible servers'
// differences (see the fixtures' SOURCES.md "Quirks"):
// - tool calls without `index` (Mistral sends each call whole, in the finish chunk);
// - ids repeated as "" on later deltas, repeated `type`, trailing empty-arguments deltas (Qwen);
// - `reasoning` (Ollama) vs `reasoning_content` (DeepSeek, Qwen);
// - usage in the finish chunk (DeepSeek, Mistral) or in a later `choices: []` chunk (OpenAI, Qwen);
// - an `{"error":...}` payload mid-stream; a body that ends before any finish_reason.
import type { CanonicalEvent, FinishReason } from '../../spec/canonical.js';
import { GatewayError } from '../../spec/errors.js';
import type { ParseStreamContext } from '../../spec/wire.js';
import { arr, isObject, num, str, type JsonObject } from '../shared/json.js';
import { SseDecoder } from '../shared/sse.js';
import { finishFromOpenAi } from './finish-reason.js';
import { argumentsText, readContent, readReasoning } from './message-content.js';
import { errorFromBody } from './parse-error.js';
import { parseUsage } from './usage.js';

interface ToolSlot {
  index: number;
  id: string;
  name: string;
  started: boolean;
  /** Arguments that arrived before the call could start (no id or name yet). */
  pending: string;
}

class ToolCalls {
  readonly slots: ToolSlot[] = [];
  // Created on the first tool call: most streams have none.
  private byIndex: Map<number, ToolSlot> | undefined;
  private byId: Map<string, ToolSlot> | undefined;
  constructor(private readonly idPrefix: string) {}

  /** Applies one `tool_calls[]` entry; pushes the events it produces onto `out`. */
  apply(tc: JsonObject, position: number, out: CanonicalEvent[]): void {
    const providerIndex = typeof tc.index === 'number' ? tc.index : undefined;
    const id = str(tc.id) || undefined; // Qwen repeats "" on later deltas: never an id.
    let slot: ToolSlot | undefined;
    if (providerIndex !== undefined) {
      slot = this.byIndex?.get(providerIndex);
      // A server that reuses one index for distinct calls: a new id means a new call.
      if (slot && id !== undefined && slot.id !== '' && slot.id !== id) slot = undefined;
    } else if (id !== undefined) slot = this.byId?.get(id);
    else slot = this.slots[position];
    if (!slot) {
      slot = { index: this.slots.length, id: '', name: '', started: false, pending: '' };
      this.slots.push(slot);
    }
    if (providerIndex !== undefined) (this.byIndex ??= new Map()).set(providerIndex, slot);
    if (id !== undefined && slot.id === '') {
      slot.id = id;
      (this.byId ??= new Map()).set(id, slot);
    }
    const fn = isObject(tc.function) ? tc.function : undefined;
    const name = str(fn?.name);
    if (name && slot.name === '') slot.name = name;
    const args = argumentsText(fn?.arguments);
    if (!slot.started && slot.id !== '' && slot.name !== '') this.start(slot, out);
    if (args === '') return;
    if (slot.started) out.push({ type: 'tool-call-delta', index: slot.index, argumentsDelta: args });
    else slot.pending += args;
  }

  /** Starts every call still waiting for an id or a name; called before the finish event. */
  flush(out: CanonicalEvent[]): void {
    for (const slot of this.slots) if (!slot.started) this.start(slot, out);
  }

  private start(slot: ToolSlot, out: CanonicalEvent[]): void {
    slot.started = true;
    if (slot.id === '') slot.id = `call_${this.idPrefix}${slot.index}`;
    out.push({ type: 'tool-call-start', index: slot.index, id: slot.id, name: slot.name });
    if (slot.pending !== '') {
      out.push({ type: 'tool-call-delta', index: slot.index, argumentsDelta: slot.pending });
      slot.pending = '';
    }
  }
}

function firstChoice(chunk: JsonObject): JsonObject | undefined {
  const choices = arr(chunk.choices);
  for (const c of choices) if (isObject(c) && (c.index === undefined || c.index === 0)) return c;
  return undefined;
}

function interrupted(message: string, cause?: unknown): CanonicalEvent {
  return { type: 'error', error: new GatewayError('stream_interrupted', message, cause === undefined ? {} : { cause }) };
}

/** A stream that was well framed but carried nothing of this protocol: not an empty success. */
function malformed(message: string): CanonicalEvent {
  return { type: 'error', error: new GatewayError('upstream_protocol', message) };
}

export async function* parseStream(body: AsyncIterable<Uint8Array>, ctx: ParseStreamContext): AsyncGenerator<CanonicalEvent> {
  let started = false;
  let finished = false;
  let sawDone = false;
  let produced = false; // any event past the message start
  let tools: ToolCalls | undefined;
  const out: CanonicalEvent[] = [];
  const sink = {
    text: (t: string) => void out.push({ type: 'text-delta', text: t }),
    reasoning: (t: string) => void out.push({ type: 'reasoning-delta', text: t }),
  };

  const sse = new SseDecoder();
  const chunks = body[Symbol.asyncIterator]();
  let drained = false;
  try {
    for (let r = await chunks.next(); ; r = await chunks.next()) {
      // One network chunk: every event it completes, without a promise hop per event.
      const evs = r.done ? sse.end() : sse.push(r.value);
      for (const ev of evs) {
        const data = ev.data;
        if (data === '[DONE]') {
          // Keep draining to the end of the body (it follows at once): breaking out would destroy
          // the upstream response mid-read, which costs an AbortError and its stack per stream.
          sawDone = true;
          continue;
        }
        if (sawDone) continue;
        if (data.trim() === '') continue;
        let chunk: unknown;
        try {
          chunk = JSON.parse(data);
        } catch {
          yield { type: 'error', error: new GatewayError('upstream_protocol', `upstream stream sent invalid JSON: ${data.slice(0, 200)}`) };
          return;
        }
        if (!isObject(chunk)) continue;
        if (chunk.error !== undefined && chunk.error !== null) {
          yield { type: 'error', error: errorFromBody(chunk, data, undefined, {}) };
          return;
        }
        // Valid JSON in the wrong shape is not a chunk: it neither starts the message (which
        // would commit the client's stream) nor counts as an answer.
        if (!Array.isArray(chunk.choices) && !isObject(chunk.usage)) continue;
        if (!started) {
          started = true;
          const id = str(chunk.id) ?? '';
          tools = new ToolCalls(id === '' ? '' : `${id}_`);
          yield { type: 'message-start', id, model: str(chunk.model) || ctx.model, created: num(chunk.created) ?? Math.floor(Date.now() / 1000) };
        }
        let finish: { reason: FinishReason; raw: string } | undefined;
        const choice = firstChoice(chunk);
        if (choice && !finished) {
          const delta = choice.delta;
          if (isObject(delta)) {
            const reasoning = readReasoning(delta);
            if (reasoning) out.push({ type: 'reasoning-delta', text: reasoning });
            const content = delta.content;
            if (typeof content === 'string') {
              if (content !== '') out.push({ type: 'text-delta', text: content });
            } else if (content !== undefined && content !== null) readContent(content, sink);
            const calls = delta.tool_calls;
            if (Array.isArray(calls)) {
              for (let i = 0; i < calls.length; i++) {
                const tc: unknown = calls[i];
                if (isObject(tc)) tools!.apply(tc, i, out);
              }
            }
          }
          const raw = str(choice.finish_reason);
          if (raw) {
            tools!.flush(out);
            finish = { reason: finishFromOpenAi(raw), raw };
          }
        }
        const usage = parseUsage(chunk.usage);
        if (usage) out.push({ type: 'usage', usage });
        if (finish) {
          finished = true;
          out.push({ type: 'finish', reason: finish.reason, raw: finish.raw });
        }
        if (out.length > 0) produced = true;
        for (let i = 0; i < out.length; i++) yield out[i]!;
        out.length = 0;
      }
      if (r.done) {
        drained = true;
        break;
      }
    }
  } catch (err) {
    drained = true; // the body failed: nothing left to release
    yield interrupted(`upstream stream failed: ${err instanceof Error ? err.message : String(err)}`, err);
    return;
  } finally {
    // Stopped early (an error chunk, or the consumer left): release the body, as for-await would.
    if (!drained) void chunks.return?.();
  }
  if (finished) return;
  if (!started) {
    yield malformed('upstream stream ended without a single chat.completion.chunk (events of another shape, or none)');
    return;
  }
  if (!produced) {
    yield malformed('upstream stream ended without any content, usage or finish_reason');
    return;
  }
  if (sawDone && tools) {
    // A server that ends properly with [DONE] but never says why: close the message anyway.
    tools.flush(out);
    for (const e of out) yield e;
    yield { type: 'finish', reason: tools.slots.length > 0 ? 'tool-calls' : 'stop' };
    return;
  }
  yield interrupted('upstream stream ended before a finish_reason');
}
