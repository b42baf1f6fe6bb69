// Seeded randomness: the simulator must behave identically on every run with the same seed, so
// nothing here touches Math.random.

/** mulberry32: tiny, fast, good enough for test jitter and ids. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over UTF-16 code units; stable across runs and platforms. */
export function hash32(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const HEX = '0123456789abcdef';
export const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** A deterministic id of `length` characters from `alphabet`, keyed by (seed, seq, salt). */
export function makeId(seed: number, seq: number, salt: string, length: number, alphabet = ALNUM): string {
  const rnd = mulberry32(hash32(salt, seed >>> 0) ^ Math.imul(seq + 1, 0x9e3779b1));
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(rnd() * alphabet.length)];
  return out;
}

/** A UUID-looking string (DeepSeek and Qwen ids). */
export function makeUuid(seed: number, seq: number, salt: string): string {
  const h = makeId(seed, seq, salt, 32, HEX);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
