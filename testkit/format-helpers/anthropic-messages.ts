// Test-only helpers for the anthropic-messages format tests (src/formats/anthropic-messages/).
import type { CanonicalEvent, EncodeContext, FinishReason, Usage } from '../../src/spec/index.js';

export const CTX: EncodeContext = { model: 'route-a', requestId: 'req_1', created: 1700000000 };

export async function* bytes(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield new TextEncoder().encode(p);
}

export async function* iter<T>(items: T[]): AsyncGenerator<T> {
  for (const x of items) yield x;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** `.chunks.txt` payloads framed the way Anthropic sends them (an `event:` line on each). */
export function frameChunks(payloads: unknown[]): string {
  return payloads.map((p) => `event: ${(p as { type: string }).type}\ndata: ${JSON.stringify(p)}\n\n`).join('');
}

export interface Folded {
  id?: string;
  text: string;
  reasoning: Array<{ text: string; signature?: string; redacted?: string }>;
  toolCalls: Array<{ index: number; id: string; name: string; arguments: string }>;
  usage?: Usage;
  finish?: { reason: FinishReason; raw?: string; stopSequence?: string };
  error?: { code: string; message: string; retryable: boolean };
  order: string[];
}

/** Folds a canonical event stream into what a consumer would end up with. */
export function fold(events: CanonicalEvent[]): Folded {
  const out: Folded = { text: '', reasoning: [], toolCalls: [], order: [] };
  let sealed = true;
  const kind = (k: string) => {
    if (out.order[out.order.length - 1] !== k) out.order.push(k);
  };
  for (const e of events) {
    switch (e.type) {
      case 'message-start':
        out.id = e.id;
        break;
      case 'text-delta':
        out.text += e.text;
        kind('text');
        sealed = true;
        break;
      case 'reasoning-delta': {
        if (e.redacted !== undefined) {
          out.reasoning.push({ text: '', redacted: e.redacted });
          kind('redacted');
          sealed = true;
          break;
        }
        if (sealed) {
          out.reasoning.push({ text: '' });
          sealed = false;
        }
        const r = out.reasoning[out.reasoning.length - 1]!;
        r.text += e.text;
        if (e.signature !== undefined) {
          r.signature = e.signature;
          sealed = true;
        }
        kind('reasoning');
        break;
      }
      case 'tool-call-start':
        out.toolCalls.push({ index: e.index, id: e.id, name: e.name, arguments: '' });
        kind(`tool:${e.index}`);
        sealed = true;
        break;
      case 'tool-call-delta':
        out.toolCalls.find((t) => t.index === e.index)!.arguments += e.argumentsDelta;
        break;
      case 'usage':
        out.usage = { ...out.usage, ...e.usage };
        break;
      case 'finish':
        out.finish = { reason: e.reason, ...(e.raw ? { raw: e.raw } : {}), ...(e.stopSequence ? { stopSequence: e.stopSequence } : {}) };
        break;
      case 'error':
        out.error = { code: e.error.code, message: e.error.message, retryable: e.error.retryable };
        break;
    }
  }
  return out;
}

/** Parses encoded SSE text back into `{event, data}` pairs (data JSON-parsed). */
export function sseEvents(text: string): Array<{ event: string; data: Record<string, unknown> }> {
  return text
    .split('\n\n')
    .filter((f) => f.trim() !== '')
    .map((f) => {
      const event = /^event: (.*)$/m.exec(f)?.[1] ?? '';
      const data = /^data: (.*)$/m.exec(f)?.[1] ?? '{}';
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}
