// Where cached answers live. The interface is asynchronous so that a shared store (Redis, in a
// later issue) can implement it; the default keeps everything in this process's memory, so a
// lookup never waits on the network or the disk.

import type { CachedAnswer } from './answer.js';
import { ByteLru, type Clock } from './lru.js';

export interface PurgeFilter {
  route?: string;
  /** An exact scope string (`key:…`, `team:…`, `customer:…`, `global`, `master`). */
  scope?: string;
}

export interface CacheStoreStats {
  entries: number;
  bytes: number;
  maxBytes: number;
  evictions: number;
}

export interface CacheStore {
  get(key: string): Promise<CachedAnswer | undefined>;
  /** Keeps the answer for `ttlMs`; false when it was refused (too large). */
  set(key: string, answer: CachedAnswer, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  purge(filter: PurgeFilter): Promise<number>;
  stats(): CacheStoreStats;
  /** Called with the key of every entry that leaves other than by `delete` (the semantic index forgets it). */
  onRemoved(listener: (key: string) => void): void;
  /**
   * A shared store's single-flight across instances (src/cluster/redis/cache-store.ts): the
   * local leader of a miss claims the key; when another instance holds it, `follow` waits for
   * that instance's answer (undefined: it failed or took too long, so lead after all), and
   * `unclaim` ends this instance's claim once its answer is stored or abandoned.
   */
  claim?(key: string): Promise<boolean>;
  follow?(key: string): Promise<CachedAnswer | undefined>;
  unclaim?(key: string): void;
}

export function matchesPurge(f: PurgeFilter, a: CachedAnswer): boolean {
  return (f.route === undefined || a.route === f.route) && (f.scope === undefined || a.scope === f.scope);
}

export class MemoryCacheStore implements CacheStore {
  private readonly lru: ByteLru<CachedAnswer>;
  private readonly listeners: Array<(key: string) => void> = [];

  constructor(o: { maxBytes: number; maxEntryBytes?: number; clock?: Clock }) {
    this.lru = new ByteLru<CachedAnswer>({ ...o, onEvict: (k) => this.listeners.forEach((l) => l(k)) });
  }

  get(key: string): Promise<CachedAnswer | undefined> {
    return Promise.resolve(this.lru.get(key));
  }

  set(key: string, answer: CachedAnswer, ttlMs: number): Promise<boolean> {
    return Promise.resolve(this.lru.set(key, answer, answer.bytes, ttlMs));
  }

  delete(key: string): Promise<void> {
    if (this.lru.delete(key)) this.listeners.forEach((l) => l(key));
    return Promise.resolve();
  }

  purge(filter: PurgeFilter): Promise<number> {
    return Promise.resolve(this.lru.purge((_, a) => matchesPurge(filter, a)));
  }

  stats(): CacheStoreStats {
    return { entries: this.lru.size, bytes: this.lru.bytes, maxBytes: this.lru.maxBytes, evictions: this.lru.evictions };
  }

  onRemoved(listener: (key: string) => void): void {
    this.listeners.push(listener);
  }

  entries(): IterableIterator<[string, CachedAnswer]> {
    return this.lru.entries();
  }

  /** Drops expired entries; the cache calls it from a timer so memory is returned without reads. */
  sweep(): number {
    return this.lru.sweep();
  }
}
