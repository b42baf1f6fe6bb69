// Nearest neighbours per partition. The partition key (tenant + route + hash of the context)
// already narrows candidates to requests that differ only in their last user turn, so most
// partitions hold tens to a few thousand entries, and those are scanned by brute force: exact, no
// native binding, no build step, and faster than any index at that size. The local embedder's
// vectors are sparse (a question sets a few dozen of 512 dimensions), so they are stored sparse:
// a dot product costs one multiply per non-zero. Dense vectors (a route embedder) are stored as
// they are.
//
// A partition that grows large (one public FAQ route, scope global, a million questions) would
// make the scan linear in its size, so past `bucketMin` entries it also files each entry under
// its index key (the set of the verifier's content words, synonyms folded, fillers out:
// `indexKey`), and a query scores only the entries under its own key. This is the verifier's own
// rule turned into an index: two texts it accepts have the same key (a word on each side is a
// substitution, an added word must be a filler), so every candidate that could be served is in
// that list and every neighbour skipped is one the verifier would refuse. Exact for what can be
// served; for raw similarity it returns a subset (measured against brute force:
// bench/cache-ann.ts, and a test). One map lookup plus a scan of the query's near-duplicates:
// no training, no rebuild, the same for sparse and dense vectors. A partition is bounded (oldest
// entry out first); so is their number.

import { indexKey, textFeatures, type TextFeatures } from './verifier.js';

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
  /** What a bucketed partition files it under (indexKey), computed when it is first filed. */
  indexKey?: string;
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
  // The verifier's features hold the text's words again (~4 small arrays and sets), and the maps
  // that find an entry cost their share: measured 1,749 bytes per entry of ~45 characters at a
  // million entries in one partition (bench/cache-ann.ts), which this reproduces.
  return values + text.length * 6 + 1330;
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

export interface VectorIndexOptions {
  maxPerPartition?: number;
  maxPartitions?: number;
  /** Entries in a partition before it is bucketed by index key (default 4096; Infinity: always brute force). */
  bucketMin?: number;
}

type PartitionOptions = Required<Pick<VectorIndexOptions, 'bucketMin'>>;

function keyOf(s: Stored): string {
  return (s.indexKey ??= indexKey(s.features));
}

class Partition {
  /** Insertion order is age: the first is the oldest. */
  readonly entries = new Map<string, Stored>();
  private buckets: Map<string, Set<Stored>> | undefined;

  constructor(
    readonly name: string,
    private readonly o: PartitionOptions,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get bucketed(): boolean {
    return this.buckets !== undefined;
  }

  add(s: Stored): void {
    this.entries.set(s.key, s);
    if (this.buckets) this.file(s);
    else if (this.entries.size >= this.o.bucketMin) {
      this.buckets = new Map();
      for (const e of this.entries.values()) this.file(e);
    }
  }

  private file(s: Stored): void {
    const k = keyOf(s);
    let b = this.buckets!.get(k);
    if (b === undefined) this.buckets!.set(k, (b = new Set()));
    b.add(s);
  }

  remove(key: string): Stored | undefined {
    const s = this.entries.get(key);
    if (s === undefined) return undefined;
    this.entries.delete(key);
    if (this.buckets) {
      const k = keyOf(s);
      const b = this.buckets.get(k);
      b?.delete(s);
      if (b?.size === 0) this.buckets.delete(k);
    }
    return s;
  }

  oldest(): Stored | undefined {
    return this.entries.values().next().value;
  }

  /** Every entry a query must score: all of them, or those under the query's index key. */
  candidates(queryKey: (() => string) | undefined, visit: (s: Stored) => void): void {
    const buckets = this.buckets;
    if (buckets === undefined || queryKey === undefined) {
      for (const s of this.entries.values()) visit(s);
      return;
    }
    const b = buckets.get(queryKey());
    if (b) for (const s of b) visit(s);
  }
}

export class VectorIndex {
  private readonly partitions = new Map<string, Partition>();
  /** Where each key lives, so that an evicted answer can be forgotten without a scan of every partition. */
  private readonly byKey = new Map<string, Partition>();
  readonly maxPerPartition: number;
  readonly maxPartitions: number;
  private readonly partitionOptions: PartitionOptions;

  constructor(o: VectorIndexOptions = {}) {
    this.maxPerPartition = o.maxPerPartition ?? 1_048_576;
    this.maxPartitions = o.maxPartitions ?? 100_000;
    this.partitionOptions = { bucketMin: o.bucketMin ?? 4096 };
  }

  get size(): number {
    return this.byKey.size;
  }

  get partitionCount(): number {
    return this.partitions.size;
  }

  /** Whether a query of this partition is answered from index-key lists. */
  bucketed(partition: string): boolean {
    return this.partitions.get(partition)?.bucketed ?? false;
  }

  add(partition: string, entry: IndexEntry): void {
    this.remove(entry.key);
    let p = this.partitions.get(partition);
    if (p === undefined) {
      if (this.partitions.size >= this.maxPartitions) this.dropPartition(this.partitions.keys().next().value as string);
      p = new Partition(partition, this.partitionOptions);
      this.partitions.set(partition, p);
    }
    p.add(pack(entry));
    this.byKey.set(entry.key, p);
    if (p.size > this.maxPerPartition) {
      const old = p.oldest()!;
      p.remove(old.key);
      this.byKey.delete(old.key);
    }
  }

  remove(key: string): void {
    const p = this.byKey.get(key);
    if (p === undefined) return;
    this.byKey.delete(key);
    p.remove(key);
    if (p.size === 0 && this.partitions.get(p.name) === p) this.partitions.delete(p.name);
  }

  /**
   * The `k` most similar entries with similarity at least `min`, best first. In a bucketed
   * partition `queryKey` (the query's `indexKey`, asked for only then) narrows the scan to the
   * entries the verifier could accept; without it the partition is scanned whole.
   */
  nearest(partition: string, vector: Float32Array, k: number, min: number, queryKey?: () => string): Neighbour[] {
    const p = this.partitions.get(partition);
    if (!p) return [];
    const out: Neighbour[] = [];
    p.candidates(queryKey, (entry) => {
      const sim = similarity(vector, entry);
      if (sim >= min) out.push({ entry, similarity: sim });
    });
    out.sort((a, b) => b.similarity - a.similarity);
    return out.length > k ? out.slice(0, k) : out;
  }

  private dropPartition(name: string): void {
    const p = this.partitions.get(name);
    if (p) for (const key of p.entries.keys()) this.byKey.delete(key);
    this.partitions.delete(name);
  }
}
