// Test-only helpers shared by the format tests: feed bytes in chunks, collect events, normalise
// volatile fields.
import type { CanonicalEvent } from '../../src/spec/index.js';

export async function* chunksOf(...parts: Array<string | Uint8Array>): AsyncGenerator<Uint8Array> {
  for (const p of parts) yield typeof p === 'string' ? new TextEncoder().encode(p) : p;
}

/** Deterministic pseudo-random split (mulberry32) into pieces of 1..maxSize bytes. */
export async function* randomChunks(bytes: Uint8Array, seed: number, maxSize = 7): AsyncGenerator<Uint8Array> {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = 0; i < bytes.length; ) {
    const n = 1 + Math.floor(rand() * maxSize);
    yield bytes.slice(i, i + n);
    i += n;
  }
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Drops `created` (wall clock) and replaces generated ids with '<generated>'. */
export function normalize(events: CanonicalEvent[], generatedIdPrefix: string): unknown[] {
  return events.map((e) => {
    if (e.type === 'message-start') {
      const { created, ...rest } = e;
      if (typeof created !== 'number') throw new Error('created must be a number');
      return rest.id.startsWith(generatedIdPrefix) ? { ...rest, id: '<generated>' } : rest;
    }
    if (e.type === 'error') return { type: 'error', code: e.error.code, message: e.error.message };
    return e;
  });
}

/** Reads a nested value from parsed JSON without `any`: pick(body, 'contents', 0, 'parts'). */
export function pick(v: unknown, ...path: Array<string | number>): unknown {
  let cur: unknown = v;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

