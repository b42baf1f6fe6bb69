// Embedders turn the text a semantic lookup compares into a unit vector. The local default is a
// deterministic feature-hashing embedder: no model weights (none can be downloaded here), no
// native code, a few microseconds per query (bench/cache-embed.ts). It sees words, not meaning,
// which is why every semantic candidate also goes through the verifier (verifier.ts). A route
// may use a real embedding model instead through the gateway's own embeddings route
// (`cache.embedder: <route>`); that one is asynchronous and may fail, and the semantic layer
// then degrades to exact-only for the request.

import { contentWords, fnv1a, STOP_WORDS, words } from './text-features.js';

export interface Embedder {
  readonly name: string;
  /** Unit vectors (L2 norm 1), one per text, all of the same length. */
  embed(texts: readonly string[]): Promise<Float32Array[]>;
}

/** An embedder cheap enough to run inline on the hot path. */
export interface SyncEmbedder extends Embedder {
  embedSync(text: string): Float32Array;
}

export function l2normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i]! * v[i]!;
  if (n === 0) return v;
  const inv = 1 / Math.sqrt(n);
  for (let i = 0; i < v.length; i++) v[i]! *= inv;
  return v;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/**
 * Hashed features into a fixed-size vector: content-word unigrams (weight 1), stop words (0.15),
 * bigrams of consecutive content words (0.5), and character trigrams of each content word (spread
 * over the word, 0.5 in all: robust to typos and inflections the stemmer misses). Each feature
 * lands in one dimension with a hash-chosen sign, so collisions cancel out on average instead of
 * piling up.
 */
export class HashedNgramEmbedder implements SyncEmbedder {
  readonly name = 'local-hashed-ngrams';

  constructor(readonly dimensions = 512) {}

  embedSync(text: string): Float32Array {
    const v = new Float32Array(this.dimensions);
    const add = (feature: string, w: number): void => {
      const h = fnv1a(feature);
      v[h % this.dimensions]! += h & 0x80000000 ? -w : w;
    };
    for (const w of words(text)) if (STOP_WORDS.has(w)) add(`s:${w}`, 0.15);
    const content = contentWords(text);
    for (let i = 0; i < content.length; i++) {
      const c = content[i]!;
      add(`w:${c}`, 1);
      if (i > 0) add(`b:${content[i - 1]}|${c}`, 0.5);
      const padded = `<${c}>`;
      const grams = Math.max(1, padded.length - 2);
      for (let j = 0; j + 3 <= padded.length; j++) add(`g:${padded.slice(j, j + 3)}`, 0.5 / grams);
    }
    return l2normalise(v);
  }

  embed(texts: readonly string[]): Promise<Float32Array[]> {
    return Promise.resolve(texts.map((t) => this.embedSync(t)));
  }
}

/**
 * An embedder backed by an embeddings route of the gateway itself (a provider, Ollama, TEI).
 * `call` is wired by the gateway to its embeddings pipeline; a slow call is abandoned after
 * `timeoutMs` so the cache never makes a request slower than a miss by more than that.
 */
export class RouteEmbedder implements Embedder {
  readonly name: string;

  constructor(
    route: string,
    private readonly call: (texts: readonly string[], signal: AbortSignal) => Promise<number[][]>,
    private readonly timeoutMs = 250,
  ) {
    this.name = `route:${route}`;
  }

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    const vectors = await this.call(texts, signal);
    if (vectors.length !== texts.length) throw new Error(`${this.name}: expected ${texts.length} vectors, got ${vectors.length}`);
    return vectors.map((x) => l2normalise(Float32Array.from(x)));
  }
}
