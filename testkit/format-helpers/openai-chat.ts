// Test-only helpers for the openai-chat format tests (src/formats/openai-chat/).
import assert from 'node:assert/strict';
import { readChunks, readFixture } from '../fixtures.js';
import type { CanonicalEvent } from '../../src/spec/canonical.js';
import type { EncodeContext } from '../../src/spec/wire.js';
import { parseStream } from '../../src/formats/openai-chat/parse-stream.js';

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

export async function* bytes(...parts: Array<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  const enc = new TextEncoder();
  for (const p of parts) yield typeof p === 'string' ? enc.encode(p) : p;
}

/** `.chunks.txt` replay, as SOURCES.md describes it: `data: <line>` per payload, then [DONE]. */
export function chunksToSse(payloads: unknown[]): string {
  return payloads.map((p) => `data: ${JSON.stringify(p)}\n\n`).join('') + 'data: [DONE]\n\n';
}

export async function* events(list: CanonicalEvent[]): AsyncGenerator<CanonicalEvent> {
  for (const e of list) yield e;
}

export const ctx: EncodeContext = { model: 'route-a', requestId: 'req_1', created: 1700000000 };

/** Data payloads of an encoded SSE text, parsed. */
export function payloads(sse: string): unknown[] {
  return sse
    .split('\n\n')
    .filter((f) => f.startsWith('data: ') && f !== 'data: [DONE]')
    .map((f) => JSON.parse(f.slice(6)));
}

/** Text, reasoning and tool calls assembled from canonical events. */
export interface Assembled {
  id?: string;
  model?: string;
  text: string;
  reasoning: string;
  toolCalls: Array<{ index: number; id: string; name: string; arguments: string }>;
  finish?: CanonicalEvent & { type: 'finish' };
  usage?: CanonicalEvent & { type: 'usage' };
  errors: Array<CanonicalEvent & { type: 'error' }>;
}

export function assemble(list: CanonicalEvent[]): Assembled {
  const a: Assembled = { text: '', reasoning: '', toolCalls: [], errors: [] };
  for (const e of list) {
    switch (e.type) {
      case 'message-start':
        a.id = e.id;
        a.model = e.model;
        break;
      case 'text-delta':
        a.text += e.text;
        break;
      case 'reasoning-delta':
        a.reasoning += e.text;
        break;
      case 'tool-call-start':
        a.toolCalls[e.index] = { index: e.index, id: e.id, name: e.name, arguments: '' };
        break;
      case 'tool-call-delta': {
        const call = a.toolCalls[e.index];
        if (!call) throw new Error(`tool-call-delta for unstarted index ${e.index}`);
        call.arguments += e.argumentsDelta;
        break;
      }
      case 'usage':
        a.usage = e;
        break;
      case 'finish':
        a.finish = e;
        break;
      case 'error':
        a.errors.push(e);
        break;
    }
  }
  return a;
}

export async function replayChunks(rel: string): Promise<CanonicalEvent[]> {
  return collect(parseStream(bytes(chunksToSse(readChunks(rel))), { model: 'fallback-model' }));
}

export async function replaySse(rel: string): Promise<CanonicalEvent[]> {
  return collect(parseStream(bytes(new Uint8Array(readFixture(rel))), { model: 'fallback-model' }));
}

/** Invariants every parsed stream must hold, whatever the provider. */
export function assertWellFormed(evs: CanonicalEvent[]): void {
  assert.equal(evs[0]?.type, 'message-start');
  assert.equal(evs.filter((e) => e.type === 'finish').length, 1, 'exactly one finish');
  assert.equal(evs.filter((e) => e.type === 'message-start').length, 1);
  for (const e of evs) {
    if (e.type === 'text-delta' || e.type === 'reasoning-delta') assert.notEqual(e.text, '', 'no empty text deltas');
    if (e.type === 'tool-call-delta') assert.notEqual(e.argumentsDelta, '', 'no empty argument deltas');
    if (e.type === 'tool-call-start') assert.notEqual(e.id, '', 'tool call id never empty');
  }
  const starts = evs.filter((e) => e.type === 'tool-call-start');
  assert.deepEqual(starts.map((e) => e.index), starts.map((_, i) => i), 'tool indexes 0..n in order');
}

