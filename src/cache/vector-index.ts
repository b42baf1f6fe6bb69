// Nearest neighbours per partition, by brute force: the partition key (tenant + route + hash of
// the context) already narrows candidates to requests that differ only in their last user turn,
// so a partition holds tens to a few thousand entries. The local embedder's vectors are sparse
// (a question sets a few dozen of 512 dimensions), so they are stored sparse: a dot product costs
// one multiply per non-zero, a few dozen nanoseconds, and an entry a few hundred bytes instead of
// 2 KiB. Dense vectors (a route embedder) are stored as they are. A linear scan at this size beats
// an approximate index, has no recall loss, no native binding and no build step
// (bench/cache-embed.ts). A partition is bounded (oldest entry out first); so is their number.

import { textFeatures, type TextFeatures } from './verifier.js';

export interface IndexEntry {
  /** The exact key of the cached answer this vector stands for. */
  key: string;
  vector: Float32Array;
  /** The text that was embedded (the verifier compares it with the query's). */
  text: string;
}

/** How an entry is kept: its non-zero dimensions, or the dense vector when most are non-zero. */
interface Stored {
  key: string;
  text: string;
  /** The verifier's view of `text`, computed once when the entry is added. */
  features: TextFeatures;
  dims?: Uint16Array;
  values: Float32Array;
}

function pack(e: IndexEntry): Stored {
  const v = e.vector;
  let nnz = 0;
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) nnz++;
  const features = textFeatures(e.text);
  if (nnz * 3 > v.length || v.length > 65_536) return { key: e.key, text: e.text, features, values: v };
  const dims = new Uint16Array(nnz);
  const values = new Float32Array(nnz);
  for (let i = 0, j = 0; i < v.length; i++) {
    if (v[i] !== 0) {
      dims[j] = i;
      values[j++] = v[i]!;
    }
  }
  return { key: e.key, text: e.text, features, dims, values };
}

/** Approximate memory of one index entry (what `pack` keeps, plus the text and object headers). */
export function indexEntryBytes(v: Float32Array, text: string): number {
  let nnz = 0;
  for (let i = 0; i < v.length; i++) if (v[i] !== 0) nnz++;
  const values = nnz * 3 > v.length ? v.length * 4 : nnz * 6;
  // The verifier's features hold the text's words again (~4 small arrays and sets).
  return values + text.length * 6 + 600;
}

function similarity(q: Float32Array, s: Stored): number {
  const { dims, values } = s;
  let sum = 0;
  if (dims === undefined) {
    for (let i = 0; i < values.length; i++) sum += q[i]! * values[i]!;
  } else {
    for (let i = 0; i < dims.length; i++) sum += q[dims[i]!]! * values[i]!;
  }
  return sum;
}

export interface Neighbour {
  entry: { key: string; text: string; features: TextFeatures };
  similarity: number;
}

export class VectorIndex {
  private readonly partitions = new Map<string, Stored[]>();
  /** Where each key lives, so that an evicted answer can be forgotten without a scan of every partition. */
  private readonly byKey = new Map<string, string>();

  constructor(
    readonly maxPerPartition = 1024,
    readonly maxPartitions = 100_000,
  ) {}

  get size(): number {
    return this.byKey.size;
  }

  get partitionCount(): number {
    return this.partitions.size;
  }

  add(partition: string, entry: IndexEntry): void {
    this.remove(entry.key);
    let list = this.partitions.get(partition);
    if (list === undefined) {
      if (this.partitions.size >= this.maxPartitions) this.dropPartition(this.partitions.keys().next().value as string);
      list = [];
      this.partitions.set(partition, list);
    }
    list.push(pack(entry));
    this.byKey.set(entry.key, partition);
    if (list.length > this.maxPerPartition) this.byKey.delete(list.shift()!.key);
  }

  remove(key: string): void {
    const p = this.byKey.get(key);
    if (p === undefined) return;
    this.byKey.delete(key);
    const list = this.partitions.get(p);
    if (!list) return;
    const i = list.findIndex((e) => e.key === key);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.partitions.delete(p);
  }

  /** The `k` most similar entries with similarity at least `min`, best first. */
  nearest(partition: string, vector: Float32Array, k: number, min: number): Neighbour[] {
    const list = this.partitions.get(partition);
    if (!list) return [];
    const out: Neighbour[] = [];
    for (let i = 0; i < list.length; i++) {
      const entry = list[i]!;
      const sim = similarity(vector, entry);
      if (sim >= min) out.push({ entry, similarity: sim });
    }
    out.sort((a, b) => b.similarity - a.similarity);
    return out.length > k ? out.slice(0, k) : out;
  }

  private dropPartition(p: string): void {
    for (const e of this.partitions.get(p) ?? []) this.byKey.delete(e.key);
    this.partitions.delete(p);
  }
}
