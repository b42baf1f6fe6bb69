// Deterministic embeddings: the same text always gives the same unit vector. Each word adds a
// pseudo-random vector keyed by its hash, so texts sharing words are close (cosine) and word order
// barely matters: "list to set" and "set to list" land almost on top of each other, which is
// exactly the near-miss a semantic cache's verifier must catch. A small whole-text component keeps
// different texts from being identical.

import { hash32, mulberry32 } from './prng.js';

function addRandom(v: Float64Array, key: string, weight: number): void {
  const rnd = mulberry32(hash32(key));
  for (let i = 0; i < v.length; i++) v[i]! += (rnd() * 2 - 1) * weight;
}

export function embed(text: string, dimensions: number): number[] {
  const v = new Float64Array(dimensions);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const w of words) addRandom(v, `w:${w}`, 1);
  addRandom(v, `t:${text}`, 0.05);
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  // float32 precision, as the wire carries it.
  return Array.from(v, (x) => Math.fround(x / norm));
}

/** OpenAI `encoding_format: base64`: little-endian float32 bytes. */
export function toBase64(vector: number[]): string {
  const buf = Buffer.alloc(vector.length * 4);
  vector.forEach((x, i) => buf.writeFloatLE(x, i * 4));
  return buf.toString('base64');
}

export function fromBase64(b64: string): number[] {
  const buf = Buffer.from(b64, 'base64');
  const out: number[] = [];
  for (let i = 0; i + 4 <= buf.length; i += 4) out.push(buf.readFloatLE(i));
  return out;
}
