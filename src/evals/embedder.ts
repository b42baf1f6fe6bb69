// Text -> vector, for the `similar` assertion and shadow comparisons. An interface, because the
// cache (src/cache/, issue 10) is building the gateway's real embedder; until it lands this
// package uses a hashed character n-gram embedder of its own: no model, no network, deterministic,
// and good enough to tell a paraphrase from an unrelated answer.

export interface Embedder {
  readonly name: string;
  embed(text: string): Promise<Float32Array>;
}

/** Cosine similarity in [-1, 1] (0 for an empty vector). */
export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** FNV-1a over a string's UTF-16 units: cheap, stable across runs and machines. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Character n-grams of the lower-cased, whitespace-normalised text (words padded with spaces)
 * plus whole words, hashed into `dims` buckets with a sign bit (the hashing trick), so two
 * texts sharing words and word pieces point the same way.
 */
export class HashedNgramEmbedder implements Embedder {
  readonly name = 'hashed-ngram';

  constructor(private readonly dims = 512, private readonly n = 3) {}

  embedSync(text: string): Float32Array {
    const v = new Float32Array(this.dims);
    const norm = ` ${text.toLowerCase().replace(/\s+/g, ' ').trim()} `;
    const add = (gram: string, w: number) => {
      const h = fnv1a(gram);
      v[h % this.dims]! += (h & 0x80000000 ? -1 : 1) * w;
    };
    for (let i = 0; i + this.n <= norm.length; i++) add(norm.slice(i, i + this.n), 1);
    for (const word of norm.split(/[^\p{L}\p{N}]+/u)) if (word) add(`w:${word}`, 2);
    return v;
  }

  embed(text: string): Promise<Float32Array> {
    return Promise.resolve(this.embedSync(text));
  }
}

/** Similarity of two texts in [0, 1] under an embedder (negative cosines count as 0). */
export async function similarity(embedder: Embedder, a: string, b: string): Promise<number> {
  if (a === b) return 1;
  const [va, vb] = await Promise.all([embedder.embed(a), embedder.embed(b)]);
  return Math.max(0, cosine(va, vb));
}
