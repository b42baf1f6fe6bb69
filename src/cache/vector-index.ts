// Nearest neighbours per partition, by brute force: the partition key (tenant + route + hash of
// the context) already narrows candidates to requests that differ only in their last user turn,
// so a partition holds tens to a few thousand entries, and a linear scan of unit vectors (one dot
// product each, 512 floats) costs about a microsecond per entry (bench/cache-embed.ts). That
// beats any approximate index at this size and has no recall loss, no native binding and no
// build step. A partition is bounded (oldest entry out first); so is the number of partitions.

import { dot } from './embedder.js';

export interface IndexEntry {
  /** The exact key of the cached answer this vector stands for. */
  key: string;
  vector: Float32Array;
  /** The text that was embedded (the verifier compares it with the query's). */
  text: string;
}

export interface Neighbour {
  entry: IndexEntry;
  similarity: number;
}

export class VectorIndex {
  private readonly partitions = new Map<string, IndexEntry[]>();
  /** Where each key lives, so that an evicted answer can be forgotten without a scan of every partition. */
  private readonly byKey = new Map<string, string>();

  constructor(
    readonly maxPerPartition = 2048,
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
    list.push(entry);
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
    for (const entry of list) {
      const similarity = dot(vector, entry.vector);
      if (similarity < min) continue;
      out.push({ entry, similarity });
    }
    out.sort((a, b) => b.similarity - a.similarity);
    return out.length > k ? out.slice(0, k) : out;
  }

  private dropPartition(p: string): void {
    for (const e of this.partitions.get(p) ?? []) this.byKey.delete(e.key);
    this.partitions.delete(p);
  }
}
