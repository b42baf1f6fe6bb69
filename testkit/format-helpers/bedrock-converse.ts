// Test-only helpers for the bedrock-converse format tests; the generic ones live in ./stream.ts.
import { codec } from '../../src/formats/bedrock-converse/eventstream.js';

export { chunksOf, randomChunks, collect, normalize, pick } from './stream.js';

const str = (value: string) => ({ type: 'string' as const, value });

/** Encodes one ConverseStream event frame, as Bedrock sends it. */
export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: { ':event-type': str(eventType), ':content-type': str('application/json'), ':message-type': str('event') },
    body: new TextEncoder().encode(JSON.stringify(payload)),
  });
}

export function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: { ':exception-type': str(exceptionType), ':content-type': str('application/json'), ':message-type': str('exception') },
    body: new TextEncoder().encode(JSON.stringify({ message })),
  });
}

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Merges runs of text/reasoning deltas so long streams can be asserted readably. */
export function summarize(events: unknown[]): unknown[] {
  const out: Array<Record<string, unknown>> = [];
  for (const raw of events) {
    const e = raw as Record<string, unknown>;
    const last = out[out.length - 1];
    const plainReasoning = e.type === 'reasoning-delta' && e.signature === undefined && e.redacted === undefined;
    if (e.type === 'text-delta' || plainReasoning) {
      if (last && last.type === e.type && last.merged !== undefined) {
        last.text = String(last.text) + String(e.text);
        last.merged = Number(last.merged) + 1;
        continue;
      }
      out.push({ type: e.type, text: e.text, merged: 1 });
      continue;
    }
    out.push(e);
  }
  return out;
}
