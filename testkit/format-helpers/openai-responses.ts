// Test-only helpers for the openai-responses format tests (src/formats/openai-responses/).
import assert from 'node:assert/strict';
import type { CanonicalEvent } from '../../src/spec/canonical.js';
import type { EncodeContext } from '../../src/spec/wire.js';
import { encodeEvents } from '../../src/formats/openai-responses/encode-events.js';
import type { ResponseObject } from '../../src/formats/openai-responses/response-object.js';

export const ctx: EncodeContext = { model: 'route-a', requestId: 'resp_abc', created: 1700000000 };

export async function* events(list: CanonicalEvent[]): AsyncGenerator<CanonicalEvent> {
  for (const e of list) yield e;
}

export async function sse(list: CanonicalEvent[], onResponse?: (r: ResponseObject) => void): Promise<string> {
  let out = '';
  for await (const s of encodeEvents(events(list), ctx, onResponse ? { onResponse } : {})) out += s;
  return out;
}

/** [event name, parsed data] per SSE frame. */
export function frames(text: string): Array<[string, Record<string, unknown>]> {
  return text
    .split('\n\n')
    .filter((f) => f !== '')
    .map((f) => {
      const [ev, data] = f.split('\n');
      assert.ok(ev!.startsWith('event: ') && data!.startsWith('data: '), f);
      return [ev!.slice(7), JSON.parse(data!.slice(6)) as Record<string, unknown>];
    });
}

